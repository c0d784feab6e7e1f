//! The agent console in a real browser: logging in, calling and serving
//! tickets with clicks and keys, the live waiting list, and the document
//! requests.

use crate::support::browser::{Browser, DESKTOP};
use crate::support::sites::open_site;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use guichet_test_support::wait::throughout;
use guichet_test_support::{STAFF_PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const SOON: Duration = Duration::from_secs(5);

/// A site open all day with two counters (`anfa-g1` for `anfa-agent1`,
/// `anfa-g2`), its services named in both languages; returns a kiosk's
/// token and the first agent's.
pub(super) async fn office(app: &TestApp) -> (String, String) {
    let admin = app.admin().await;
    let agents = open_site(app, &admin, "anfa", "Africa/Casablanca", 2).await;
    for (id, name, name_ar) in [
        ("residence", "Certificat de résidence", "شهادة السكنى"),
        ("signature", "Légalisation de signature", "تصحيح الإمضاء"),
    ] {
        let path = format!("/api/v1/sites/anfa/services/{id}");
        let answer = app
            .patch(
                &path,
                Some(&admin),
                json!({"name": name, "name_ar": name_ar}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    }
    let kiosk = app
        .post(
            "/api/v1/sites/anfa/devices",
            Some(&admin),
            json!({"kind": "kiosk", "label": "Borne 1"}),
        )
        .await;
    assert_eq!(kiosk.status, StatusCode::CREATED, "{}", kiosk.body);
    let kiosk = kiosk.body["token"].as_str().expect("token").to_owned();
    (kiosk, agents[0].clone())
}

/// Takes a ticket at the kiosk; returns its number.
async fn take(app: &TestApp, kiosk: &str, service: &str, priority: &str) -> String {
    let answer = app
        .post(
            "/api/v1/sites/anfa/tickets",
            Some(kiosk),
            json!({"service": service, "priority": priority}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body["number"].as_str().expect("number").to_owned()
}

/// Logs in through the form as `anfa-agent1`.
pub(super) async fn log_in(browser: &Browser, app: &TestApp) {
    browser.goto(&format!("{}/agent/login", app.base)).await;
    browser.fill("#username", "anfa-agent1").await;
    browser.fill("#password", STAFF_PASSWORD).await;
    browser.click("#login").await;
    browser
        .wait_for_text("h1", "Choisir un guichet", SOON)
        .await;
}

/// Presses a key on the page, as an agent does without a field in focus.
async fn press(browser: &Browser, key: char) {
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    browser
        .client
        .perform_actions(keys)
        .await
        .expect("key pressed");
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn an_agent_logs_in_and_serves_tickets_with_clicks_and_keys() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (kiosk, _) = office(&app).await;
    let first = take(&app, &kiosk, "residence", "normal").await;
    let browser = Browser::open(DESKTOP).await;

    // Without a session the console sends to the login page.
    browser
        .goto(&format!("{}/agent/counters/anfa-g1", app.base))
        .await;
    assert_eq!(browser.text("h1").await, "Connexion des agents");
    browser.fill("#username", "anfa-agent1").await;
    browser.fill("#password", "not-the-password").await;
    browser.click("#login").await;
    browser
        .wait_for_text("#login-error", "mot de passe incorrect", SOON)
        .await;
    let kept = browser
        .eval("return document.getElementById('username').value")
        .await;
    assert_eq!(kept, "anfa-agent1", "the username stays in the form");
    browser.fill("#password", STAFF_PASSWORD).await;
    browser.click("#login").await;
    browser
        .wait_for_text("#counter-anfa-g1", "Ouvert", SOON)
        .await;
    browser
        .click("#counter-anfa-g1 a[href='/agent/counters/anfa-g1']")
        .await;

    browser.wait_for_text("#waiting", &first, SOON).await;
    browser.click("button[data-act='call-next']").await;
    browser.wait_for_text("#current-number", &first, SOON).await;
    browser
        .wait_for_text("#current-status", "Appelé", SOON)
        .await;
    browser
        .wait_for_text("#message", &format!("Ticket {first} appelé"), SOON)
        .await;

    press(&browser, 'r').await;
    browser
        .wait_for_text("#current-recalls", "rappels : 1", SOON)
        .await;
    press(&browser, 's').await;
    browser
        .wait_for_text("#current-status", "En service", SOON)
        .await;
    press(&browser, 'f').await;
    browser
        .wait_for_text("#current-none", "Aucun ticket en cours", SOON)
        .await;
    // Nobody waits now: calling says so in place.
    press(&browser, 'n').await;
    browser
        .wait_for_text("#message", "Personne n'attend", SOON)
        .await;

    // A ticket taken at the kiosk shows up without a reload.
    let marker = browser.eval("window.notReloaded = true; return 1").await;
    assert_eq!(marker, 1);
    let second = take(&app, &kiosk, "signature", "normal").await;
    let took = browser
        .wait_for_text("#waiting", &second, Duration::from_secs(3))
        .await;
    assert!(took < Duration::from_secs(3));
    assert_eq!(browser.eval("return window.notReloaded").await, true);

    // A no-show needs a recall first: the key says why in place.
    browser.click("button[data-act='call-next']").await;
    browser
        .wait_for_text("#current-number", &second, SOON)
        .await;
    // Keys typed in a field are the field's: focused on the transfer
    // list, F finishes nothing.
    browser
        .eval("document.getElementById('transfer-service').focus(); return 1")
        .await;
    press(&browser, 'f').await;
    throughout(
        Duration::from_millis(700),
        "F in a field finishes nothing",
        async || browser.text("#current-status").await == "Appelé",
    )
    .await;
    browser
        .eval("document.activeElement.blur(); return 1")
        .await;
    press(&browser, 'x').await;
    browser
        .wait_for_text("#message", "après encore 1 rappel.", SOON)
        .await;
    browser
        .wait_for_text("#current-status", "Appelé", SOON)
        .await;

    for (service, priority) in [
        ("residence", "normal"),
        ("residence", "priority"),
        ("signature", "normal"),
    ] {
        take(&app, &kiosk, service, priority).await;
    }
    browser.wait_for_text("#waiting-count", "3", SOON).await;
    browser.screenshot("agent-fr-desktop").await;

    browser
        .goto(&format!("{}/agent/counters/anfa-g1?lang=ar", app.base))
        .await;
    assert_eq!(
        browser.eval("return document.documentElement.dir").await,
        "rtl"
    );
    browser
        .wait_for_text("#current-status", "تمت المناداة", SOON)
        .await;
    browser.screenshot("agent-ar-desktop").await;
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn calling_a_chosen_ticket_calls_that_one() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (kiosk, agent) = office(&app).await;
    let head = take(&app, &kiosk, "residence", "normal").await;
    take(&app, &kiosk, "residence", "normal").await;
    let chosen = take(&app, &kiosk, "signature", "normal").await;
    let browser = Browser::open(DESKTOP).await;
    log_in(&browser, &app).await;
    browser
        .wait_for_text("#counter-anfa-g1", "anfa-agent1", SOON)
        .await;
    browser.screenshot("agent-counters-fr-desktop").await;
    browser
        .goto(&format!("{}/agent/counters/anfa-g1", app.base))
        .await;
    browser
        .click(&format!("#t-{chosen} button[data-act='call']"))
        .await;
    browser
        .wait_for_text("#current-number", &chosen, SOON)
        .await;
    // The head of the queue still waits, first in line.
    browser.wait_for_text("#waiting", &head, SOON).await;
    let queue = app.get("/api/v1/sites/anfa/queue", Some(&agent)).await;
    let current = &queue.body["counters"][0]["current"]["number"];
    assert_eq!(current, chosen.as_str(), "{}", queue.body);
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_document_request_moves_between_statuses() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (_, agent) = office(&app).await;
    let filed = app
        .post(
            "/api/v1/sites/anfa/requests",
            Some(&agent),
            json!({"service": "residence", "name": "Fatima Zahra Bennani", "phone": "+212612345678"}),
        )
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let reference = filed.body["reference"].as_str().expect("reference");
    let browser = Browser::open(DESKTOP).await;
    log_in(&browser, &app).await;
    browser.goto(&format!("{}/agent/requests", app.base)).await;
    let row = format!("#req-{reference} .status");
    browser.wait_for_text(&row, "Déposée", SOON).await;
    browser
        .click(&format!("#req-{reference} button[value='ready']"))
        .await;
    browser.wait_for_text(&row, "Prête à retirer", SOON).await;
    browser.wait_for_text("#filter-ready", "(1)", SOON).await;
    browser
        .wait_for_text("#filter-submitted", "(0)", SOON)
        .await;
    let seen = app
        .get(&format!("/api/v1/requests/{reference}"), Some(&agent))
        .await;
    assert_eq!(seen.body["status"], "ready", "{}", seen.body);
    browser.screenshot("agent-requests-fr-desktop").await;
    browser
        .goto(&format!("{}/agent/requests?lang=ar", app.base))
        .await;
    browser.wait_for_text(&row, "جاهزة للسحب", SOON).await;
    browser.screenshot("agent-requests-ar-desktop").await;

    // Logging out ends the session: the pages ask for a login again.
    browser.click(".logout button").await;
    browser.wait_for_text("h1", "دخول الموظفين", SOON).await;
    browser.goto(&format!("{}/agent/requests", app.base)).await;
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(url.path(), "/agent/login");
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_console_needs_a_login_and_forms_need_their_csrf_field() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (_, agent) = office(&app).await;
    let browser = Browser::open(DESKTOP).await;
    browser
        .goto(&format!("{}/agent/counters/x", app.base))
        .await;
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(url.path(), "/agent/login");
    assert_eq!(browser.text("h1").await, "Connexion des agents");
    browser.close().await;

    let filed = app
        .post(
            "/api/v1/sites/anfa/requests",
            Some(&agent),
            json!({"service": "residence", "name": "Karim Alaoui", "phone": "+212612345679"}),
        )
        .await;
    let reference = filed.body["reference"].as_str().expect("reference");
    let csrf = "c".repeat(40);
    let cookies = format!("guichet_session={agent}; guichet_csrf={csrf}");
    let forged = app
        .http
        .post(format!("{}/agent/requests/{reference}/status", app.base))
        .header("Cookie", &cookies)
        .form(&[("status", "ready"), ("site", "anfa")])
        .send()
        .await
        .expect("sent");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let seen = app
        .get(&format!("/api/v1/requests/{reference}"), Some(&agent))
        .await;
    assert_eq!(seen.body["status"], "submitted", "{}", seen.body);

    let login = app
        .http
        .post(format!("{}/agent/login", app.base))
        .header("Cookie", format!("guichet_csrf={csrf}"))
        .form(&[("username", "anfa-agent1"), ("password", STAFF_PASSWORD)])
        .send()
        .await
        .expect("sent");
    assert_eq!(login.status(), StatusCode::FORBIDDEN);
    assert!(
        login
            .headers()
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap_or("").starts_with("guichet_session")),
        "no session without the CSRF field"
    );
}
