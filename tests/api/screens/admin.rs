//! The set-up admin pages in a real browser: an admin logs in, creates a
//! service with its documents and a counter handling it through the forms,
//! in French and in Arabic, and the kiosk then offers the service.

use crate::support::browser::{Browser, DESKTOP, KIOSK};
use guichet_test_support::{ADMIN_PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const SOON: Duration = Duration::from_secs(5);

#[tokio::test]
#[ignore = "needs Chromium"]
async fn an_admin_sets_up_a_service_and_a_counter_through_the_pages() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let hours = guichet_test_support::around_the_clock();
    let site = json!({"id": "anfa", "name": "Annexe Anfa", "name_ar": "ملحقة أنفا",
        "timezone": "Africa/Casablanca", "opening_hours": hours});
    let created = app.post("/api/v1/sites", Some(&admin), site).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    let browser = Browser::open(DESKTOP).await;
    browser
        .goto(&format!("{}/agent/login?next=/admin", app.base))
        .await;
    browser.fill("#username", "admin").await;
    browser.fill("#password", ADMIN_PASSWORD).await;
    browser.click("#login").await;
    browser.wait_for_text("h1", "Annexes", SOON).await;

    browser
        .goto(&format!(
            "{}/admin/sites/anfa/services/new?lang=fr",
            app.base
        ))
        .await;
    for (field, value) in [
        ("#id", "passeport"),
        ("#prefix", "P"),
        ("#name", "Dépôt de passeport"),
        ("#name_ar", "إيداع طلب جواز السفر"),
        ("#service_minutes", "12"),
        ("#target_wait_minutes", "25"),
        ("#processing_days", "10"),
        ("input[name=doc_fr_0]", "Carte nationale"),
        ("input[name=doc_ar_0]", "البطاقة الوطنية"),
        ("input[name=doc_fr_1]", "Deux photos d'identité"),
        ("input[name=doc_ar_1]", "صورتان شمسيتان"),
    ] {
        browser.fill(field, value).await;
    }
    browser.click("#in_person").await;
    browser.screenshot("admin-service-form").await;
    browser.click("#service-form button[type=submit]").await;
    browser.wait_for_text(".flash", "Créé", SOON).await;
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(url.path(), "/admin/sites/anfa/services/passeport");

    browser
        .goto(&format!("{}/admin/sites/anfa/counters/new", app.base))
        .await;
    browser.fill("#id", "anfa-g1").await;
    browser.fill("#label", "Guichet 1").await;
    browser.click("#svc_passeport").await;
    browser.fill("#rank_passeport", "1").await;
    browser.screenshot("admin-counter-form").await;
    browser.click("#counter-form button[type=submit]").await;
    browser.wait_for_text(".flash", "Créé", SOON).await;
    browser
        .goto(&format!("{}/admin/sites/anfa/counters", app.base))
        .await;
    let line = browser.text("#counter-anfa-g1").await;
    assert!(line.contains("Dépôt de passeport"), "{line}");
    browser.screenshot("admin-counters").await;

    browser
        .goto(&format!(
            "{}/admin/sites/anfa/services/passeport?lang=ar",
            app.base
        ))
        .await;
    let dir = browser.eval("return document.documentElement.dir").await;
    assert_eq!(dir, "rtl");
    assert!(browser.text("h1").await.contains("الخدمة"));
    browser.screenshot("admin-service-form-ar").await;
    browser.close().await;

    let site = app.get("/api/v1/sites/anfa", None).await.body;
    let service = &site["services"][0];
    assert_eq!(service["id"], "passeport");
    assert_eq!(service["appointment_modes"], json!(["in_person"]));
    assert_eq!(
        service["required_documents"],
        json!([{"name": "Carte nationale", "name_ar": "البطاقة الوطنية"},
               {"name": "Deux photos d'identité", "name_ar": "صورتان شمسيتان"}])
    );
    let handled = guichet::store::counters::services(&app.app.db, "anfa-g1")
        .await
        .expect("read");
    assert_eq!(handled, ["passeport"]);

    let kiosk = crate::support::tickets::kiosk(&app, &admin, "anfa").await;
    let browser = Browser::open(KIOSK).await;
    browser
        .goto(&format!("{}/kiosk/anfa?device={kiosk}&lang=fr", app.base))
        .await;
    let offered = browser.text("a[data-service=passeport]").await;
    assert!(offered.contains("Dépôt de passeport"), "{offered}");
    browser.screenshot("admin-kiosk-offers-service").await;
    browser.close().await;
}
