//! The agents' video calls of the day in a real browser: the call that has
//! begun is recorded with a click, in French and in Arabic.

use crate::support::browser::{Browser, DESKTOP};
use crate::support::office::{office, phone, text};
use guichet_test_support::{Backend, STAFF_PASSWORD};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const SOON: Duration = Duration::from_secs(5);

#[tokio::test]
#[ignore = "needs Chromium"]
async fn an_agent_records_a_video_call_with_a_click() {
    let _turn = crate::support::browser::turn().await;
    let office = office(
        Backend::Sqlite,
        "2026-11-23T07:00:00Z",
        "Africa/Casablanca",
        2,
        false,
    )
    .await;
    let mut references = Vec::new();
    for (n, start) in ["2026-11-24T09:00:00+00:00", "2026-11-24T14:00:00+00:00"]
        .into_iter()
        .enumerate()
    {
        let booked = office
            .book_with(json!({"start": start, "phone": phone(n), "mode": "video"}))
            .await;
        assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
        references.push(text(&booked, "reference").to_owned());
    }
    let (begun, later) = (&references[0], &references[1]);
    office.set_time("2026-11-24T09:12:00Z");

    let browser = Browser::open(DESKTOP).await;
    browser
        .goto(&format!("{}/agent/login", office.app.base))
        .await;
    browser.fill("#username", "agdal-agent").await;
    browser.fill("#password", STAFF_PASSWORD).await;
    browser.click("#login").await;
    browser
        .wait_for_text("h1", "Choisir un guichet", SOON)
        .await;
    browser.click("a[href='/agent/video']").await;
    browser
        .wait_for_text("h1", "Rendez-vous vidéo du jour", SOON)
        .await;
    // Local times (Casablanca's clock is at UTC since its change), the call
    // links, and a later call that cannot be recorded yet.
    let row = browser.text(&format!("#call-{begun}")).await;
    assert!(row.contains("09:00–09:30"), "{row}");
    let row = browser.text(&format!("#call-{later}")).await;
    assert!(row.contains("À son heure"), "{row}");
    browser.screenshot("agent-video-fr-desktop").await;
    browser
        .click(&format!("#call-{begun} button[value='done']"))
        .await;
    browser
        .wait_for_text(&format!("#call-{begun}"), "Tenu", SOON)
        .await;
    let agent = office.app.login("agdal-agent", STAFF_PASSWORD).await;
    let seen = office
        .app
        .get(&format!("/api/v1/appointments/{begun}"), Some(&agent))
        .await;
    assert_eq!(seen.body["status"], "done", "{}", seen.body);

    browser
        .goto(&format!("{}/agent/video?lang=ar", office.app.base))
        .await;
    browser
        .wait_for_text(&format!("#call-{begun}"), "تمّ", SOON)
        .await;
    browser.screenshot("agent-video-ar-desktop").await;
    browser.close().await;
}
