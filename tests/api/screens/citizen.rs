//! Browser tests of the citizen's own pages on a phone: a document
//! request and a complaint filed with the SMS code and followed, the
//! feedback after a visit, the waitlist, and forms without their CSRF field.

use crate::support::browser::{Browser, PHONE};
use crate::support::office::{Office, SERVICE, office};
use crate::support::tickets::{call_next, finish, issue, kiosk};
use guichet::domain::role::Role;
use guichet_test_support::Backend;
use guichet_test_support::until_some;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

/// Thursday 26 November 2026, 09:00 in Casablanca (UTC+0): the office is open.
const THURSDAY_9: &str = "2026-11-26T09:00:00Z";
const WAIT: Duration = Duration::from_secs(5);

/// The booking office (`passport`, by appointment and walk-in; phones
/// verified) with a certificate delivered in 3 working days, `residence`.
async fn citizen_office() -> Office {
    let office = office(Backend::Sqlite, THURSDAY_9, "Africa/Casablanca", 2, true).await;
    let service = json!({"id": "residence", "prefix": "A", "name": "Certificat de résidence",
        "name_ar": "شهادة السكنى", "walk_in": true, "processing_days": 3,
        "required_documents": [
            {"name": "CIN (carte nationale d'identité)", "name_ar": "البطاقة الوطنية للتعريف"},
            {"name": "Justificatif d'adresse", "name_ar": "ما يثبت العنوان"}]});
    let path = format!("/api/v1/sites/{}/services", office.site);
    let created = office.app.post(&path, Some(&office.admin), service).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    office
}

/// The latest code sent to `phone`, read from the outbox.
async fn code_sent_to(office: &Office, phone: &str) -> String {
    let messages = office.messages(phone).await;
    let (_, text) = messages
        .iter()
        .find(|(template, _)| template == "otp")
        .unwrap_or_else(|| panic!("no code sent to {phone}: {messages:?}"));
    text.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {text:?}"))
        .to_owned()
}

/// Sends the form's first step, then types the code the SMS brought.
async fn confirm_with_code(browser: &Browser, office: &Office, phone: &str) {
    browser.click("button[value=send]").await;
    browser.wait_for_text(".notice", phone, WAIT).await;
    let code = code_sent_to(office, phone).await;
    browser.fill("#otp", &code).await;
    browser.click("button[value=submit]").await;
}

