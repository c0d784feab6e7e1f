//! Across screens: an agent calls the next ticket in the console, and the
//! lobby TVs, in French and in Arabic, show it within a second.

use crate::support::browser::{Browser, DESKTOP, TV};
use crate::support::sites::open_site;
use guichet_test_support::{STAFF_PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_call_in_the_console_shows_on_both_lobby_screens_within_a_second() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 2).await;
    let issued = app
        .post(
            "/api/v1/sites/anfa/tickets",
            Some(&agents[1]),
            json!({"service": "residence"}),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let number = issued.body["number"].as_str().expect("number").to_owned();

    let console = Browser::open(DESKTOP).await;
    console.goto(&format!("{}/agent/login", app.base)).await;
    console.fill("#username", "anfa-agent1").await;
    console.fill("#password", STAFF_PASSWORD).await;
    console.click("#login").await;
    console
        .wait_for_text("h1", "Choisir un guichet", Duration::from_secs(5))
        .await;
    console
        .goto(&format!("{}/agent/counters/anfa-g1", app.base))
        .await;
    console
        .wait_for_text("#waiting", &number, Duration::from_secs(5))
        .await;

    let fr = Browser::open(TV).await;
    let ar = Browser::open(TV).await;
    fr.goto(&format!("{}/display/anfa?lang=fr", app.base)).await;
    ar.goto(&format!("{}/display/anfa?lang=ar", app.base)).await;
    for tv in [&fr, &ar] {
        until_live(tv).await;
        assert!(!tv.text("#now-number").await.contains(&number));
    }

    // Timed from before the click: the WebDriver round trip counts too.
    let clicked = Instant::now();
    console.click("button[data-act='call-next']").await;
    let within = Duration::from_secs(1);
    tokio::join!(
        fr.wait_for_text("#now-number", &number, within),
        ar.wait_for_text("#now-number", &number, within),
    );
    let seen = clicked.elapsed();
    assert!(seen < within, "the screens showed the call after {seen:?}");
    assert_eq!(fr.text("#now-counter").await, "Guichet 1");
    assert_eq!(ar.text("#now-counter").await, "الشباك رقم 1");
    console
        .wait_for_text("#current-number", &number, Duration::from_secs(2))
        .await;
    fr.screenshot("journey-lobby-fr-tv").await;
    ar.screenshot("journey-lobby-ar-tv").await;
    console.screenshot("journey-agent-fr-desktop").await;
    for browser in [console, fr, ar] {
        browser.close().await;
    }
}

/// Waits until the TV's stream is connected.
async fn until_live(tv: &Browser) {
    guichet_test_support::eventually(Duration::from_secs(10), "the TV live", async || {
        tv.eval("return document.body.getAttribute('data-live')")
            .await
            == json!("live")
    })
    .await;
}
