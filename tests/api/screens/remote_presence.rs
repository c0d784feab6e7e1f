//! Remote tickets at the office in a real browser: the agent console marks
//! them "À distance" with their presence and a "Marquer présent" button,
//! and follows a check-in at the kiosk live; the kiosk's check-in screen
//! confirms a ticket by its typed number.

use super::agent::log_in;
use crate::support::browser::{Browser, DESKTOP, KIOSK};
use crate::support::forms::send;
use crate::support::tickets::kiosk;
use guichet::domain::role::Role;
use guichet_test_support::TestApp;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const SOON: Duration = Duration::from_secs(5);

/// A site open around the clock asking no phone code, its walk-in service
/// `residence` (`A`) open to remote joins, counter `anfa-g1` opened by
/// `anfa-agent1`; returns the kiosk's token.
async fn office(app: &TestApp) -> String {
    let admin = app.admin().await;
    let hours = guichet_test_support::around_the_clock();
    let site = json!({"id": "anfa", "name": "Annexe Anfa", "name_ar": "ملحقة أنفا",
        "timezone": "Africa/Casablanca", "opening_hours": hours, "verify_phone": false});
    let created = app.post("/api/v1/sites", Some(&admin), site).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let service = json!({"id": "residence", "prefix": "A", "name": "Certificat de résidence",
        "name_ar": "شهادة السكنى", "walk_in": true, "service_minutes": 5,
        "remote_share_percent": 100});
    let path = "/api/v1/sites/anfa/services";
    let answer = app.post(path, Some(&admin), service).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let counter = json!({"id": "anfa-g1", "label": "Guichet 1", "services": ["residence"]});
    let answer = app
        .post("/api/v1/sites/anfa/counters", Some(&admin), counter)
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let agent = app.add_staff("anfa-agent1", Role::Agent, "anfa").await;
    let opened = app
        .post("/api/v1/counters/anfa-g1/open", Some(&agent), json!({}))
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    kiosk(app, &admin, "anfa").await
}

async fn join(app: &TestApp, n: usize) -> String {
    let body = json!({"service": "residence", "phone": format!("+2126{n:08}")});
    let joined = app.post("/api/v1/sites/anfa/queue/join", None, body).await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    joined.body["number"].as_str().expect("number").to_owned()
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_console_and_the_kiosk_confirm_remote_tickets() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let kiosk = office(&app).await;
    let first = join(&app, 1).await;
    let second = join(&app, 2).await;
    let third = join(&app, 3).await;

    let browser = Browser::open(DESKTOP).await;
    log_in(&browser, &app).await;
    browser
        .goto(&format!("{}/agent/counters/anfa-g1", app.base))
        .await;
    let row = browser.text(&format!("#t-{first}")).await;
    assert!(
        row.contains("À distance") && row.contains("En route"),
        "{row}"
    );
    browser
        .click(&format!("#t-{first} button[data-act='present']"))
        .await;
    browser
        .wait_for_text(&format!("#t-{first}"), "Présent", SOON)
        .await;
    browser
        .wait_for_text("#message", first.as_str(), SOON)
        .await;
    // A check-in at the kiosk shows at once, through the live stream.
    let page = send(
        &app,
        &kiosk,
        "/kiosk/anfa/checkin",
        &[("reference", &second)],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    browser
        .wait_for_text(&format!("#t-{second}"), "Présent", SOON)
        .await;
    browser.screenshot("agent-remote-fr-desktop").await;
    assert!(browser.policy_violations().await.is_empty());
    browser.close().await;

    let browser = Browser::open(KIOSK).await;
    let home = format!("{}/kiosk/anfa", app.base);
    browser.goto(&format!("{home}?device={kiosk}")).await;
    browser.goto(&format!("{home}?lang=ar")).await;
    browser.click("#go-checkin").await;
    browser.fill("#reference", &third.to_lowercase()).await;
    browser.click("#checkin-submit").await;
    assert_eq!(browser.text("#present-number").await, third);
    let said = browser.text("#present").await;
    assert!(
        said.contains("تم تأكيد حضوركم") && said.contains("Présence confirmée"),
        "{said}"
    );
    browser.screenshot("kiosk-present-ar-kiosk").await;
    browser.close().await;
}
