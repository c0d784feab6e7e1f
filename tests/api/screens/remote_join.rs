//! Joining the walk-in queue from a phone, in French and Arabic: the
//! office's page offers "join the queue remotely" under the walk-in
//! service, the phone gets a code by SMS, and the code lands on the
//! ticket page with the number, the place in line, when to leave home and
//! the tracking link. Screenshots:
//! `remote-join-{office,code,ticket,tracking}-{fr,ar}-phone`.

use crate::support::browser::{Browser, PHONE};
use crate::support::office::{Office, SERVICE, office};
use crate::support::tickets::{issue, kiosk};
use guichet_test_support::Backend;
use serde_json::json;
use std::time::Duration;

/// Thursday 26 November 2026, 09:00 in Casablanca (UTC+0): the office is open.
const THURSDAY_9: &str = "2026-11-26T09:00:00Z";
const WAIT: Duration = Duration::from_secs(5);

/// The latest code sent to `phone`, read from the outbox.
pub async fn code_sent_to(office: &Office, phone: &str) -> String {
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

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_citizen_joins_the_queue_from_the_office_page() {
    let _turn = crate::support::browser::turn().await;
    let office = office(Backend::Sqlite, THURSDAY_9, "Africa/Casablanca", 2, true).await;
    // Three people already wait, taken at the kiosk.
    let device = kiosk(&office.app, &office.admin, &office.site).await;
    for _ in 0..3 {
        issue(
            &office.app,
            &device,
            &office.site,
            json!({"service": SERVICE}),
        )
        .await;
    }
    let browser = Browser::open(PHONE).await;
    let expected = [
        (
            "fr",
            "+212612000011",
            "Vous êtes dans la file",
            "Rejoindre la file à distance",
        ),
        (
            "ar",
            "+212612000012",
            "أنتم في الطابور",
            "الانضمام إلى الطابور عن بعد",
        ),
    ];
    for (n, (lang, phone, joined, button)) in expected.into_iter().enumerate() {
        let page = format!("{}/sites/{}?lang={lang}", office.app.base, office.site);
        browser.goto(&page).await;
        let offer = format!("#remote-{SERVICE} a.button");
        assert_eq!(browser.text(&offer).await, button, "{lang}");
        let waiting = browser
            .text(&format!("#service-{SERVICE} .queue-now strong"))
            .await;
        assert_eq!(waiting, format!("{}", 3 + n), "{lang}");
        browser
            .screenshot(&format!("remote-join-office-{lang}-phone"))
            .await;
        browser.click(&offer).await;

        browser.fill("#phone", phone).await;
        browser.click("button[value=send]").await;
        browser.wait_for_text(".notice", phone, WAIT).await;
        browser
            .screenshot(&format!("remote-join-code-{lang}-phone"))
            .await;
        let code = code_sent_to(&office, phone).await;
        browser.fill("#otp", &code).await;
        browser.click("button[value=submit]").await;

        browser.wait_for_text("h1", joined, WAIT).await;
        let number = browser.text("#number").await;
        assert!(number.starts_with('P'), "{lang}: {number}");
        // Behind the kiosk's three, and the French join in Arabic's turn.
        let position = browser.text("#position").await;
        assert_eq!(position, format!("{}", 4 + n), "{lang}");
        assert!(browser.text("#wait").await.contains(char::is_numeric));
        assert!(browser.text("#leave-home").await.contains("20"), "{lang}");
        let link = browser
            .eval("return document.getElementById('track-link').getAttribute('href')")
            .await;
        let link = link.as_str().expect("a link").to_owned();
        assert!(link.starts_with("/t/"), "{link}");
        let qr = browser
            .eval("return document.querySelectorAll('.qr-box svg.qr').length")
            .await;
        assert_eq!(qr, 1, "{lang}");
        let direction = browser
            .eval("return [document.documentElement.dir, getComputedStyle(document.getElementById('number')).direction]")
            .await;
        let page_dir = if lang == "ar" { "rtl" } else { "ltr" };
        assert_eq!(direction, json!([page_dir, "ltr"]), "{lang}");
        browser
            .screenshot(&format!("remote-join-ticket-{lang}-phone"))
            .await;

        // The tracking page says it is a remote ticket, not yet present.
        browser.click("#track-link").await;
        browser.wait_for_text("#track-number", &number, WAIT).await;
        let state = browser
            .eval("return document.getElementById('track-remote').dataset.state")
            .await;
        assert_eq!(state, "on_the_way", "{lang}");
        browser
            .screenshot(&format!("remote-join-tracking-{lang}-phone"))
            .await;
    }
    browser.close().await;
}
