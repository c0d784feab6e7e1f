//! The lobby display and the counter display in a real browser: calls show
//! within a second on French and Arabic screens, each call is announced
//! once (a recall again) without announcements overlapping, an old call is
//! not announced, the screen comes back after a restart with the calls made
//! meanwhile, and a counter's screen shows only its own calls.

use crate::support::browser::{Browser, TV};
use crate::support::sites::open_site;
use crate::support::tickets::{call_next, finish, issue, kiosk};
use guichet_test_support::TestApp;
use guichet_test_support::wait::{eventually, throughout};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

/// An office with two open counters, real service names in both languages
/// and two announcements. Returns the agents of `anfa-g1` and `anfa-g2`
/// and a kiosk token.
pub(super) async fn office(app: &TestApp) -> (Vec<String>, String) {
    let admin = app.admin().await;
    let agents = open_site(app, &admin, "anfa", "Africa/Casablanca", 2).await;
    let site = json!({"name": "Annexe administrative Anfa", "name_ar": "الملحقة الإدارية أنفا"});
    let answer = app.patch("/api/v1/sites/anfa", Some(&admin), site).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    for (id, name, name_ar) in [
        ("residence", "Certificat de résidence", "شهادة السكنى"),
        ("signature", "Légalisation de signature", "تصحيح الإمضاء"),
    ] {
        let body = json!({"name": name, "name_ar": name_ar});
        let path = format!("/api/v1/sites/anfa/services/{id}");
        let answer = app.patch(&path, Some(&admin), body).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    let news = json!({"announcements": [
        {"text_fr": "Certificat de résidence : apportez votre CIN et une facture d'eau ou d'électricité récente.",
         "text_ar": "شهادة السكنى: المرجو إحضار البطاقة الوطنية للتعريف وفاتورة ماء أو كهرباء حديثة."},
        {"text_fr": "L'annexe sera fermée le vendredi 25 décembre.",
         "text_ar": "ستغلق الملحقة يوم الجمعة 25 دجنبر."},
    ]});
    let answer = app
        .call(
            Method::PUT,
            "/api/v1/sites/anfa/announcements",
            Some(&admin),
            Some(news),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let kiosk = kiosk(app, &admin, "anfa").await;
    (agents, kiosk)
}

pub(super) async fn called(app: &TestApp, agent: &str, counter: &str) -> Value {
    let (status, ticket) = call_next(app, agent, counter).await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    ticket
}

/// Waits until `script` (an expression) is true in the page.
pub(super) async fn wait_until(browser: &Browser, script: &str, within: Duration) {
    eventually(within, script, async || {
        browser.eval(&format!("return !!({script})")).await == json!(true)
    })
    .await;
}

pub(super) async fn live(browser: &Browser) {
    wait_until(
        browser,
        "document.body.getAttribute('data-live') === 'live'",
        Duration::from_secs(10),
    )
    .await;
}

pub(super) async fn announced(browser: &Browser) -> Vec<Value> {
    let list = browser.eval("return window.guichetAnnouncements").await;
    list.as_array().cloned().unwrap_or_default()
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_call_shows_on_french_and_arabic_screens_within_a_second() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (agents, kiosk) = office(&app).await;
    for service in [
        "residence",
        "residence",
        "signature",
        "residence",
        "signature",
    ] {
        issue(&app, &kiosk, "anfa", json!({"service": service})).await;
    }
    let first = called(&app, &agents[1], "anfa-g2").await;
    finish(&app, &agents[1], &first).await;
    let fr = Browser::open(TV).await;
    let ar = Browser::open(TV).await;
    fr.goto(&format!("{}/display/anfa?lang=fr", app.base)).await;
    ar.goto(&format!("{}/display/anfa?lang=ar", app.base)).await;
    // Served complete: the earlier call, the services and the news are
    // there before any script runs.
    assert!(fr.text("#recent").await.is_empty() && fr.text("#now-number").await == "A001");
    assert!(
        fr.text("#services")
            .await
            .contains("Certificat de résidence")
    );
    assert!(ar.text("#services").await.contains("شهادة السكنى"));
    assert!(ar.text("#news").await.contains("البطاقة الوطنية"));
    assert_eq!(ar.eval("return document.documentElement.dir").await, "rtl");
    live(&fr).await;
    live(&ar).await;

    let ticket = called(&app, &agents[0], "anfa-g1").await;
    let number = ticket["number"].as_str().expect("number").to_owned();
    assert_eq!(number, "A002");
    // Both screens are watched at once from the moment the call returned.
    let within = Duration::from_secs(1);
    let (on_fr, on_ar) = tokio::join!(
        fr.wait_for_text("#now-number", &number, within),
        ar.wait_for_text("#now-number", &number, within),
    );
    assert!(on_fr < within && on_ar < within, "{on_fr:?} {on_ar:?}");
    // The counter is drawn with the number.
    assert_eq!(fr.text("#now-counter").await, "Guichet 1");
    assert_eq!(ar.text("#now-counter").await, "الشباك رقم 1");
    // The previous call moved to the list; the waiting count went down.
    fr.wait_for_text("#recent", "A001", within).await;
    assert!(fr.text("#recent").await.contains("Guichet 2"));
    ar.wait_for_text("#recent", "الشباك رقم 2", within).await;
    let residence = "#services tr[data-service='residence'] .waiting-count";
    fr.wait_for_text(residence, "1", within).await;
    // A new call flashes.
    assert_eq!(
        fr.eval("return document.getElementById('now').classList.contains('flash')")
            .await,
        true
    );
    assert!(
        fr.text("#now").await.contains("الشباك رقم 1"),
        "French screen shows Arabic too"
    );

    wait_until(
        &fr,
        "!document.getElementById('now').classList.contains('flash')",
        Duration::from_secs(8),
    )
    .await;
    fr.screenshot("lobby-fr-tv").await;
    ar.screenshot("lobby-ar-tv").await;
    let no_overflow = "return document.documentElement.scrollWidth <= innerWidth && \
        [...document.querySelectorAll('.lobby-grid > section')].every(s => s.scrollHeight <= s.clientHeight + 1)";
    assert_eq!(fr.eval(no_overflow).await, true, "French screen overflows");
    assert_eq!(ar.eval(no_overflow).await, true, "Arabic screen overflows");
    fr.close().await;
    ar.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_recall_is_announced_again_and_announcements_wait_their_turn() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (agents, kiosk) = office(&app).await;
    for _ in 0..2 {
        issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    }
    let tv = Browser::open(TV).await;
    let page = format!("{}/display/anfa", app.base);
    tv.goto(&page).await;
    live(&tv).await;

    let ticket = called(&app, &agents[0], "anfa-g1").await;
    let id = ticket["id"].as_str().expect("id");
    let recall = app
        .post(
            &format!("/api/v1/tickets/{id}/recall"),
            Some(&agents[0]),
            json!({}),
        )
        .await;
    assert_eq!(recall.status, StatusCode::OK, "{}", recall.body);
    called(&app, &agents[1], "anfa-g2").await;

    wait_until(
        &tv,
        "window.guichetAnnouncements.length === 3 && window.guichetAnnouncements[2].end",
        Duration::from_secs(60),
    )
    .await;
    let all = announced(&tv).await;
    let numbers: Vec<&str> = all
        .iter()
        .map(|a| a["number"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(numbers, ["A001", "A001", "A002"]);
    assert!(
        all[0]["text"].as_str().unwrap_or("").contains("Guichet 1"),
        "{all:?}"
    );
    for pair in all.windows(2) {
        let (end, next) = (pair[0]["end"].as_f64(), pair[1]["start"].as_f64());
        assert!(
            matches!((end, next), (Some(end), Some(next)) if next >= end),
            "announcements overlap: {all:?}"
        );
    }
    // Calls already announced are not announced again after a reload.
    tv.goto(&page).await;
    live(&tv).await;
    throughout(
        Duration::from_millis(1500),
        "not announced again",
        async || announced(&tv).await.is_empty(),
    )
    .await;
    assert_eq!(tv.text("#now-number").await, "A002");
    tv.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn an_old_call_is_shown_but_neither_flashed_nor_announced() {
    let _turn = crate::support::browser::turn().await;
    let (app, time) = TestApp::builder().spawn_at("2026-05-04T09:00:00Z").await;
    let (agents, kiosk) = office(&app).await;
    issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    called(&app, &agents[0], "anfa-g1").await;
    time.set("2026-05-04T09:02:00Z".parse().expect("a timestamp"));

    let tv = Browser::open(TV).await;
    tv.goto(&format!("{}/display/anfa", app.base)).await;
    live(&tv).await;
    throughout(
        Duration::from_millis(1500),
        "an old call not announced",
        async || announced(&tv).await.is_empty(),
    )
    .await;
    assert_eq!(tv.text("#now-number").await, "A001");
    assert_eq!(announced(&tv).await, Vec::<Value>::new());
    assert_eq!(
        tv.eval("return document.getElementById('now').classList.contains('flash')")
            .await,
        false
    );
    // The site's clock, in its own time: 09:02 UTC is 10:02 in Casablanca.
    assert_eq!(tv.text("#clock").await, "10:02");
    tv.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_lobby_comes_back_after_a_restart_with_the_calls_made_meanwhile() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (agents, kiosk) = office(&app).await;
    for _ in 0..3 {
        issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    }
    let tv = Browser::open(TV).await;
    tv.goto(&format!("{}/display/anfa", app.base)).await;
    live(&tv).await;
    let a001 = called(&app, &agents[0], "anfa-g1").await;
    tv.wait_for_text("#now-number", "A001", Duration::from_secs(1))
        .await;

    app.stop();
    wait_until(
        &tv,
        "!document.getElementById('live-status').hidden",
        Duration::from_secs(10),
    )
    .await;
    let other = TestApp::builder().join(&app.database_url).spawn().await;
    called(&other, &agents[1], "anfa-g2").await;
    finish(&other, &agents[0], &a001).await;
    let third = called(&other, &agents[0], "anfa-g1").await;
    assert_eq!(third["number"], "A003");
    assert!(
        !tv.eval("return document.getElementById('live-status').hidden")
            .await
            .as_bool()
            .unwrap_or(true)
    );

    let _back = started_again(&app).await;
    tv.wait_for_text("#now-number", "A003", Duration::from_secs(20))
        .await;
    tv.wait_for_text("#recent", "A002", Duration::from_secs(1))
        .await;
    wait_until(
        &tv,
        "document.getElementById('live-status').hidden",
        Duration::from_secs(2),
    )
    .await;
    tv.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_counter_display_shows_its_own_calls_only() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (agents, kiosk) = office(&app).await;
    for _ in 0..3 {
        issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    }
    let admin = app.admin().await;
    let device = app
        .post(
            "/api/v1/sites/anfa/devices",
            Some(&admin),
            json!({"kind": "display", "label": "TV guichet 1"}),
        )
        .await;
    assert_eq!(device.status, StatusCode::CREATED, "{}", device.body);
    let token = device.body["token"].as_str().expect("token");

    let tv = Browser::open(TV).await;
    let page = format!("{}/counter-display/anfa-g1", app.base);
    tv.goto(&page).await;
    assert!(tv.text("#setup h1").await.contains("pas encore configuré"));
    tv.goto(&format!("{page}?device={token}")).await;
    assert_eq!(tv.eval("return location.search").await, "");
    live(&tv).await;
    assert!(
        tv.text("#now-empty")
            .await
            .contains("En attente du prochain appel")
    );

    called(&app, &agents[1], "anfa-g2").await;
    throughout(
        Duration::from_millis(800),
        "another counter's call not shown",
        async || {
            tv.eval("return document.getElementById('now-call').hidden")
                .await
                == true
        },
    )
    .await;
    assert_eq!(
        tv.eval("return document.getElementById('now-call').hidden")
            .await,
        true
    );
    let ticket = called(&app, &agents[0], "anfa-g1").await;
    assert_eq!(ticket["number"], "A002");
    tv.wait_for_text("#now-number", "A002", Duration::from_secs(1))
        .await;
    assert!(tv.text("#now").await.contains("Guichet 1"));
    assert_eq!(
        tv.eval("return document.getElementById('now').classList.contains('flash')")
            .await,
        true
    );
    wait_until(
        &tv,
        "!document.getElementById('now').classList.contains('flash')",
        Duration::from_secs(8),
    )
    .await;
    tv.screenshot("counter-display-fr-tv").await;

    tv.goto(&format!("{page}?lang=ar")).await;
    live(&tv).await;
    assert_eq!(tv.text("#now-number").await, "A002");
    assert!(tv.text("#now").await.contains("الشباك رقم 1"));
    tv.screenshot("counter-display-ar-tv").await;
    tv.close().await;
}

/// The service started again at the address of `app` (stopped), on its
/// database, once the address is free: a restart as screens see it.
pub(super) async fn started_again(app: &TestApp) -> TestApp {
    let addr = app.base.trim_start_matches("http://").to_owned();
    eventually(
        Duration::from_secs(10),
        &format!("{addr} free"),
        async || std::net::TcpListener::bind(&addr).is_ok(),
    )
    .await;
    let back = TestApp::builder()
        .join(&app.database_url)
        .config(|c| c.addr = addr)
        .spawn()
        .await;
    assert_eq!(back.base, app.base);
    back
}
