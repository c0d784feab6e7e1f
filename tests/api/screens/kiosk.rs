//! The kiosk and the ticket tracking page: a ticket taken through the
//! kiosk's buttons and its print view, a check-in with an appointment
//! reference, the tracking page following a ticket live, and a kiosk page
//! that is not set up (or a form without its CSRF field) issuing nothing.

use crate::support::browser::{Browser, KIOSK, PHONE};
use crate::support::office::office;
use crate::support::tickets::kiosk;
use guichet::domain::role::Role;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// An office open around the clock, with two walk-in services named in
/// French and Arabic (with their documents), one open counter and its agent.
async fn lobby(app: &TestApp, admin: &str) -> String {
    let hours = guichet_test_support::around_the_clock();
    let site = json!({"id": "anfa", "name": "Annexe Anfa", "name_ar": "ملحقة أنفا",
        "timezone": "Africa/Casablanca", "opening_hours": hours, "verify_phone": false});
    let created = app.post("/api/v1/sites", Some(admin), site).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let services = [
        ("residence", "A", "Certificat de résidence", "شهادة السكنى"),
        (
            "signature",
            "B",
            "Légalisation de signature",
            "تصحيح الإمضاء",
        ),
    ];
    for (id, prefix, name, name_ar) in services {
        let body = json!({"id": id, "prefix": prefix, "name": name, "name_ar": name_ar,
            "walk_in": true, "service_minutes": 5, "processing_days": 2,
            "required_documents": [{"name": "CIN", "name_ar": "البطاقة الوطنية للتعريف"}]});
        let answer = app
            .post("/api/v1/sites/anfa/services", Some(admin), body)
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    let counter =
        json!({"id": "anfa-g1", "label": "Guichet 1", "services": ["residence", "signature"]});
    let answer = app
        .post("/api/v1/sites/anfa/counters", Some(admin), counter)
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let agent = app.add_staff("anfa-agent", Role::Agent, "anfa").await;
    let opened = app
        .post("/api/v1/counters/anfa-g1/open", Some(&agent), json!({}))
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    agent
}

async fn issue(app: &TestApp, kiosk: &str) -> Value {
    let answer = app
        .post(
            "/api/v1/sites/anfa/tickets",
            Some(kiosk),
            json!({"service": "residence"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_kiosk_issues_and_prints_a_ticket() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    lobby(&app, &admin).await;
    let token = kiosk(&app, &admin, "anfa").await;
    issue(&app, &token).await;
    let browser = Browser::open(KIOSK).await;
    browser
        .goto(&format!("{}/kiosk/anfa?device={token}", app.base))
        .await;
    browser
        .goto(&format!("{}/kiosk/anfa?lang=ar", app.base))
        .await;
    let dir = browser.eval("return document.documentElement.dir").await;
    assert_eq!(dir, "rtl");
    let service = browser.text("a[data-service=residence]").await;
    assert!(service.contains("شهادة السكنى"), "{service}");
    assert!(service.contains("Certificat de résidence"), "{service}");
    browser.screenshot("kiosk-ar-kiosk").await;
    browser
        .goto(&format!("{}/kiosk/anfa?lang=fr", app.base))
        .await;
    assert!(browser.text("h1").await.contains("Bienvenue"));
    browser.screenshot("kiosk-fr-kiosk").await;

    browser.click("a[data-service=residence]").await;
    // Who may take a priority ticket, in both of the kiosk's languages.
    let who = browser.text("#priority-who").await;
    assert!(who.contains("enceintes"), "{who}");
    assert!(who.contains("النساء الحوامل"), "{who}");
    // The phone for "your turn is near", typed on the screen's keypad.
    for digit in "612345678".chars() {
        browser
            .click(&format!(".keypad [data-key='{digit}']"))
            .await;
    }
    browser.screenshot("kiosk-service-fr-kiosk").await;
    browser.click("#take-normal").await;
    let number = browser.text("#ticket-number").await;
    let url = browser.eval("return location.pathname").await;
    let id = url.as_str().unwrap_or("").rsplit('/').next().unwrap_or("");
    let ticket = app.get(&format!("/api/v1/tickets/{id}"), None).await;
    assert_eq!(ticket.status, StatusCode::OK, "{}", ticket.body);
    assert_eq!(number, ticket.body["number"].as_str().unwrap());
    assert_eq!(number, "A002");
    // The ticket page's heading is the ticket's number, with its label.
    let heading = browser.text("h1").await;
    assert!(heading.contains("Numéro de ticket"), "{heading}");
    assert!(heading.contains("A002"), "{heading}");
    let with_phone = "tickets WHERE number = 'A002' AND phone = '+212612345678'";
    assert_eq!(app.count(with_phone).await, 1);
    assert!(
        browser
            .text("#ticket-service")
            .await
            .contains("Certificat de résidence")
    );
    assert_eq!(browser.text("#ticket-ahead").await, "1");
    let qr = browser
        .eval("var f = document.querySelector('#ticket figure.ticket-qr'); return [!!f.querySelector('svg path'), f.dataset.url]")
        .await;
    assert_eq!(qr[0], true, "no QR code in the ticket");
    assert_eq!(qr[1], format!("{}/t/{id}", app.base));
    let print = browser
        .eval("var l = document.querySelector('link[media=print]'); return l ? l.href : ''")
        .await;
    assert!(
        print.as_str().unwrap_or("").contains("kiosk-print"),
        "{print}"
    );
    browser.screenshot("kiosk-ticket-fr-kiosk").await;
    // The print stylesheet, applied to the screen, leaves only the ticket,
    // 72 mm wide, black on white.
    let printed = browser
        .eval(
            "document.querySelector('link[media=print]').media = 'all';
             var s = getComputedStyle(document.querySelector('.ticket'));
             return [getComputedStyle(document.querySelector('.kiosk-header')).display,
                     getComputedStyle(document.querySelector('.kiosk-footer')).display,
                     s.color, Math.round(parseFloat(s.width) / 96 * 25.4)]",
        )
        .await;
    assert_eq!(printed, json!(["none", "none", "rgb(0, 0, 0)", 72]));
    browser.screenshot("kiosk-print-fr-kiosk").await;
    // Once printed, the kiosk is ready for the next citizen by itself.
    browser
        .wait_for_text("h1", "Bienvenue", Duration::from_secs(20))
        .await;
    browser.click("#go-documents").await;
    let documents = browser.text("#documents-signature").await;
    assert!(documents.contains("CIN"), "{documents}");
    browser.screenshot("kiosk-documents-fr-kiosk").await;
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn an_appointment_checks_in_at_the_kiosk() {
    let _turn = crate::support::browser::turn().await;
    let office = office(
        Backend::Sqlite,
        "2026-11-23T07:00:00Z",
        "Africa/Casablanca",
        2,
        false,
    )
    .await;
    let booked = office
        .book("2026-11-23T10:00:00+00:00", "+212600000001")
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let reference = booked.body["reference"].as_str().unwrap().to_owned();
    let token = kiosk(&office.app, &office.admin, &office.site).await;
    let browser = Browser::open(KIOSK).await;
    let home = format!("{}/kiosk/{}", office.app.base, office.site);
    browser.goto(&format!("{home}?device={token}")).await;
    browser.goto(&format!("{home}?lang=ar")).await;
    office.set_time("2026-11-23T09:30:00Z");
    browser.click("#go-checkin").await;
    browser.fill("#reference", &reference.to_lowercase()).await;
    browser.click("#checkin-submit").await;
    let refused = browser.text(".kiosk-error").await;
    assert!(refused.contains("Trop tôt"), "{refused}");
    assert!(refused.contains("الوقت مبكر"), "{refused}");
    browser.screenshot("kiosk-checkin-ar-kiosk").await;
    office.set_time("2026-11-23T09:50:00Z");
    browser.fill("#reference", &reference).await;
    browser.click("#checkin-submit").await;
    assert_eq!(browser.text("#ticket-number").await, "P001");
    let seen = office
        .app
        .get(
            &format!("/api/v1/appointments/{reference}"),
            Some(&office.agent),
        )
        .await;
    assert_eq!(seen.body["status"], "checked_in");
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_tracking_page_follows_the_ticket_to_its_counter() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let agent = lobby(&app, &admin).await;
    let token = kiosk(&app, &admin, "anfa").await;
    issue(&app, &token).await;
    let ticket = issue(&app, &token).await;
    let link = format!("{}/t/{}", app.base, ticket["id"].as_str().unwrap());
    let browser = Browser::open(PHONE).await;
    browser.goto(&format!("{link}?lang=ar")).await;
    assert_eq!(browser.text("#track-number").await, "A002");
    assert!(
        browser
            .text("#track-service")
            .await
            .contains("شهادة السكنى")
    );
    browser.screenshot("tracking-ar-phone").await;
    browser.goto(&format!("{link}?lang=en")).await;
    assert!(browser.text("#track-facts").await.contains("People ahead"));
    browser.goto(&format!("{link}?lang=fr")).await;
    assert_eq!(browser.text("#track-ahead").await, "1");
    browser.screenshot("tracking-fr-phone").await;
    let page = browser.eval("return document.body.innerHTML").await;
    assert!(!page.as_str().unwrap_or("").contains("+212"));

    let called = app
        .post(
            "/api/v1/counters/anfa-g1/call",
            Some(&agent),
            json!({"ticket": ticket["id"]}),
        )
        .await;
    assert_eq!(called.status, StatusCode::OK, "{}", called.body);
    browser
        .wait_for_text("#track-counter", "Guichet 1", Duration::from_secs(3))
        .await;
    assert!(browser.text("#track-call").await.contains("présenter"));
    browser.screenshot("tracking-called-fr-phone").await;
    let unknown = app.http.get(format!("{}/t/nope", app.base)).send().await;
    assert_eq!(unknown.unwrap().status(), StatusCode::NOT_FOUND);
    browser.close().await;
}

/// A page request from a browser holding `session` and a CSRF cookie.
fn with_cookies(
    request: reqwest::RequestBuilder,
    session: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut cookie = format!("guichet_csrf={CSRF}");
    if let Some(token) = session {
        cookie.push_str(&format!("; guichet_session={token}"));
    }
    request.header("Cookie", cookie)
}

const CSRF: &str = "0123456789abcdef0123456789abcdef";

#[tokio::test]
async fn a_kiosk_not_set_up_or_a_forged_form_issues_nothing() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    lobby(&app, &admin).await;
    let token = kiosk(&app, &admin, "anfa").await;
    let post = |session: Option<&str>, body: &str| {
        with_cookies(
            app.http.post(format!("{}/kiosk/anfa/tickets", app.base)),
            session,
        )
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
    };
    let page = app
        .http
        .get(format!("{}/kiosk/anfa", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(page.text().await.unwrap().contains("Borne non configurée"));
    let full = format!("csrf={CSRF}&service=residence&priority=normal");
    let anonymous = post(None, &full).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::FORBIDDEN);
    let forged = post(Some(&token), "service=residence&priority=normal")
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("tickets").await, 0);
    // The same form with its CSRF field does issue: the refusals above are not by chance.
    let sent = post(Some(&token), &full).await.unwrap();
    assert_eq!(sent.status(), StatusCode::OK);
    assert!(sent.url().path().starts_with("/kiosk/anfa/tickets/"));
    assert_eq!(app.count("tickets").await, 1);
}

#[tokio::test]
async fn the_kiosk_shows_a_request_status_without_personal_data() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let agent = lobby(&app, &admin).await;
    let token = kiosk(&app, &admin, "anfa").await;
    let filed = app
        .post(
            "/api/v1/sites/anfa/requests",
            Some(&agent),
            json!({"service": "residence", "name": "Amina Alaoui", "phone": "+212600000009"}),
        )
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let reference = filed.body["reference"].as_str().unwrap();
    let look = |session: String, site: &str| {
        let url = format!("{}/kiosk/{site}/requests?reference={reference}", app.base);
        with_cookies(app.http.get(url), Some(&session)).send()
    };
    let shown = look(token.clone(), "anfa").await.unwrap();
    assert_eq!(shown.status(), StatusCode::OK);
    let html = shown.text().await.unwrap();
    assert!(html.contains("Demande reçue"), "{html}");
    assert!(!html.contains("Amina") && !html.contains("600000009"));
    // A kiosk of another office learns nothing of it.
    let other = json!({"id": "maarif", "name": "Annexe Maarif", "timezone": "Africa/Casablanca",
        "opening_hours": {"mon": [["08:30", "16:30"]]}});
    assert_eq!(
        app.post("/api/v1/sites", Some(&admin), other).await.status,
        StatusCode::CREATED
    );
    let elsewhere = kiosk(&app, &admin, "maarif").await;
    let hidden = look(elsewhere, "maarif").await.unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    assert!(!hidden.text().await.unwrap().contains("Demande reçue"));
}

/// A device token in a link sets up the device's own page only: elsewhere
/// it must not replace a person's session with the device's.
#[tokio::test]
async fn a_device_link_sets_up_only_its_own_page() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    lobby(&app, &admin).await;
    let token = kiosk(&app, &admin, "anfa").await;
    let browser_like = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let open = |path: String| browser_like.get(format!("{}{path}", app.base)).send();
    let session_set = |answer: &reqwest::Response| {
        answer
            .headers()
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().unwrap_or("").starts_with("guichet_session="))
    };
    for elsewhere in [
        format!("/agent?device={token}"),
        format!("/me?device={token}"),
        format!("/kiosk/another-site?device={token}"),
        format!("/counter-display/anfa-g1?device={token}"),
    ] {
        let answer = open(elsewhere.clone()).await.expect("answers");
        assert!(!session_set(&answer), "{elsewhere} took the device token");
    }
    let own = open(format!("/kiosk/anfa?device={token}"))
        .await
        .expect("answers");
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    assert_eq!(own.headers()["location"], "/kiosk/anfa");
    assert!(session_set(&own), "the kiosk's own page keeps its token");
}
