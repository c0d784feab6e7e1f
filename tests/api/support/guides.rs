//! A service's guide as the guide tests write it: `residence` of the
//! office `anfa` (`sites::seed_site`), in French, Arabic and English.

use super::sites::seed_site;
use guichet_test_support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const GUIDE: &str = "/api/v1/sites/anfa/services/residence/guide";

pub fn texts(fr: &str, ar: &str, en: &str) -> Value {
    json!({"fr": fr, "ar": ar, "en": en})
}

pub fn residence_guide() -> Value {
    json!({
        "summary": texts("Atteste votre adresse.", "تثبت عنوانكم.", "Proves your address."),
        "steps": [
            texts("Prenez un ticket.", "خذوا تذكرة.", "Take a ticket."),
            texts("Présentez vos pièces.", "قدموا وثائقكم.", "Hand in your documents."),
        ],
        "fees": texts("Gratuit", "مجانا", "Free"),
        "eligibility": texts("Tout résident majeur.", "كل قاطن راشد.", "Any adult resident."),
        "channels": ["counter", "online", "kiosk"],
    })
}

/// An office `anfa` whose `residence` has the guide above.
pub async fn office_with_guide(app: &TestApp) -> String {
    let admin = app.admin().await;
    seed_site(app, &admin, "anfa").await;
    let answer = app
        .call(Method::PUT, GUIDE, Some(&admin), Some(residence_guide()))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    admin
}

/// A page as a browser without JavaScript gets it, with its headers.
pub async fn page(app: &TestApp, path: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = reqwest::get(format!("{}{path}", app.base))
        .await
        .expect("sent");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.expect("text"))
}