fn url(office: &Office, path: &str) -> String {
    format!("{}{path}", office.app.base)
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_citizen_requests_a_certificate_and_follows_it() {
    let _turn = crate::support::browser::turn().await;
    let office = citizen_office().await;
    let phone = "+212612000001";
    let browser = Browser::open(PHONE).await;

    browser.goto(&url(&office, "/requests?lang=fr")).await;
    browser
        .wait_for_text("main", "Certificat de résidence", WAIT)
        .await;
    let listed = browser.text("main").await;
    assert!(listed.contains("3 jours ouvrables"), "{listed}");
    assert!(
        !listed.contains("Passeport"),
        "no delay, no request: {listed}"
    );
    browser.screenshot("portal-request-list-fr-phone").await;
    browser
        .click("a[href='/requests/new/rabat-agdal/residence']")
        .await;
    let about = browser.text(".about").await;
    assert!(about.contains("Justificatif d'adresse"), "{about}");

    // A wrong code is refused in place, the fields kept, nothing written.
    browser.fill("#name", "Amina Alaoui").await;
    browser.fill("#phone", phone).await;
    browser.click("button[value=send]").await;
    browser.wait_for_text(".notice", phone, WAIT).await;
    let code = code_sent_to(&office, phone).await;
    let wrong = if code == "123456" { "654321" } else { "123456" };
    browser.fill("#otp", wrong).await;
    browser.click("button[value=submit]").await;
    browser
        .wait_for_text(".error", "Code incorrect", WAIT)
        .await;
    assert!(browser.text(".summary").await.contains("Amina Alaoui"));
    assert_eq!(office.app.count("document_requests").await, 0);
    browser.screenshot("portal-request-code-fr-phone").await;
    browser.fill("#otp", &code).await;
    browser.click("button[value=submit]").await;

    let reference = browser.text(".reference").await;
    assert!(reference.starts_with("DR-"), "{reference}");
    let read = office
        .app
        .get(
            &format!("/api/v1/requests/{reference}"),
            Some(&office.agent),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(
        read.body["expected_ready_on"], "2026-11-30",
        "{}",
        read.body
    );
    let expected = browser.text(".expected").await;
    assert_eq!(expected, "lundi 30 novembre 2026");
    assert!(browser.text(".notice").await.contains("SMS"));
    browser.screenshot("portal-request-fr-phone").await;

    browser.click(".follow-link").await;
    browser.wait_for_text("#status", "Déposée", WAIT).await;
    let follow = browser
        .eval("return location.pathname + location.search")
        .await;
    let follow = follow.as_str().expect("an address").to_owned();
    assert!(follow.contains("?token="), "{follow}");

    let path = format!("/api/v1/requests/{reference}/status");
    let ready = office
        .app
        .post(&path, Some(&office.agent), json!({"status": "ready"}))
        .await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    browser.goto(&url(&office, &follow)).await;
    browser
        .wait_for_text("#status", "Prête à retirer", WAIT)
        .await;
    assert!(browser.text(".collect").await.contains("Annexe Agdal"));
    assert!(
        browser
            .text(".history")
            .await
            .contains("26 novembre 2026, 09:00")
    );

    // The language switch keeps the private link working.
    browser.click(".lang-switch a[hreflang=ar]").await;
    browser.wait_for_text("#status", "جاهزة للسحب", WAIT).await;
    assert_eq!(browser.eval("return document.dir").await, "rtl");
    assert!(browser.text(".collect").await.contains("ملحقة أكدال"));
    browser.screenshot("portal-request-ar-phone").await;

    // A wrong token is a 404 page, in the visitor's language.
    let wrong = format!("/requests/{reference}?token=not-the-token");
    let page = office.app.http.get(url(&office, &wrong)).send().await;
    assert_eq!(page.expect("answer").status(), StatusCode::NOT_FOUND);
    browser.goto(&url(&office, &wrong)).await;
    browser.wait_for_text("h1", "الصفحة غير موجودة", WAIT).await;

    browser
        .goto(&url(&office, "/requests/new/rabat-agdal/residence?lang=en"))
        .await;
    browser.wait_for_text("h1", "Document request", WAIT).await;
    assert!(browser.text(".about").await.contains("3 working days"));
    browser.screenshot("portal-request-en-phone").await;
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_citizen_files_a_complaint_and_reads_the_answer() {
    let _turn = crate::support::browser::turn().await;
    let office = citizen_office().await;
    let phone = "+212612000002";
    let supervisor = office
        .app
        .add_staff("agdal-chef", Role::Supervisor, &office.site)
        .await;
    let browser = Browser::open(PHONE).await;
    browser.goto(&url(&office, "/complaints?lang=fr")).await;
    browser.click("option[value='rabat-agdal:passport']").await;
    browser.fill("#subject", "Attente trop longue").await;
    browser
        .fill(
            "#body",
            "J'ai attendu deux heures au guichet 1 sans être appelée.",
        )
        .await;
    browser.fill("#phone", phone).await;
    browser.screenshot("portal-complaint-form-fr-phone").await;
    confirm_with_code(&browser, &office, phone).await;

    let reference = browser.text(".reference").await;
    assert!(reference.starts_with("RC-"), "{reference}");
    assert_eq!(browser.text(".due").await, "lundi 25 janvier 2027");
    browser.screenshot("portal-complaint-fr-phone").await;
    browser.click(".follow-link").await;
    browser.wait_for_text("#status", "Reçue", WAIT).await;
    let follow = browser
        .eval("return location.pathname + location.search")
        .await;
    let follow = follow.as_str().expect("an address").to_owned();

    let answer = "Nous avons renforcé le guichet 1 le matin. Merci de votre signalement.";
    let path = format!("/api/v1/complaints/{reference}/answer");
    let answered = office
        .app
        .post(&path, Some(&supervisor), json!({"answer": answer}))
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    browser.goto(&url(&office, &follow)).await;
    browser
        .wait_for_text("#status", "Réponse donnée", WAIT)
        .await;
    assert_eq!(browser.text("#answer").await, answer);
    browser.click(".lang-switch a[hreflang=ar]").await;
    browser
        .wait_for_text("#status", "تم الرد عليها", WAIT)
        .await;
    browser.screenshot("portal-complaint-ar-phone").await;

    // The SMS links without the token: a stranger is asked to log in and
    // told nothing; the citizen logged in with that phone reads it.
    let bare = url(&office, &format!("/complaints/{reference}"));
    let stranger = office.app.http.get(&bare).send().await.expect("answer");
    assert_eq!(stranger.status(), StatusCode::NOT_FOUND);
    assert!(!stranger.text().await.unwrap_or_default().contains(answer));
    office.set_time("2026-11-26T09:05:00Z");
    let asked = office
        .app
        .post("/api/v1/otp", None, json!({"phone": phone}))
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    let login = json!({"phone": phone, "otp": code_sent_to(&office, phone).await});
    let session = office.app.post("/api/v1/citizen/login", None, login).await;
    assert_eq!(session.status, StatusCode::OK, "{}", session.body);
    let token = session.body["token"].as_str().expect("a token");
    let own = office.app.http.get(&bare).bearer_auth(token).send().await;
    let own = own.expect("answer");
    assert_eq!(own.status(), StatusCode::OK);
    assert!(own.text().await.unwrap_or_default().contains(answer));
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_visit_is_rated_once() {
    let _turn = crate::support::browser::turn().await;
    let office = citizen_office().await;
    let phone = "+212612000003";
    let device = kiosk(&office.app, &office.admin, &office.site).await;
    let body = json!({"service": SERVICE, "phone": phone});
    issue(&office.app, &device, &office.site, body).await;
    let (status, called) = call_next(&office.app, &office.agent, "agdal-g1").await;
    assert_eq!(status, StatusCode::OK, "{called}");
    finish(&office.app, &office.agent, &called).await;
    let token = until_some(
        Duration::from_secs(10),
        "a feedback link by SMS",
        async || {
            let messages = office.messages(phone).await;
            messages
                .iter()
                .find(|(template, _)| template == "feedback")
                .and_then(|(_, text)| text.split_once("/feedback/"))
                .map(|(_, rest)| rest.split_whitespace().next().unwrap_or("").to_owned())
        },
    )
    .await;

    let browser = Browser::open(PHONE).await;
    let page = url(&office, &format!("/feedback/{token}?lang=fr"));
    browser.goto(&page).await;
    browser.click("label[for=rating-4]").await;
    browser.fill("#comment", "Accueil aimable et rapide.").await;
    browser.screenshot("portal-feedback-fr-phone").await;
    browser.click("form button[type=submit]").await;
    browser.wait_for_text("#outcome", "Merci", WAIT).await;

    // Opened again, the link says it was answered; a form sent from an
    // older tab is refused the same way.
    browser.goto(&page).await;
    browser.wait_for_text("#outcome", "déjà", WAIT).await;
    let csrf = "c".repeat(40);
    let late = office
        .app
        .http
        .post(url(&office, &format!("/feedback/{token}")))
        .header("Cookie", format!("guichet_csrf={csrf}"))
        .form(&[("csrf", csrf.as_str()), ("rating", "1")])
        .send()
        .await
        .expect("answer");
    assert_eq!(late.status(), StatusCode::CONFLICT);

    browser
        .goto(&url(&office, "/feedback/no-such-visit-link"))
        .await;
    browser.wait_for_text("h1", "Page introuvable", WAIT).await;
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_citizen_joins_the_waitlist() {
    let _turn = crate::support::browser::turn().await;
    let office = citizen_office().await;
    let phone = "+212612000004";
    let browser = Browser::open(PHONE).await;
    let page = format!("/waitlist/{}/{SERVICE}?lang=ar", office.site);
    browser.goto(&url(&office, &page)).await;
    browser.wait_for_text("h1", "لائحة الانتظار", WAIT).await;
    browser
        .eval("document.getElementById('to').value = '2026-12-04'; return true")
        .await;
    // A number too short to be one is explained, in Arabic.
    browser.fill("#phone", "06-12").await;
    browser.click("button[value=send]").await;
    browser.wait_for_text(".error", "رقم غير صحيح", WAIT).await;
    assert!(office.messages("0612").await.is_empty());
    browser.fill("#phone", phone).await;
    confirm_with_code(&browser, &office, phone).await;
    browser
        .wait_for_text(".done h1", "تم تسجيلكم في لائحة الانتظار", WAIT)
        .await;
    let range = browser.text(".facts").await;
    assert!(
        range.contains("الخميس 26 نونبر 2026") && range.contains("الجمعة 4 دجنبر 2026"),
        "{range}"
    );
    assert_eq!(office.app.count("waitlist").await, 1);
    browser.screenshot("portal-waitlist-ar-phone").await;
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_form_without_its_csrf_field_changes_nothing() {
    let _turn = crate::support::browser::turn().await;
    let office = citizen_office().await;
    let phone = "+212612000005";
    let client = &office.app.http;
    let form = [("name", "Amina Alaoui"), ("phone", phone), ("step", "send")];
    let page = url(&office, "/requests/new/rabat-agdal/residence");
    let with_cookie = client
        .post(&page)
        .header("Cookie", format!("guichet_csrf={}", "a".repeat(40)))
        .form(&form)
        .send()
        .await
        .expect("answer");
    assert_eq!(with_cookie.status(), StatusCode::FORBIDDEN);
    let complaint = [
        ("site", "rabat-agdal"),
        ("subject", "x"),
        ("body", "y"),
        ("phone", phone),
    ];
    let refused = client
        .post(url(&office, "/complaints"))
        .form(&complaint)
        .send()
        .await
        .expect("answer");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(office.app.count("document_requests").await, 0);
    assert_eq!(office.app.count("complaints").await, 0);
    assert!(office.messages(phone).await.is_empty(), "no code sent");

    // The same form, sent from the page in a browser, goes through.
    let browser = Browser::open(PHONE).await;
    browser.goto(&format!("{page}?lang=fr")).await;
    browser.fill("#name", "Amina Alaoui").await;
    browser.fill("#phone", phone).await;
    browser.click("button[value=send]").await;
    browser.wait_for_text(".notice", phone, WAIT).await;
    assert_eq!(office.messages(phone).await.len(), 1, "one code sent");
    browser.close().await;
}
