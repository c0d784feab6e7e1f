//! Tamazight on the office's screens in a real browser: with the site's
//! switch on, the lobby, the counter display and the kiosk show Tifinagh
//! (`lang="zgh"`) in the font the service ships (its `@font-face` loaded,
//! not a system font), with the services' Tifinagh names; off, none. The
//! lobby says a call in Tamazight from the office's clips only when it has
//! them all.

use super::lobby::{called, live, office, wait_until};
use crate::support::browser::{Browser, KIOSK, TV};
use crate::support::tickets::{finish, issue, kiosk};
use crate::tamazight::{ogg, put_clip};
use guichet_test_support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const FONT_LOADED: &str = "[...document.fonts].some(f => \
    f.family.replace(/[\"']/g, '') === 'Guichet Tifinagh' && f.status === 'loaded')";

/// The Tifinagh texts of the page, and the font the first one is drawn in.
async fn tifinagh(browser: &Browser) -> (Vec<String>, String) {
    let found = browser
        .eval(
            "const all = [...document.querySelectorAll('[lang=zgh]')]\
               .filter(e => e.getClientRects().length && e.textContent.trim());\
             return [all.map(e => e.textContent.trim()),\
               all.length ? getComputedStyle(all[0]).fontFamily : ''];",
        )
        .await;
    let texts = found[0].as_array().cloned().unwrap_or_default();
    let texts = texts.iter().filter_map(Value::as_str).map(String::from);
    (texts.collect(), found[1].as_str().unwrap_or("").to_owned())
}

async fn switch(app: &TestApp, admin: &str, on: bool) {
    let body = json!({"tamazight": on});
    let answer = app.patch("/api/v1/sites/anfa", Some(admin), body).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
}

async fn display_token(app: &TestApp, admin: &str) -> String {
    let device = app
        .post(
            "/api/v1/sites/anfa/devices",
            Some(admin),
            json!({"kind": "display", "label": "TV guichet 2"}),
        )
        .await;
    assert_eq!(device.status, StatusCode::CREATED, "{}", device.body);
    device.body["token"].as_str().expect("token").to_owned()
}

