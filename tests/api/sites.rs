//! Sites and services: creation, partial updates, and invalid input that
//! gets its 4xx and changes nothing.

use crate::support::sites::{seed_site, site_body};
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    site_is_created_and_read_publicly,
    invalid_sites_change_nothing,
    partial_update_keeps_the_rest,
    invalid_services_change_nothing,
    service_update_and_prefix_conflicts,
);

async fn site_is_created_and_read_publicly(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let site = app.get("/api/v1/sites/anfa", None).await;
    assert_eq!(site.status, StatusCode::OK);
    assert_eq!(site.body["timezone"], "Africa/Casablanca");
    assert_eq!(
        site.body["verify_phone"], true,
        "phones are verified unless said otherwise"
    );
    assert_eq!(
        site.body["opening_hours"]["mon"],
        json!([["08:30", "12:00"], ["14:00", "16:30"]])
    );
    assert_eq!(site.body["closures"], json!(["2026-12-25"]));
    let services = site.body["services"].as_array().unwrap();
    assert_eq!(services.len(), 2);
    assert_eq!(services[0]["prefix"], "A");
    assert_eq!(
        services[0]["required_documents"][0]["name_ar"],
        "البطاقة الوطنية"
    );
    assert_eq!(
        app.get("/api/v1/sites/nowhere", None).await.status,
        StatusCode::NOT_FOUND
    );
    let again = app
        .post("/api/v1/sites", Some(&admin), site_body("anfa"))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.code(), "site_exists");
}

/// Snapshot of what a client can see of the configuration.
async fn state(app: &TestApp) -> (i64, i64, Value) {
    (
        app.count("sites").await,
        app.count("services").await,
        app.get("/api/v1/sites/anfa", None).await.body,
    )
}

async fn invalid_sites_change_nothing(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let before = state(&app).await;
    let with = |field: &str, value: Value| {
        let mut body = site_body("new-site");
        body[field] = value;
        body
    };
    let cases = [
        (
            with("timezone", json!("Africa/Atlantis")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_timezone",
        ),
        (
            with("id", json!("Nouvelle Annexe")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_id",
        ),
        (
            with("id", json!("")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_id",
        ),
        (
            with(
                "opening_hours",
                json!({"mon": [["08:30", "12:00"], ["11:30", "16:00"]]}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_opening_hours",
        ),
        (
            with("opening_hours", json!({"mon": [["16:00", "08:00"]]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_opening_hours",
        ),
        (
            with("opening_hours", json!({"lundi": [["08:00", "12:00"]]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_opening_hours",
        ),
        (
            with("closures", json!(["25/12/2026"])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_closures",
        ),
        (
            with("name", json!("   ")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
        ),
        (
            with("verify_phone", json!("yes")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            with("colour", json!("blue")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"id": "only-id"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let answer = app.post("/api/v1/sites", Some(&admin), body.clone()).await;
        assert_eq!(
            (answer.status, answer.code()),
            (status, code),
            "{body} → {}",
            answer.body
        );
    }
    let raw = app
        .http
        .post(format!("{}/api/v1/sites", app.base))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{\"id\": \"x\",")
        .send()
        .await
        .unwrap();
    assert_eq!(
        raw.status(),
        StatusCode::BAD_REQUEST,
        "malformed JSON is a 400"
    );
    assert_eq!(state(&app).await, before);
}

async fn partial_update_keeps_the_rest(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let patched = app
        .patch(
            "/api/v1/sites/anfa",
            Some(&admin),
            json!({"name": "Annexe Anfa", "min_recalls": 2, "verify_phone": false}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(patched.body["name"], "Annexe Anfa");
    assert_eq!(patched.body["min_recalls"], 2);
    assert_eq!(patched.body["verify_phone"], false);
    assert_eq!(
        patched.body["timezone"], "Africa/Casablanca",
        "untouched fields stay"
    );
    assert_eq!(
        patched.body["opening_hours"]["fri"],
        json!([["08:30", "11:30"]])
    );

    let before = state(&app).await;
    for body in [
        json!({"name": "Ok", "timezone": "Nowhere/Else"}),
        json!({"opening_hours": {"tue": [["09:00", "12:00"], ["10:00", "11:00"]]}}),
        json!({"min_recalls": 99}),
        json!({"priority_streak_max": 0}),
    ] {
        let answer = app
            .patch("/api/v1/sites/anfa", Some(&admin), body.clone())
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    assert_eq!(
        state(&app).await,
        before,
        "a refused patch changes no field, not even the valid ones"
    );
    let missing = app
        .patch("/api/v1/sites/nowhere", Some(&admin), json!({"name": "X"}))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

async fn invalid_services_change_nothing(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let before = state(&app).await;
    let service = |changes: Value| {
        let mut body = json!({"id": "life", "prefix": "D", "name": "Certificat de vie", "name_ar": "شهادة الحياة"});
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (
            service(json!({"prefix": "A"})),
            StatusCode::CONFLICT,
            "prefix_taken",
        ),
        (
            service(json!({"id": "residence", "prefix": "Z"})),
            StatusCode::CONFLICT,
            "service_exists",
        ),
        (
            service(json!({"prefix": "d"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_prefix",
        ),
        (
            service(json!({"prefix": "DD"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_prefix",
        ),
        (
            service(json!({"id": "Vie!"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_id",
        ),
        (
            service(json!({"appointment_modes": ["phone"]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_appointment_modes",
        ),
        (
            service(json!({"slot_minutes": 0})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_slot_minutes",
        ),
        (
            service(json!({"appointment_modes": ["video"], "slot_capacity": 0})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_slot_capacity",
        ),
        (
            service(json!({"required_documents": [{"name": ""}]})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_required_documents",
        ),
    ];
    for (body, status, code) in cases {
        let answer = app
            .post("/api/v1/sites/anfa/services", Some(&admin), body.clone())
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (status, code),
            "{body} → {}",
            answer.body
        );
    }
    let no_site = app
        .post(
            "/api/v1/sites/nowhere/services",
            Some(&admin),
            service(json!({})),
        )
        .await;
    assert_eq!(no_site.status, StatusCode::NOT_FOUND);
    assert_eq!(state(&app).await, before);
}

async fn service_update_and_prefix_conflicts(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    seed_site(&app, &admin, "maarif").await;
    let taken = app
        .patch(
            "/api/v1/sites/anfa/services/signature",
            Some(&admin),
            json!({"prefix": "A"}),
        )
        .await;
    assert_eq!(
        (taken.status, taken.code()),
        (StatusCode::CONFLICT, "prefix_taken")
    );
    let renamed = app
        .patch(
            "/api/v1/sites/anfa/services/signature",
            Some(&admin),
            json!({"prefix": "L", "appointment_modes": ["in_person", "video"], "service_minutes": 7}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(renamed.body["prefix"], "L");
    assert_eq!(
        renamed.body["appointment_modes"],
        json!(["in_person", "video"])
    );
    assert_eq!(renamed.body["name"], "Service signature");
    // Prefixes are per site: another office may use the same letters.
    let other = app.get("/api/v1/sites/maarif", None).await;
    assert_eq!(other.body["services"][1]["prefix"], "B");
    let missing = app
        .patch(
            "/api/v1/sites/anfa/services/nothing",
            Some(&admin),
            json!({"name": "X"}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
