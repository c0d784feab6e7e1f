//! Partners' side: the desk's office with a second site, a passport office
//! registered as a partner that chose the first, its signed pushes, and
//! the reads of its files a citizen makes at the kiosk and on the portal.

use super::desk::{Desk, THURSDAY, desk};
use super::forms::{self, Page};
use super::sites::site_body;
use super::tickets::kiosk;
use guichet::notify::signature::webhook_signature;
use guichet_test_support::{Answer, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub const PARTNER: &str = "dgsn-passeports";
pub const REFERENCE: &str = "PA-2026/00042";
pub const HOLDER: &str = "AB123456";
const CSRF: &str = "partners-csrf-token-0123456789abcdefghijkl";

/// The desk, a second site (`rabat-hassan`) the partner did not choose, a
/// kiosk at each, and the partner's secret.
pub struct Partnered {
    pub desk: Desk,
    pub secret: String,
    pub kiosk: String,
    pub other_kiosk: String,
}

pub async fn partnered(backend: Backend) -> Partnered {
    let desk = desk(backend, false).await;
    let other = site_body("rabat-hassan");
    let created = desk
        .app
        .post("/api/v1/sites", Some(&desk.admin), other)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = json!({"id": PARTNER, "name": "Bureau des passeports", "name_ar": "مكتب جوازات السفر",
        "sites": [desk.site]});
    let registered = desk
        .app
        .post("/api/v1/partners", Some(&desk.admin), body)
        .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.body
    );
    let secret = registered.body["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let kiosk_token = kiosk(&desk.app, &desk.admin, &desk.site).await;
    let other_kiosk = kiosk(&desk.app, &desk.admin, "rabat-hassan").await;
    Partnered {
        desk,
        secret,
        kiosk: kiosk_token,
        other_kiosk,
    }
}

/// The desk's clock, in Unix seconds.
pub fn now_s() -> i64 {
    THURSDAY
        .parse::<jiff::Timestamp>()
        .expect("a timestamp")
        .as_second()
}

/// A push's body: the partner's file at `version` with `status`.
pub fn file(version: i64, status: &str) -> Value {
    json!({"reference": REFERENCE, "kind": "passport", "status": status,
        "label": {"fr": "Passeport biométrique", "ar": "جواز السفر البيومتري"},
        "ready_at": "2026-12-01T10:00:00Z", "version": version, "holder_id": HOLDER})
}

/// A push exactly as sent: its body's bytes, its timestamp and signature.
#[derive(Debug, Clone)]
pub struct Push {
    pub body: Vec<u8>,
    pub timestamp: i64,
    pub signature: String,
}

impl Push {
    pub fn signed(secret: &str, timestamp: i64, body: &Value) -> Self {
        let body = serde_json::to_vec(body).expect("JSON");
        let signature = webhook_signature(secret, timestamp, &body);
        Push {
            body,
            timestamp,
            signature,
        }
    }

    pub async fn send(&self, app: &TestApp, partner: &str) -> Answer {
        let request = app
            .http
            .post(format!("{}/api/v1/partners/{partner}/files", app.base))
            .header("content-type", "application/json")
            .header("X-Guichet-Timestamp", self.timestamp.to_string())
            .header("X-Guichet-Signature", &self.signature)
            .body(self.body.clone());
        app.send(request).await
    }
}

impl Partnered {
    /// Signs `body` now with the partner's secret and sends it.
    pub async fn push(&self, body: &Value) -> Answer {
        let push = Push::signed(&self.secret, now_s(), body);
        push.send(&self.desk.app, PARTNER).await
    }

    /// The stored file's `(version, status)`, read straight from the table.
    pub async fn stored(&self) -> Option<(i64, String)> {
        let row = guichet::store::partners::file(&self.desk.app.app.db, PARTNER, REFERENCE)
            .await
            .expect("read");
        row.map(|r| (r.version, r.status))
    }

    /// The kiosk's answer to a reference and an identifier.
    pub async fn at_kiosk(&self, kiosk: &str, site: &str, reference: &str, holder: &str) -> Page {
        let path = format!("/kiosk/{site}/files");
        let form = [("reference", reference), ("holder_id", holder)];
        forms::send(&self.desk.app, kiosk, &path, &form).await
    }

    /// The portal's answer, to a citizen who is not logged in.
    pub async fn on_portal(&self, reference: &str, holder: &str, lang: &str) -> Page {
        let app = &self.desk.app;
        let response = app
            .http
            .post(format!("{}/files?lang={lang}", app.base))
            .header("Cookie", format!("guichet_csrf={CSRF}"))
            .form(&[
                ("csrf", CSRF),
                ("reference", reference),
                ("holder_id", holder),
            ])
            .send()
            .await
            .expect("sent");
        let status = response.status();
        let html = response.text().await.expect("page");
        Page {
            status,
            location: String::new(),
            cache: String::new(),
            html,
        }
    }
}
