//! The lobby announcements of a site: public to read, replaced as a whole
//! by an admin or the site's supervisor, checked before anything changes.

use crate::support::sites::seed_site;
use guichet::domain::role::Role;
use guichet_test_support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PATH: &str = "/api/v1/sites/anfa/announcements";

async fn put(app: &TestApp, token: Option<&str>, body: Value) -> guichet_test_support::Answer {
    app.call(Method::PUT, PATH, token, Some(body)).await
}

async fn shown(app: &TestApp) -> Value {
    let answer = app.get(PATH, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["announcements"].clone()
}

#[tokio::test]
async fn a_supervisor_replaces_the_announcements_and_anyone_reads_them() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    seed_site(&app, &admin, "maarif").await;
    assert_eq!(shown(&app).await, json!([]));

    let list = json!({"announcements": [
        {"text_fr": "  Pensez à apporter votre CIN. ", "text_ar": "المرجو إحضار البطاقة الوطنية للتعريف."},
        {"text_fr": "Fermé le 25 décembre.", "text_ar": "مغلق يوم 25 دجنبر."},
    ]});
    assert_eq!(
        put(&app, None, list.clone()).await.status,
        StatusCode::UNAUTHORIZED
    );
    let agent = app.add_staff("agent", Role::Agent, "anfa").await;
    assert_eq!(
        put(&app, Some(&agent), list.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let other = app
        .add_staff("boss-maarif", Role::Supervisor, "maarif")
        .await;
    assert_eq!(
        put(&app, Some(&other), list.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(shown(&app).await, json!([]));

    let supervisor = app.add_staff("boss", Role::Supervisor, "anfa").await;
    let answer = put(&app, Some(&supervisor), list).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let now = shown(&app).await;
    assert_eq!(now[0]["text_fr"], "Pensez à apporter votre CIN.");
    assert_eq!(now[1]["text_ar"], "مغلق يوم 25 دجنبر.");
    assert_eq!(now.as_array().map(Vec::len), Some(2));

    let answer = put(
        &app,
        Some(&admin),
        json!({"announcements": [{"text_fr": "Nouveau", "text_ar": "جديد"}]}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        shown(&app).await,
        json!([{"text_fr": "Nouveau", "text_ar": "جديد"}])
    );
    assert_eq!(
        app.get("/api/v1/sites/nowhere/announcements", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let openapi = app.get("/api/v1/openapi.json", None).await.body;
    let documented = &openapi["paths"]["/api/v1/sites/{site}/announcements"];
    assert!(documented["get"].is_object() && documented["put"].is_object());
}

#[tokio::test]
async fn bad_announcements_are_refused_and_change_nothing() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let kept = json!([{"text_fr": "Bienvenue", "text_ar": "مرحبا"}]);
    let answer = put(&app, Some(&admin), json!({"announcements": kept})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);

    let item = json!({"text_fr": "Texte", "text_ar": "نص"});
    let bad = [
        json!({"announcements": vec![item.clone(); 21]}),
        json!({"announcements": [{"text_fr": "Texte"}]}),
        json!({"announcements": [{"text_fr": "Texte", "text_ar": "   "}]}),
        json!({"announcements": [{"text_fr": "", "text_ar": "نص"}]}),
        json!({"announcements": [{"text_fr": "x".repeat(281), "text_ar": "نص"}]}),
        json!({"announcements": [item.clone(), {"text_fr": "Texte", "text_ar": null}]}),
        json!({"announcements": "Bienvenue"}),
    ];
    for body in bad {
        let answer = put(&app, Some(&admin), body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            answer.body
        );
        assert_eq!(shown(&app).await, kept, "{body} changed the list");
    }
    let longest = "ش".repeat(280);
    let twenty =
        json!({"announcements": vec![json!({"text_fr": "x".repeat(280), "text_ar": longest}); 20]});
    assert_eq!(put(&app, Some(&admin), twenty).await.status, StatusCode::OK);
    assert_eq!(shown(&app).await.as_array().map(Vec::len), Some(20));
}
