//! A service's English name: set through the API or the admin set-up page,
//! shown on the English citizen pages; without it those pages show the
//! French name marked `lang="fr"`. A name too long changes nothing.

use crate::support::forms;
use crate::support::office::{SERVICE, casablanca_office};
use guichet_test_support::Backend;
use reqwest::StatusCode;
use serde_json::json;

const MONDAY_MORNING: &str = "2026-11-23T08:00:00Z";

async fn text(app: &guichet_test_support::TestApp, path: &str) -> String {
    let page = app
        .http
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK, "{path}");
    page.text().await.expect("page read")
}

#[tokio::test]
async fn english_pages_show_the_english_name_or_the_french_one_marked() {
    let office = casablanca_office(Backend::Sqlite, MONDAY_MORNING).await;
    let (app, site) = (&office.app, &office.site);
    let book = format!("/book/{site}/{SERVICE}?lang=en");
    let page = text(app, &book).await;
    assert!(
        page.contains(r#"<span id="service-name" lang="fr" class="fallback">Passeport</span>"#),
        "{page}"
    );

    // The confirmation too, before and after the English name is set.
    let booked = office
        .book("2026-11-24T09:00:00+00:00", "+212612345678")
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let confirmation = format!(
        "/appointments/{}/confirmation?token={}&lang=en",
        booked.body["reference"].as_str().expect("reference"),
        booked.body["manage_token"].as_str().expect("token")
    );
    let page = text(app, &confirmation).await;
    assert!(
        page.contains(r#"<span class="service-name fallback" lang="fr">Passeport</span>"#),
        "{page}"
    );
    let path = format!("/api/v1/sites/{site}/services/{SERVICE}");
    let long = "P".repeat(121);
    let refused = app
        .patch(&path, Some(&office.admin), json!({"name_en": long}))
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.code(), "invalid_name_en");
    let unchanged = app.get(&format!("/api/v1/sites/{site}"), None).await;
    assert!(
        unchanged.body["services"][0]["name_en"].is_null(),
        "{}",
        unchanged.body
    );
    let patched = app
        .patch(&path, Some(&office.admin), json!({"name_en": "Passport"}))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["name_en"], "Passport");
    let page = text(app, &book).await;
    assert!(
        page.contains(r#"<span id="service-name">Passport</span>"#),
        "{page}"
    );
    let page = text(app, &confirmation).await;
    assert!(
        page.contains(r#"<span class="service-name">Passport</span>"#),
        "{page}"
    );
    let office_page = text(app, &format!("/sites/{site}?lang=en")).await;
    assert!(office_page.contains("<h3>Passport</h3>"), "{office_page}");
    // French and Arabic pages keep their names.
    assert!(
        text(app, &format!("/book/{site}/{SERVICE}?lang=fr"))
            .await
            .contains(">Passeport</span>")
    );
    assert!(
        text(app, &format!("/book/{site}/{SERVICE}?lang=ar"))
            .await
            .contains(">جواز السفر</span>")
    );

    // The admin set-up page shows the field, and saving it blank clears it.
    let form_path = format!("/admin/sites/{site}/services/{SERVICE}");
    let form = forms::open(app, Some(&office.admin), &form_path).await;
    assert!(
        form.html.contains(r#"name="name_en" value="Passport""#),
        "{}",
        form.html
    );
    let fields = [
        ("prefix", "P"),
        ("name", "Passeport"),
        ("name_ar", "جواز السفر"),
        ("name_en", ""),
        ("walk_in", "1"),
        ("in_person", "1"),
        ("video", "1"),
        ("slot_minutes", "30"),
        ("slot_capacity", "2"),
        ("min_notice_minutes", "0"),
        ("horizon_days", "60"),
        ("service_minutes", "10"),
        ("target_wait_minutes", "30"),
        ("processing_days", "0"),
    ];
    let saved = forms::send(app, &office.admin, &form_path, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let read = app.get(&format!("/api/v1/sites/{site}"), None).await;
    assert!(
        read.body["services"][0]["name_en"].is_null(),
        "{}",
        read.body
    );
}

#[tokio::test]
async fn the_english_guide_names_a_service_in_english_or_in_french_marked() {
    let office = casablanca_office(Backend::Sqlite, MONDAY_MORNING).await;
    let (app, site) = (&office.app, &office.site);
    let (index, procedure) = ("/guide?lang=en", format!("/guide/{site}/{SERVICE}?lang=en"));
    let marked = r#"<span lang="fr" class="fallback">Passeport</span>"#;
    let page = text(app, index).await;
    assert!(page.contains(marked), "{page}");
    let page = text(app, &procedure).await;
    assert!(
        page.contains(r#"<h1 lang="fr" class="fallback">Passeport</h1>"#),
        "{page}"
    );

    let path = format!("/api/v1/sites/{site}/services/{SERVICE}");
    let patched = app
        .patch(&path, Some(&office.admin), json!({"name_en": "Passport"}))
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let page = text(app, index).await;
    assert!(page.contains("<span>Passport</span>"), "{page}");
    assert!(!page.contains(marked), "{page}");
    let page = text(app, &procedure).await;
    assert!(page.contains("<h1>Passport</h1>"), "{page}");
}
