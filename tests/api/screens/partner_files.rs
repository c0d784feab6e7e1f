//! Following a partner's file at the kiosk in a real browser: from the
//! kiosk's home, in Arabic and French, the reference typed on the
//! screen's keypad and the identifier in its field; a newer push seen at
//! the next look-up, within a second; and the same file on the portal,
//! on a phone.

use crate::support::browser::{Browser, KIOSK, PHONE};
use crate::support::partners::{HOLDER, partnered};
use crate::support::partners::{REFERENCE, file};
use guichet_test_support::Backend;
use reqwest::StatusCode;
use std::time::Duration;

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_citizen_follows_a_passport_file_at_the_kiosk() {
    let _turn = crate::support::browser::turn().await;
    let p = partnered(Backend::Sqlite).await;
    let pushed = p.push(&file(1, "processing")).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.body);
    let (base, site) = (&p.desk.app.base, &p.desk.site);
    let browser = Browser::open(KIOSK).await;
    browser
        .goto(&format!("{base}/kiosk/{site}?device={}", p.kiosk))
        .await;
    browser.goto(&format!("{base}/kiosk/{site}?lang=ar")).await;
    let choice = browser.text("#go-files").await;
    assert!(choice.contains("تتبع ملف"), "{choice}");
    assert!(choice.contains("Suivre un dossier"), "{choice}");
    browser.click("#go-files").await;
    // The reference on the keypad, the identifier from a keyboard.
    for key in REFERENCE.chars() {
        browser
            .click(&format!(".keypad[data-for=reference] [data-key='{key}']"))
            .await;
    }
    browser.fill("#holder_id", &HOLDER.to_lowercase()).await;
    browser.screenshot("kiosk-files-form-ar-kiosk").await;
    browser.click("#file-submit").await;
    let status = browser.text("#file-status").await;
    assert!(status.contains("في طور المعالجة"), "{status}");
    assert!(status.contains("En cours de traitement"), "{status}");
    assert_eq!(browser.text("#file-reference").await, REFERENCE);
    let typed = browser
        .eval("return [document.querySelector('#reference').value, document.querySelector('#holder_id').value]")
        .await;
    assert_eq!(typed, serde_json::json!(["", ""]), "nothing typed stays");
    browser.screenshot("kiosk-files-ar-kiosk").await;

    // Ready now: the next look-up, in French, shows it at once.
    let pushed = p.push(&file(2, "ready")).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.body);
    browser
        .goto(&format!("{base}/kiosk/{site}/files?lang=fr"))
        .await;
    browser.fill("#reference", "pa-2026/00042").await;
    browser.fill("#holder_id", HOLDER).await;
    browser.click("#file-submit").await;
    browser
        .wait_for_text("#file-status", "prêt", Duration::from_secs(1))
        .await;
    assert!(browser.text("#file-date").await.contains("2026-12-01"));
    browser.screenshot("kiosk-files-fr-kiosk").await;

    // A wrong identifier: a plain "not found", nothing of the file.
    browser.fill("#reference", REFERENCE).await;
    browser.fill("#holder_id", "AB000000").await;
    browser.click("#file-submit").await;
    let said = browser.text(".kiosk-error").await;
    assert!(said.contains("Aucun dossier"), "{said}");
    let shown = browser
        .eval("return !!document.querySelector('#file-result')")
        .await;
    assert_eq!(shown, false);
    browser.close().await;

    // On the portal, on a phone, in Arabic and in English.
    let phone = Browser::open(PHONE).await;
    for (lang, words) in [("ar", "وثيقتكم جاهزة"), ("en", "ready to collect")] {
        phone.goto(&format!("{base}/files?lang={lang}")).await;
        phone.fill("#reference", REFERENCE).await;
        phone.fill("#holder_id", HOLDER).await;
        phone.click("#file-submit").await;
        let status = phone.text("#file-status").await;
        assert!(status.contains(words), "{lang}: {status}");
        phone
            .screenshot(&format!("portal-files-{lang}-phone"))
            .await;
    }
    phone.close().await;
}