/// Asserts the page shows `wanted` in Tifinagh, in the shipped font.
async fn shows_tifinagh(browser: &Browser, wanted: &[&str]) {
    wait_until(browser, FONT_LOADED, Duration::from_secs(5)).await;
    let (texts, font) = tifinagh(browser).await;
    for word in wanted {
        assert!(
            texts.iter().any(|t| t.contains(word)),
            "{word} in {texts:?}"
        );
    }
    assert!(font.starts_with("\"Guichet Tifinagh\""), "{font}");
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_screens_show_tifinagh_in_the_shipped_font_when_the_site_turns_it_on() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let (agents, kiosk_token) = office(&app).await;
    switch(&app, &admin, true).await;
    let name = json!({"name_zgh": "ⴰⵙⵍⴽⵉⵏ ⵏ ⵓⵣⴷⴰⵖ"});
    let path = "/api/v1/sites/anfa/services/residence";
    let answer = app.patch(path, Some(&admin), name).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    issue(&app, &kiosk_token, "anfa", json!({"service": "residence"})).await;
    called(&app, &agents[1], "anfa-g2").await;

    let tv = Browser::open(TV).await;
    for lang in ["fr", "ar"] {
        tv.goto(&format!("{}/display/anfa?lang={lang}", app.base))
            .await;
        live(&tv).await;
        shows_tifinagh(&tv, &["ⴰⵖⵓⵔⵉ ⵏ ⵖⵉⵍⴰ", "ⴰⵙⵍⴽⵉⵏ ⵏ ⵓⵣⴷⴰⵖ", "ⴰⵙⴰⵔⵓ 2"]).await;
        assert_eq!(tv.text("#now-counter-3").await, "ⴰⵙⴰⵔⵓ 2");
        tv.screenshot(&format!("lobby-tamazight-{lang}-tv")).await;
    }
    // A new call shows its counter in Tifinagh too (drawn by the script).
    issue(&app, &kiosk_token, "anfa", json!({"service": "signature"})).await;
    called(&app, &agents[0], "anfa-g1").await;
    tv.wait_for_text("#now-counter-3", "ⴰⵙⴰⵔⵓ 1", Duration::from_secs(2))
        .await;
    let recent = tv.text("#recent").await;
    assert!(recent.contains("ⴰⵙⴰⵔⵓ 2"), "{recent}");

    let token = display_token(&app, &admin).await;
    let page = format!("{}/counter-display/anfa-g2", app.base);
    tv.goto(&format!("{page}?device={token}")).await;
    tv.goto(&format!("{page}?lang=fr")).await;
    live(&tv).await;
    shows_tifinagh(&tv, &["ⴰⵙⴰⵔⵓ 2"]).await;
    tv.screenshot("counter-display-tamazight-fr-tv").await;
    tv.goto(&format!("{page}?lang=ar")).await;
    shows_tifinagh(&tv, &["ⴰⵙⴰⵔⵓ 2"]).await;
    tv.screenshot("counter-display-tamazight-ar-tv").await;

    let stand = Browser::open(KIOSK).await;
    let token = kiosk(&app, &admin, "anfa").await;
    stand
        .goto(&format!("{}/kiosk/anfa?device={token}", app.base))
        .await;
    for lang in ["fr", "ar"] {
        stand
            .goto(&format!("{}/kiosk/anfa?lang={lang}", app.base))
            .await;
        shows_tifinagh(&stand, &["ⴰⵏⵙⵓⴼ", "ⴰⵙⵍⴽⵉⵏ ⵏ ⵓⵣⴷⴰⵖ"]).await;
        stand
            .screenshot(&format!("kiosk-tamazight-{lang}-kiosk"))
            .await;
    }

    // Off: no Tifinagh anywhere, and the font is not even fetched.
    switch(&app, &admin, false).await;
    tv.goto(&format!("{}/display/anfa", app.base)).await;
    live(&tv).await;
    assert_eq!(tifinagh(&tv).await.0, Vec::<String>::new());
    let fetched = tv.eval(&format!("return {FONT_LOADED}")).await;
    assert_eq!(fetched, json!(false));
    tv.goto(&page).await;
    live(&tv).await;
    assert_eq!(tifinagh(&tv).await.0, Vec::<String>::new());
    stand.goto(&format!("{}/kiosk/anfa", app.base)).await;
    assert_eq!(tifinagh(&stand).await.0, Vec::<String>::new());
    tv.close().await;
    stand.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_lobby_says_the_call_in_tamazight_only_with_every_clip() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let (agents, kiosk_token) = office(&app).await;
    switch(&app, &admin, true).await;
    let mut names: Vec<String> = ["ticket", "counter", "letter-a", "letter-b"]
        .into_iter()
        .map(String::from)
        .collect();
    names.extend((0..10).map(|d| format!("digit-{d}")));
    for name in &names {
        let (status, body) = put_clip(&app, Some(&admin), "anfa", name, ogg()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    for _ in 0..12 {
        issue(&app, &kiosk_token, "anfa", json!({"service": "residence"})).await;
    }
    // A001 … A011 called before the screen opens; then A012 at Guichet 2:
    // after French and Arabic, the office's clips.
    for _ in 0..11 {
        let ticket = called(&app, &agents[0], "anfa-g1").await;
        finish(&app, &agents[0], &ticket).await;
    }
    let tv = Browser::open(TV).await;
    tv.goto(&format!("{}/display/anfa", app.base)).await;
    live(&tv).await;
    let a012 = called(&app, &agents[1], "anfa-g2").await;
    let find = "window.guichetAnnouncements.find(r => r.number === 'A012')";
    wait_until(&tv, find, Duration::from_secs(30)).await;
    let said = tv.eval(&format!("return {find}")).await;
    assert_eq!(
        said["zgh"],
        json!([
            "zgh-ticket",
            "zgh-letter-a",
            "zgh-digit-1",
            "zgh-digit-2",
            "zgh-counter",
            "zgh-digit-2"
        ]),
        "{said}"
    );
    assert_eq!(said["clips"]["zgh"], true, "{said}");

    // One clip gone: the lobby says calls in French and Arabic only.
    let gone = app
        .call(
            reqwest::Method::DELETE,
            "/api/v1/sites/anfa/voice/digit-7",
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    tv.goto(&format!("{}/display/anfa", app.base)).await;
    live(&tv).await;
    issue(&app, &kiosk_token, "anfa", json!({"service": "residence"})).await;
    finish(&app, &agents[1], &a012).await;
    called(&app, &agents[1], "anfa-g2").await;
    let find = "window.guichetAnnouncements.find(r => r.number === 'A013')";
    wait_until(&tv, find, Duration::from_secs(30)).await;
    let said = tv.eval(&format!("return {find}")).await;
    assert_eq!(said["zgh"], Value::Null, "{said}");
    assert_eq!(said["clips"], json!({"fr": true, "ar": true}), "{said}");
    tv.close().await;
}
