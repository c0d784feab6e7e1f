//! The guide of procedures in a real browser: the portal's pages on a
//! phone in French, Arabic and English, the kiosk's guide reached from its
//! home, and the guide's slide in the lobby's rotation, with a screenshot
//! of each.

use crate::support::browser::{Browser, KIOSK, PHONE, TV};
use crate::support::guides::office_with_guide;
use crate::support::tickets::kiosk;
use guichet_test_support::TestApp;
use std::time::Duration;

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_guide_reads_on_a_phone_at_the_kiosk_and_in_the_lobby() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let admin = office_with_guide(&app).await;

    let browser = Browser::open(PHONE).await;
    browser.goto(&format!("{}/?lang=fr", app.base)).await;
    browser.click("#guide-link").await;
    assert_eq!(browser.text("h1").await, "Guide des démarches");
    browser.screenshot("guide-index-fr-phone").await;
    browser.click("#guide-anfa-residence a").await;
    assert_eq!(
        browser.text("#guide-summary").await,
        "Atteste votre adresse."
    );
    assert!(browser.text("#guide-documents").await.contains("CIN"));
    assert!(
        browser
            .text("#guide-delay")
            .await
            .contains("2 jours ouvrables")
    );
    browser.screenshot("guide-fr-phone").await;
    let expected = [
        (
            "ar",
            "rtl",
            "تثبت عنوانكم.",
            "قدموا وثائقكم.",
            "البطاقة الوطنية",
        ),
        (
            "en",
            "ltr",
            "Proves your address.",
            "Hand in your documents.",
            "CIN",
        ),
    ];
    for (lang, dir, summary, step, document) in expected {
        let path = format!("{}/guide/anfa/residence?lang={lang}", app.base);
        browser.goto(&path).await;
        let root = browser
            .eval("return [document.documentElement.lang, document.documentElement.dir]")
            .await;
        assert_eq!(root, serde_json::json!([lang, dir]));
        assert_eq!(browser.text("#guide-summary").await, summary);
        assert!(browser.text("#guide-steps").await.contains(step));
        assert!(browser.text("#guide-documents").await.contains(document));
        browser.screenshot(&format!("guide-{lang}-phone")).await;
    }
    browser.close().await;

    let token = kiosk(&app, &admin, "anfa").await;
    let browser = Browser::open(KIOSK).await;
    browser
        .goto(&format!("{}/kiosk/anfa?device={token}", app.base))
        .await;
    browser.click("#go-guide").await;
    browser.click("a[data-guide=residence]").await;
    let documents = browser.text("#guide-documents").await;
    assert!(
        documents.contains("CIN") && documents.contains("البطاقة الوطنية"),
        "{documents}"
    );
    assert!(
        browser
            .text("#guide-summary")
            .await
            .contains("تثبت عنوانكم.")
    );
    browser.screenshot("guide-fr-kiosk").await;
    browser.close().await;

    let browser = Browser::open(TV).await;
    browser.goto(&format!("{}/display/anfa", app.base)).await;
    browser
        .wait_for_text("#news-1", "Guide des démarches", Duration::from_secs(5))
        .await;
    assert!(browser.text("#news-2").await.contains("البطاقة الوطنية"));
    browser.screenshot("guide-lobby-tv").await;
    browser.close().await;
}
