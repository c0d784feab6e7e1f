//! The agent console files the request of the citizen at the counter, in
//! a real browser: the form under the current ticket, the reference it
//! answers with, and the request linked to the visit.

use super::agent::{log_in, office};
use crate::support::browser::{Browser, DESKTOP};
use guichet_test_support::TestApp;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const SOON: Duration = Duration::from_secs(5);

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_console_files_the_request_of_the_ticket_served() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (kiosk, agent) = office(&app).await;
    // The residence certificate takes three working days to prepare.
    let admin = app.admin().await;
    let days = json!({"processing_days": 3});
    let path = "/api/v1/sites/anfa/services/residence";
    let patched = app.patch(path, Some(&admin), days).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let body = json!({"service": "residence", "phone": "+212612345678"});
    let ticket = app
        .post("/api/v1/sites/anfa/tickets", Some(&kiosk), body)
        .await;
    assert_eq!(ticket.status, StatusCode::CREATED, "{}", ticket.body);
    let number = ticket.body["number"].as_str().unwrap().to_owned();
    let browser = Browser::open(DESKTOP).await;
    log_in(&browser, &app).await;
    browser
        .goto(&format!("{}/agent/counters/anfa-g1", app.base))
        .await;
    let none = browser
        .eval("return document.getElementById('file-request') === null")
        .await;
    assert_eq!(none, true, "no form without a current ticket");
    browser.click("button[data-act='call-next']").await;
    browser
        .wait_for_text("#current-number", &number, SOON)
        .await;
    browser.fill("#request-name", "Amina Alaoui").await;
    browser.screenshot("agent-file-request-fr-desktop").await;
    browser.click("#request-file").await;
    browser.wait_for_text("#message", "déposée", SOON).await;
    let message = browser.text("#message").await;
    let reference = message
        .split_whitespace()
        .find(|w| w.starts_with("DR-"))
        .unwrap_or_else(|| panic!("no reference in {message:?}"))
        .to_owned();
    let read = app
        .get(&format!("/api/v1/requests/{reference}"), Some(&agent))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body["channel"], "ticket");
    assert_eq!(read.body["ticket"], ticket.body["id"]);
    assert_eq!(read.body["history"][0]["visit"], number.as_str());
    assert_eq!(read.body["history"][0]["by"], "user:anfa-agent1");
    let kept = "document_requests WHERE phone = '+212612345678'";
    assert_eq!(app.count(kept).await, 1);
    // A second click of the same form files nothing more.
    browser.fill("#request-name", "Amina Alaoui").await;
    browser.click("#request-file").await;
    browser.wait_for_text("#message", "déjà", SOON).await;
    assert_eq!(app.count("document_requests").await, 1);
    browser.close().await;
}
