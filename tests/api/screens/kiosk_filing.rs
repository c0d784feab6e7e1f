//! Filing a document request at the kiosk, in a real browser: the
//! procedure and its documents, the citizen's details (the phone proved by
//! a code sent by SMS), the receipt printed in French and Arabic (with the
//! ticket on the same paper when asked), and a kiosk home that keeps
//! nothing of the citizen afterwards.

use crate::support::browser::{Browser, KIOSK};
use crate::support::desk::{AMINA, Desk, desk, sent_code};
use crate::support::tickets::kiosk;
use guichet_test_support::Backend;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
#[ignore = "needs Chromium"]
async fn sqlite_a_kiosk_files_a_request_and_prints_its_receipt() {
    files_and_prints(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs Chromium and PostgreSQL"]
async fn postgres_a_kiosk_files_a_request_and_prints_its_receipt() {
    files_and_prints(Backend::Postgres).await;
}

/// A certificate named in French and Arabic, with its documents.
async fn birth_certificate(desk: &Desk) {
    let service = json!({"id": "naissance", "prefix": "N", "name": "Extrait d'acte de naissance",
        "name_ar": "عقد الازدياد", "walk_in": true, "processing_days": 2,
        "required_documents": [{"name": "CIN", "name_ar": "البطاقة الوطنية للتعريف"},
            {"name": "Livret de famille", "name_ar": "الدفتر العائلي"}]});
    let path = format!("/api/v1/sites/{}/services", desk.site);
    let created = desk.app.post(&path, Some(&desk.admin), service).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
}

async fn files_and_prints(backend: Backend) {
    let _turn = crate::support::browser::turn().await;
    let desk = desk(backend, true).await;
    birth_certificate(&desk).await;
    let token = kiosk(&desk.app, &desk.admin, &desk.site).await;
    let browser = Browser::open(KIOSK).await;
    let home = format!("{}/kiosk/{}", desk.app.base, desk.site);
    browser.goto(&format!("{home}?device={token}")).await;

    // In French, with an e-mail only: no code to give.
    browser.goto(&format!("{home}?lang=fr")).await;
    browser.click("#go-file").await;
    browser.click("a[data-procedure=naissance]").await;
    let documents = browser.text("#procedure-documents").await;
    assert!(documents.contains("Livret de famille"), "{documents}");
    assert!(documents.contains("الدفتر العائلي"), "{documents}");
    let off = browser
        .eval("return [document.querySelector('form.kiosk-file').autocomplete, document.getElementById('name').autocomplete]")
        .await;
    assert_eq!(off, json!(["off", "off"]));
    browser.fill("#name", "Amina Alaoui").await;
    browser.fill("#email", "amina@example.ma").await;
    browser.click("#file-ticket").await;
    browser.screenshot("kiosk-file-fr-kiosk").await;
    browser.click("#file-send").await;
    let reference = browser.text("#receipt-reference").await;
    assert!(reference.starts_with("DR-"), "{reference}");
    assert_eq!(browser.text("#receipt-ticket").await, "N001");
    let ready = browser.text("#receipt-ready").await;
    assert!(ready.contains("01/12/2026"), "{ready}");
    let receipt = browser.text("#receipt").await;
    assert!(receipt.contains("Accusé de réception") && receipt.contains("وصل إيداع طلبكم"));
    assert!(receipt.contains("Livret de famille"), "{receipt}");
    assert!(!receipt.contains("Amina"), "the receipt names no one");
    let qr = browser
        .eval("return !!document.querySelector('#receipt .qr-code path')")
        .await;
    assert_eq!(qr, true, "no QR code on the receipt");
    browser.screenshot("kiosk-receipt-fr-kiosk").await;
    let printed = browser
        .eval(
            "document.querySelector('link[media=print]').media = 'all';
             var s = getComputedStyle(document.querySelector('#receipt'));
             return [getComputedStyle(document.querySelector('.kiosk-header')).display,
                     s.color, Math.round(parseFloat(s.width) / 96 * 25.4)]",
        )
        .await;
    assert_eq!(printed, json!(["none", "rgb(0, 0, 0)", 72]));
    browser.screenshot("kiosk-receipt-print-fr-kiosk").await;
    let filed = format!("document_requests WHERE reference = '{reference}' AND channel = 'kiosk'");
    assert_eq!(desk.app.count(&filed).await, 1);
    // Back home by itself, with nothing of Amina anywhere.
    browser
        .wait_for_text("h1", "Bienvenue", Duration::from_secs(25))
        .await;
    assert_nothing_left(&browser).await;

    // In Arabic, with a phone proved by the code sent to it.
    browser.goto(&format!("{home}?lang=ar")).await;
    browser.click("#go-file").await;
    browser.click("a[data-procedure=naissance]").await;
    browser.fill("#name", "أمينة العلوي").await;
    for digit in "612345678".chars() {
        browser
            .click(&format!(".keypad [data-key='{digit}']"))
            .await;
    }
    browser.click("#file-send").await;
    // The next screen says where the code went, then asks for it.
    let notice = browser.text("#code-notice").await;
    assert!(notice.contains("612345678"), "{notice}");
    let code = sent_code(&desk.app, AMINA).await;
    browser.fill("#otp", &code).await;
    browser.screenshot("kiosk-file-code-ar-kiosk").await;
    browser.click("#file-confirm").await;
    let reference = browser.text("#receipt-reference").await;
    assert!(reference.starts_with("DR-"), "{reference}");
    let service = browser.text("#receipt-service").await;
    assert!(service.contains("عقد الازدياد"), "{service}");
    let dir = browser.eval("return document.documentElement.dir").await;
    assert_eq!(dir, "rtl");
    browser.screenshot("kiosk-receipt-ar-kiosk").await;
    let filed = format!("document_requests WHERE reference = '{reference}' AND phone = '{AMINA}'");
    assert_eq!(desk.app.count(&filed).await, 1);
    browser
        .wait_for_text("h1", "مرحبا", Duration::from_secs(25))
        .await;
    assert_nothing_left(&browser).await;
    // The phone's acknowledgement (the code aside), in Arabic.
    let sms = desk.exactly_sms(2).await;
    let ack = sms
        .iter()
        .find(|s| s.body.contains(&reference))
        .expect("acknowledged");
    assert!(ack.body.contains("توصلت"), "{}", ack.body);
    browser.close().await;
}

/// The kiosk's home, and the form a step back in its history, hold no
/// name, phone or e-mail.
async fn assert_nothing_left(browser: &Browser) {
    let page = browser.eval("return document.body.innerHTML").await;
    let page = page.as_str().unwrap_or("");
    for personal in ["Amina", "أمينة", "612345678", "amina@example.ma", "DR-"] {
        assert!(!page.contains(personal), "{personal} left on the home");
    }
    browser.eval("history.back(); return true").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let left = browser
        .eval("return Array.from(document.querySelectorAll('input:not([type=hidden])')).map(i => i.value).join('|') + document.body.innerText")
        .await;
    let left = left.as_str().unwrap_or("");
    for personal in ["Amina", "أمينة", "612345678", "amina@example.ma", "DR-"] {
        assert!(
            !left.contains(personal),
            "{personal} left a step back: {left}"
        );
    }
}
