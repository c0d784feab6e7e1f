//! Document requests filed by the lobby's kiosk through the API, their
//! acknowledgement of receipt (through the fake Twilio and SMTP relay),
//! the receipt's private link, and the request limits under a burst of
//! kiosk filings.

use crate::support::desk::{AMINA, Desk, desk};
use crate::support::office::text;
use crate::support::tickets::kiosk;
use guichet_test_support::{Answer, Backend};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SERVICE: &str = "residence";

on_both_backends!(
    a_kiosk_files_for_its_own_site_only,
    every_filing_is_acknowledged_once_in_the_citizens_language,
    the_receipt_opens_with_its_token_only,
    a_burst_of_kiosk_filings_cannot_pass_the_limit,
);
use guichet_test_support::on_both_backends;

/// Files `fields` (with the service and a name) at the desk's site.
async fn file(desk: &Desk, bearer: Option<&str>, site: &str, fields: Value) -> Answer {
    let mut body = json!({"service": SERVICE, "name": "Amina Alaoui"});
    for (key, value) in fields.as_object().expect("an object") {
        body[key] = value.clone();
    }
    let path = format!("/api/v1/sites/{site}/requests");
    desk.app.post(&path, bearer, body).await
}

async fn a_kiosk_files_for_its_own_site_only(backend: Backend) {
    let desk = desk(backend, false).await;
    let own = kiosk(&desk.app, &desk.admin, &desk.site).await;
    // No phone, no e-mail: a kiosk may file for a citizen who leaves none.
    let filed = file(&desk, Some(&own), &desk.site, json!({})).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let reference = text(&filed, "reference");
    assert!(reference.starts_with("DR-"), "{reference}");
    assert!(!text(&filed, "token").is_empty());
    assert_eq!(filed.body["expected_ready_on"], "2026-12-02");
    assert_eq!(filed.body["channel"], "kiosk");
    let receipt = text(&filed, "receipt_url");
    let token = text(&filed, "token");
    assert_eq!(
        receipt,
        format!(
            "{}/requests/{reference}/receipt?token={token}",
            desk.app.base
        )
    );

    desk.second_office().await;
    let elsewhere = kiosk(&desk.app, &desk.admin, "rabat-hassan").await;
    let refused = file(&desk, Some(&elsewhere), &desk.site, json!({})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let display = desk
        .app
        .post(
            &format!("/api/v1/sites/{}/devices", desk.site),
            Some(&desk.admin),
            json!({"kind": "display", "label": "Écran"}),
        )
        .await;
    let display = text(&display, "token").to_owned();
    let refused = file(&desk, Some(&display), &desk.site, json!({})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(desk.app.count("document_requests").await, 1);
    // Online, a phone is still required.
    let online = file(&desk, None, &desk.site, json!({})).await;
    assert_eq!(
        online.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        online.body
    );
    assert_eq!(online.code(), "invalid_phone");
    assert_eq!(desk.app.count("document_requests").await, 1);
}

async fn every_filing_is_acknowledged_once_in_the_citizens_language(backend: Backend) {
    let desk = desk(backend, false).await;
    let own = kiosk(&desk.app, &desk.admin, &desk.site).await;
    let fields = json!({"phone": AMINA, "email": "amina@example.ma", "lang": "ar"});
    let at_kiosk = file(&desk, Some(&own), &desk.site, fields).await;
    assert_eq!(at_kiosk.status, StatusCode::CREATED, "{}", at_kiosk.body);
    let kiosk_ref = text(&at_kiosk, "reference").to_owned();
    let fields = json!({"email": "karim@example.ma"});
    let at_desk = file(&desk, Some(&desk.agent), &desk.site, fields).await;
    assert_eq!(at_desk.status, StatusCode::CREATED, "{}", at_desk.body);
    assert_eq!(at_desk.body["channel"], "desk");
    let desk_ref = text(&at_desk, "reference").to_owned();
    let online = file(&desk, None, &desk.site, json!({"phone": "+212611111111"})).await;
    assert_eq!(online.status, StatusCode::CREATED, "{}", online.body);
    assert_eq!(online.body["channel"], "online");
    let online_ref = text(&online, "reference").to_owned();

    let sms = desk.exactly_sms(2).await;
    let to_amina: Vec<_> = sms.iter().filter(|s| s.to == AMINA).collect();
    assert_eq!(to_amina.len(), 1, "{sms:?}");
    let body = &to_amina[0].body;
    assert!(
        body.contains(&kiosk_ref) && body.contains("02/12/2026"),
        "{body}"
    );
    assert!(
        body.contains("توصلت") && body.contains("شهادة") || body.contains("Certificat"),
        "{body}"
    );
    let online_sms = sms
        .iter()
        .find(|s| s.to == "+212611111111")
        .expect("online");
    assert!(online_sms.body.contains(&online_ref), "{}", online_sms.body);
    assert!(online_sms.body.contains("bien reçu"), "{}", online_sms.body);

    let mails = desk.exactly_mails(2).await;
    let karim = mails
        .iter()
        .find(|m| m.to == ["karim@example.ma"])
        .expect("the desk's e-mail");
    assert!(karim.data.contains(&desk_ref), "{}", karim.data);
    assert!(
        mails
            .iter()
            .any(|m| m.to == ["amina@example.ma"] && m.data.contains(&kiosk_ref))
    );
    // Once each: the outbox holds one acknowledgement per request and channel.
    let acknowledgements = "notifications WHERE template = 'request_received'";
    assert_eq!(desk.app.count(acknowledgements).await, 4);

    // A citizen who left an e-mail only hears by e-mail when it is ready.
    let path = format!("/api/v1/requests/{desk_ref}/status");
    let ready = json!({"status": "ready"});
    let moved = desk.app.post(&path, Some(&desk.agent), ready).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let mails = desk.exactly_mails(3).await;
    let to_karim = mails
        .iter()
        .filter(|m| m.to == ["karim@example.ma"])
        .count();
    assert_eq!(to_karim, 2, "{mails:?}");
}

async fn the_receipt_opens_with_its_token_only(backend: Backend) {
    let desk = desk(backend, false).await;
    let own = kiosk(&desk.app, &desk.admin, &desk.site).await;
    let fields = json!({"phone": AMINA, "name": "Amina Alaoui"});
    let filed = file(&desk, Some(&own), &desk.site, fields).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let reference = text(&filed, "reference").to_owned();
    let url = text(&filed, "receipt_url").to_owned();
    let http = &desk.app.http;
    let get = |url: String| async move { http.get(url).send().await.expect("an answer") };

    let page = get(url.clone()).await;
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-robots-tag"], "noindex, nofollow");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let html = page.text().await.unwrap();
    assert!(html.contains(&reference), "{html}");
    assert!(html.contains("02/12/2026"), "the expected day");
    assert!(html.contains("Accusé de réception") && html.contains("وصل إيداع طلبكم"));
    assert!(html.contains("class=\"qr-code\""), "a QR code");
    assert!(
        !html.contains("Amina") && !html.contains("612345678"),
        "it names no one"
    );

    let bare = format!("{}/requests/{reference}/receipt", desk.app.base);
    let wrong = format!("{bare}?token=not-the-token");
    for url in [bare, wrong] {
        let refused = get(url.clone()).await;
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{url}");
        let html = refused.text().await.unwrap();
        assert!(!html.contains("02/12/2026"), "{html}");
    }
}

async fn a_burst_of_kiosk_filings_cannot_pass_the_limit(backend: Backend) {
    let desk = desk(backend, false).await;
    let own = kiosk(&desk.app, &desk.admin, &desk.site).await;
    // Sixty at once, each on its own connection.
    let path = format!("/api/v1/sites/{}/requests", desk.site);
    let filings = (0..60).map(|_| {
        let body = json!({"service": SERVICE, "name": "Amina", "phone": AMINA});
        desk.app.post(&path, Some(&own), body)
    });
    let statuses: Vec<StatusCode> = futures::future::join_all(filings)
        .await
        .into_iter()
        .map(|answer| answer.status)
        .collect();
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    // Twenty requests an hour for one phone, as online.
    assert_eq!((created, limited), (20, 40), "{statuses:?}");
    assert_eq!(desk.app.count("document_requests").await, 20);
}
