//! The document requests' desk: an office of Rabat whose messages go
//! through a fake Twilio and a fake SMTP relay, and the reads a citizen or
//! an agent makes of a request.

use crate::fakes::smtp::{FakeSmtp, Mail};
use crate::fakes::twilio::{FakeTwilio, ReceivedSms};
use guichet::clock::{Clock, ManualTime};
use guichet::domain::role::Role;
use guichet_test_support::wait::throughout;
use guichet_test_support::{Answer, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

/// A Thursday morning in Rabat; the Monday after is a closure.
pub const THURSDAY: &str = "2026-11-26T09:00:00Z";
pub const AMINA: &str = "+212612345678";
pub const KARIM: &str = "+212698765432";
const SERVICE: &str = "residence";

/// An office of Rabat open Monday to Friday, closed Monday 30 November,
/// with the service `residence` (3 working days), one agent, and messages
/// sent through a fake Twilio and a fake SMTP relay; the clock at THURSDAY.
pub struct Desk {
    pub app: TestApp,
    pub time: ManualTime,
    pub admin: String,
    pub agent: String,
    pub site: String,
    pub twilio: FakeTwilio,
    pub smtp: FakeSmtp,
}

pub async fn desk(backend: Backend, verify_phone: bool) -> Desk {
    let (twilio, smtp) = (FakeTwilio::start().await, FakeSmtp::start().await);
    let (clock, time) = Clock::manual(THURSDAY.parse().expect("a timestamp"));
    let app = TestApp::builder()
        .backend(backend)
        .clock(clock)
        .config(|config| {
            config.sms = guichet::config::SmsTransport::Twilio;
            config.twilio_account_sid = Some("AC0123".into());
            config.twilio_auth_token = Some("secret-token".parse().unwrap());
            config.twilio_from = Some("+212500000000".into());
            config.twilio_api_base = twilio.base.clone();
            config.smtp_url = Some(smtp.url.parse().unwrap());
            config.smtp_from = Some("guichet@agdal.gov.ma".into());
        })
        .spawn()
        .await;
    let admin = app.admin().await;
    let site = "rabat-agdal".to_owned();
    let open = json!([["08:30", "16:30"]]);
    let body = json!({"id": site, "name": "Annexe Agdal", "timezone": "Africa/Casablanca",
        "opening_hours": {"mon": open, "tue": open, "wed": open, "thu": open, "fri": open},
        "closures": ["2026-11-30"], "verify_phone": verify_phone});
    let created = app.post("/api/v1/sites", Some(&admin), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let service = json!({"id": SERVICE, "prefix": "A", "name": "Certificat de résidence",
        "walk_in": true, "processing_days": 3});
    let path = format!("/api/v1/sites/{site}/services");
    let created = app.post(&path, Some(&admin), service).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let agent = app.add_staff("agdal-agent", Role::Agent, &site).await;
    Desk {
        app,
        time,
        admin,
        agent,
        site,
        twilio,
        smtp,
    }
}

impl Desk {
    /// A second office, `rabat-hassan`, open on weekdays.
    pub async fn second_office(&self) {
        let open = json!([["08:30", "16:30"]]);
        let body = json!({"id": "rabat-hassan", "name": "Annexe Hassan",
            "timezone": "Africa/Casablanca",
            "opening_hours": {"mon": open, "tue": open, "wed": open, "thu": open, "fri": open}});
        let created = self
            .app
            .post("/api/v1/sites", Some(&self.admin), body)
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }

    pub fn set_time(&self, at: &str) {
        self.time.set(at.parse().expect("a timestamp"));
    }

    /// Asks for a code for `phone` and reads it from the outbox.
    pub async fn new_code(&self, phone: &str) -> String {
        code_of(&self.app, phone).await
    }

    /// The SMS Twilio got, once `n` came and nothing more followed.
    pub async fn exactly_sms(&self, n: usize) -> Vec<ReceivedSms> {
        self.twilio
            .wait_for_delivered(n, Duration::from_secs(10))
            .await;
        throughout(Duration::from_millis(1500), "nothing more", async || {
            self.twilio.delivered().len() == n
        })
        .await;
        let sms = self.twilio.delivered();
        assert_eq!(sms.len(), n, "{sms:?}");
        sms
    }

    /// The mails the relay got, once `n` came and nothing more followed.
    pub async fn exactly_mails(&self, n: usize) -> Vec<Mail> {
        self.smtp.wait_for(n, Duration::from_secs(10)).await;
        throughout(Duration::from_millis(1500), "nothing more", async || {
            self.smtp.received().len() == n
        })
        .await;
        let mails = self.smtp.received();
        assert_eq!(mails.len(), n, "{mails:?}");
        mails
    }
}

/// A GET with a bearer token and/or an `X-Request-Token`.
pub async fn read_with_token(
    app: &TestApp,
    path: &str,
    bearer: Option<&str>,
    token: Option<&str>,
) -> Answer {
    let mut request = app.http.get(format!("{}{path}", app.base));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    if let Some(token) = token {
        request = request.header("X-Request-Token", token);
    }
    app.send(request).await
}

/// The references of a listing, in order.
pub fn references(listing: &Answer) -> Vec<&str> {
    let items = listing.body.as_array().expect("a list");
    items
        .iter()
        .map(|r| r["reference"].as_str().expect("reference"))
        .collect()
}

/// Asks `app` for a code for `phone` and reads it from the outbox.
pub async fn code_of(app: &TestApp, phone: &str) -> String {
    let asked = app.post("/api/v1/otp", None, json!({"phone": phone})).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    sent_code(app, phone).await
}

/// The code the outbox holds for `phone` (sent by a page, for instance).
pub async fn sent_code(app: &TestApp, phone: &str) -> String {
    let queued = guichet::store::outbox::to_recipient(&app.app.db, phone)
        .await
        .expect("outbox read");
    let (_, message) = queued
        .iter()
        .find(|(t, _)| t == "otp")
        .expect("a code sent");
    let code = message
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6);
    code.unwrap_or_else(|| panic!("no code in {message:?}"))
        .to_owned()
}
