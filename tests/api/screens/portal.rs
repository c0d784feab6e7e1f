//! The citizen portal's offices, booking, managing and "my space" in a
//! real browser on a phone, in French and Arabic (and English once), with
//! a screenshot of each main step; plus the calendar file and the CSRF
//! guard over plain HTTP.

use crate::support::browser::{Browser, PHONE};
use crate::support::office::{Office, SERVICE, casablanca_office, office};
use guichet_test_support::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// Monday 23 November 2026, 08:00 in Casablanca (UTC+0 since September).
const MONDAY_MORNING: &str = "2026-11-23T08:00:00Z";
const PHONE_NUMBER: &str = "0612345678";
const INTERNATIONAL: &str = "+212612345678";

/// The newest code sent by SMS to `phone`.
async fn newest_code(office: &Office, phone: &str) -> String {
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

/// The service's guide: documents to bring, ready in 3 days on request.
async fn with_documents(office: &Office) {
    let patch = json!({"required_documents": [
        {"name": "CIN (carte nationale d'identité)", "name_ar": "البطاقة الوطنية للتعريف"},
        {"name": "Deux photos d'identité", "name_ar": "صورتان شمسيتان"}],
        "processing_days": 3});
    let path = format!("/api/v1/sites/{}/services/{SERVICE}", office.site);
    let patched = office.app.patch(&path, Some(&office.admin), patch).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
}

async fn url(browser: &Browser) -> String {
    browser.client.current_url().await.expect("url").to_string()
}

/// The same page in another language (the choice is remembered).
fn in_lang(url: &str, lang: &str) -> String {
    let url = url.split('#').next().unwrap_or(url);
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    let chosen = format!("lang={lang}");
    pairs.push(&chosen);
    format!("{path}?{}", pairs.join("&"))
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_citizen_books_through_the_portal_and_finds_it_in_their_space() {
    let _turn = crate::support::browser::turn().await;
    let office = office(
        Backend::Sqlite,
        MONDAY_MORNING,
        "Africa/Casablanca",
        2,
        true,
    )
    .await;
    with_documents(&office).await;
    let base = &office.app.base;
    let browser = Browser::open(PHONE).await;

    browser.goto(&format!("{base}/?lang=fr")).await;
    assert!(browser.text("main").await.contains("Annexe Agdal"));
    browser.screenshot("portal-home-fr-phone").await;
    browser.click("a[href='/sites/rabat-agdal']").await;
    let guide = browser.text("#service-passport").await;
    assert!(
        guide.contains("CIN (carte nationale d'identité)"),
        "{guide}"
    );
    assert!(guide.contains("Rendez-vous en visioconférence"), "{guide}");
    browser.screenshot("portal-site-fr-phone").await;
    browser.goto(&in_lang(&url(&browser).await, "ar")).await;
    assert_eq!(browser.text("h1").await, "ملحقة أكدال");
    assert!(
        browser
            .text("#service-passport")
            .await
            .contains("البطاقة الوطنية للتعريف")
    );
    assert!(browser.text(".hours").await.contains("الاثنين"));
    browser.screenshot("portal-site-ar-phone").await;
    browser.goto(&in_lang(&url(&browser).await, "fr")).await;

    browser.click("a[href='/book/rabat-agdal/passport']").await;
    assert_eq!(browser.text("#month-title").await, "novembre 2026");
    // Sunday is closed, Tuesday is free.
    let sunday = browser
        .eval("return !!document.querySelector('a.day[data-date=\"2026-11-29\"]')")
        .await;
    assert_eq!(sunday, Value::Bool(false), "Sunday offered");
    browser.click("a.day[data-date='2026-11-24']").await;
    browser
        .wait_for_text(
            "#times legend",
            "mardi 24 novembre 2026",
            Duration::from_secs(5),
        )
        .await;
    assert!(browser.text("#times").await.contains("09:00"));
    browser.screenshot("portal-book-times-fr-phone").await;
    browser.eval("window.scrollTo(0, 0); return true").await;
    browser.screenshot("portal-book-fr-phone").await;
    browser.goto(&in_lang(&url(&browser).await, "ar")).await;
    assert_eq!(browser.text("#month-title").await, "نونبر 2026");
    assert!(
        browser
            .text("#times legend")
            .await
            .contains("الثلاثاء 24 نونبر 2026")
    );
    browser.eval("window.scrollTo(0, 0); return true").await;
    browser.screenshot("portal-book-ar-phone").await;
    browser.goto(&in_lang(&url(&browser).await, "fr")).await;

    let start = "2026-11-24T09:00:00+00:00";
    browser
        .click(&format!("a.time[data-start='{start}']"))
        .await;
    browser
        .wait_for_text(
            "#chosen",
            "mardi 24 novembre 2026, 09:00",
            Duration::from_secs(5),
        )
        .await;
    browser.fill("#name", "Amina Alaoui").await;
    browser.fill("#phone", PHONE_NUMBER).await;
    browser.click("button[value='code']").await;
    browser
        .wait_for_text("h1", "Code de confirmation", Duration::from_secs(5))
        .await;
    assert!(
        browser
            .text(".summary")
            .await
            .contains("mardi 24 novembre 2026, 09:00")
    );
    // A wrong code books nothing and says so in French.
    browser.fill("#otp", "000000").await;
    browser.click("button[value='book']").await;
    browser
        .wait_for_text("#form-error", "Code incorrect", Duration::from_secs(5))
        .await;
    browser.screenshot("portal-code-fr-phone").await;
    assert_eq!(office.app.count("appointments").await, 0);
    let code = newest_code(&office, INTERNATIONAL).await;
    browser.fill("#otp", &code).await;
    browser.click("button[value='book']").await;
    browser
        .wait_for_text("h1", "Rendez-vous confirmé", Duration::from_secs(5))
        .await;
    let reference = browser.text(".reference").await;
    assert!(
        browser
            .text(".when")
            .await
            .contains("mardi 24 novembre 2026, 09:00")
    );
    let qr = browser
        .eval("return !!document.querySelector('.qr-box svg path')")
        .await;
    assert_eq!(qr, Value::Bool(true), "a QR code");
    browser.screenshot("portal-confirm-fr-phone").await;

    let read = office
        .app
        .get(
            &format!("/api/v1/appointments/{reference}"),
            Some(&office.agent),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body["start"], start);
    assert_eq!(read.body["phone"], INTERNATIONAL);
    assert_eq!(read.body["status"], "booked");

    // A minute on, the same phone logs in and finds the appointment.
    office.set_time("2026-11-23T08:05:00Z");
    browser.goto(&format!("{base}/me")).await;
    browser
        .wait_for_text("h1", "Accéder à mon espace", Duration::from_secs(5))
        .await;
    browser.fill("#phone", PHONE_NUMBER).await;
    browser.click("button[value='code']").await;
    browser
        .wait_for_text("[role=status]", PHONE_NUMBER, Duration::from_secs(5))
        .await;
    let code = newest_code(&office, INTERNATIONAL).await;
    browser.fill("#otp", &code).await;
    browser.click("button[value='login']").await;
    browser
        .wait_for_text("h1", "Mon espace", Duration::from_secs(5))
        .await;
    let history = browser.text("#my-appointments + p, .history").await;
    assert!(history.contains(&reference), "{history}");
    assert!(
        history.contains("mardi 24 novembre 2026, 09:00"),
        "{history}"
    );
    browser.screenshot("portal-me-fr-phone").await;
    browser.goto(&format!("{base}/me?lang=en")).await;
    assert!(
        browser
            .text(".history")
            .await
            .contains("Tuesday 24 November 2026, 09:00")
    );
    browser.screenshot("portal-me-en-phone").await;
    // Logged in, the appointment opens without its token.
    browser
        .click(&format!("a[href='/appointments/{reference}']"))
        .await;
    browser
        .wait_for_text(".reference", &reference, Duration::from_secs(5))
        .await;
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_manage_link_moves_and_cancels_and_a_wrong_token_is_not_found() {
    let _turn = crate::support::browser::turn().await;
    let office = casablanca_office(Backend::Sqlite, MONDAY_MORNING).await;
    let first = "2026-11-24T09:00:00+00:00";
    let later = "2026-11-25T10:30:00+00:00";
    let booked = office.book(first, INTERNATIONAL).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let reference = booked.body["reference"]
        .as_str()
        .expect("reference")
        .to_owned();
    let token = booked.body["manage_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(office.available(first).await, 1);
    let base = &office.app.base;
    let browser = Browser::open(PHONE).await;

    browser
        .goto(&format!(
            "{base}/appointments/{reference}?token={token}&lang=fr"
        ))
        .await;
    assert!(
        browser
            .text(".when")
            .await
            .contains("mardi 24 novembre 2026, 09:00")
    );
    browser.screenshot("portal-manage-fr-phone").await;

    browser.click("#reschedule").await;
    browser.click("a.day[data-date='2026-11-25']").await;
    browser
        .click(&format!("a.time[data-start='{later}']"))
        .await;
    browser
        .wait_for_text("#chosen", "10:30", Duration::from_secs(5))
        .await;
    browser.screenshot("portal-manage-move-fr-phone").await;
    browser.click("form button[type='submit']").await;
    browser
        .wait_for_text("#notice", "reporté", Duration::from_secs(5))
        .await;
    assert!(
        browser
            .text(".when")
            .await
            .contains("mercredi 25 novembre 2026, 10:30")
    );
    assert_eq!(office.available(first).await, 2, "the old place is free");
    assert_eq!(office.available(later).await, 1);

    browser.click("#cancel").await;
    browser
        .wait_for_text("h1", "Annuler ce rendez-vous", Duration::from_secs(5))
        .await;
    assert_eq!(office.available(later).await, 1, "asking is not cancelling");
    browser.click("#confirm-cancel").await;
    browser
        .wait_for_text("#notice", "annulé", Duration::from_secs(5))
        .await;
    assert_eq!(browser.text(".status").await, "Annulé");
    assert_eq!(office.available(later).await, 2, "the place is free again");
    let gone = browser
        .eval("return !!document.querySelector('#cancel, #reschedule')")
        .await;
    assert_eq!(gone, Value::Bool(false), "nothing left to change");

    let wrong = format!("/appointments/{reference}?token=not-the-token");
    let answer = office.app.get(&wrong, None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    browser.goto(&format!("{base}{wrong}")).await;
    assert_eq!(browser.text("h1").await, "Page introuvable.");
    let shown = browser.text("body").await;
    assert!(
        !shown.contains("Amina") && !shown.contains(INTERNATIONAL),
        "{shown}"
    );
    browser.screenshot("portal-manage-notfound-fr-phone").await;
    browser.close().await;
}

#[tokio::test]
async fn the_calendar_file_is_one_event_in_utc() {
    let office = office(Backend::Sqlite, MONDAY_MORNING, "Europe/Paris", 2, false).await;
    let booked = office
        .book("2026-11-24T09:00:00+01:00", INTERNATIONAL)
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let reference = booked.body["reference"].as_str().expect("reference");
    let token = booked.body["manage_token"].as_str().expect("token");
    let path = format!(
        "{}/appointments/{reference}/calendar.ics?token={token}",
        office.app.base
    );
    let response = office.app.http.get(&path).send().await.expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .to_owned();
    assert!(kind.starts_with("text/calendar"), "{kind}");
    let file = response.text().await.expect("body");
    let lines: Vec<&str> = file.split("\r\n").collect();
    assert_eq!(lines[0], "BEGIN:VCALENDAR");
    assert_eq!(lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(), 1);
    assert!(lines.contains(&"DTSTART:20261124T080000Z"), "{file}");
    assert!(lines.contains(&"DTEND:20261124T083000Z"), "{file}");
    assert!(
        lines.contains(&format!("UID:{reference}@guichet").as_str()),
        "{file}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("SUMMARY:Passeport")),
        "{file}"
    );
    assert!(lines.contains(&"LOCATION:Annexe Agdal"), "{file}");
    assert!(file.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
    let wrong = format!(
        "{}/appointments/{reference}/calendar.ics?token=nope",
        office.app.base
    );
    let response = office.app.http.get(&wrong).send().await.expect("sent");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_booking_form_without_its_csrf_field_changes_nothing() {
    let office = casablanca_office(Backend::Sqlite, MONDAY_MORNING).await;
    let path = format!("{}/book/{}/{SERVICE}", office.app.base, office.site);
    let body = "mode=in_person&start=2026-11-24T09%3A00%3A00%2B00%3A00&name=Amina&phone=%2B212612345678&persons=1&action=book";
    for cookie in ["", "guichet_csrf=abcdefghijklmnopqrstuvwxyz0123456789"] {
        let response = office
            .app
            .http
            .post(&path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .body(body)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(office.app.count("appointments").await, 0);
    assert_eq!(office.available("2026-11-24T09:00:00+00:00").await, 2);
    // The same form with its field books: the guard is the only difference.
    let token = "abcdefghijklmnopqrstuvwxyz0123456789";
    let response = office
        .app
        .http
        .post(&path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", format!("guichet_csrf={token}"))
        .body(format!("csrf={token}&{body}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.url().path().ends_with("/confirmation"),
        "{}",
        response.url()
    );
    assert_eq!(office.app.count("appointments").await, 1);
}
