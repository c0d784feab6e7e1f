//! The digital guide of procedures: an admin writes a service's guide
//! (API and admin form), anyone reads it as `guide` on the service with
//! each text in `{fr, ar, en}`; bad input changes nothing. The pages that
//! show it are in `guide_pages`.

use crate::support::forms::{open, post, send};
use crate::support::guides::{office_with_guide, page, residence_guide, texts};
use crate::support::sites::seed_site;
use guichet::domain::role::Role;
use guichet_test_support::{Answer, Backend, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const SERVICE: &str = "/api/v1/sites/anfa/services/residence";
const GUIDE: &str = "/api/v1/sites/anfa/services/residence/guide";

async fn put(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> Answer {
    app.call(Method::PUT, path, token, Some(body)).await
}

async fn guide_of(app: &TestApp) -> Value {
    let answer = app.get(SERVICE, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["guide"].clone()
}

async fn an_admin_sets_a_guide_and_anyone_reads_it_in_three_languages(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let before = app.get(SERVICE, None).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert_eq!(before.body["id"], "residence");
    assert_eq!(before.body["guide"], Value::Null);

    let answer = put(&app, GUIDE, Some(&admin), residence_guide()).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let answer = app.get(SERVICE, None).await;
    assert!(
        answer.headers["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public"),
        "{:?}",
        answer.headers
    );
    let guide = &answer.body["guide"];
    assert_eq!(
        guide["summary"],
        texts(
            "Atteste votre adresse.",
            "تثبت عنوانكم.",
            "Proves your address."
        )
    );
    assert_eq!(guide["steps"][1]["ar"], "قدموا وثائقكم.");
    assert_eq!(guide["steps"].as_array().map(Vec::len), Some(2));
    assert_eq!(guide["fees"]["en"], "Free");
    assert_eq!(guide["eligibility"]["fr"], "Tout résident majeur.");
    // The service's own documents and delay, not a copy.
    assert_eq!(
        guide["documents"],
        json!([{"fr": "CIN", "ar": "البطاقة الوطنية", "en": null}])
    );
    assert_eq!(guide["processing_days"], 2);
    assert_eq!(guide["channels"], json!(["online", "kiosk", "counter"]));
    let patched = app
        .patch(
            SERVICE,
            Some(&admin),
            json!({"processing_days": 4,
            "required_documents": [{"name": "Facture", "name_ar": "فاتورة"}]}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let guide = guide_of(&app).await;
    assert_eq!(guide["processing_days"], 4);
    assert_eq!(guide["documents"][0]["ar"], "فاتورة");

    // Audit-logged like every admin change.
    app.app.audit.flush().await;
    let log = app.get("/api/v1/audit", Some(&admin)).await;
    let logged = log.body["entries"].as_array().unwrap().iter().any(|e| {
        e["action"] == "PUT /api/v1/sites/{site}/services/{service}/guide"
            && e["target"] == "service:residence"
            && e["status"] == 200
    });
    assert!(logged, "{}", log.body);

    // In the OpenAPI document.
    let doc = app.get("/api/v1/openapi.json", None).await;
    let paths = &doc.body["paths"];
    assert!(paths["/api/v1/sites/{site}/services/{service}"]["get"].is_object());
    assert!(paths["/api/v1/sites/{site}/services/{service}/guide"]["put"].is_object());
}

async fn bad_guides_change_nothing(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = office_with_guide(&app).await;
    let stored = guide_of(&app).await;
    let with = |key: &str, value: Value| {
        let mut body = residence_guide();
        body[key] = value;
        body
    };
    let long = "ب".repeat(601);
    let cases = [
        (with("summary", texts("Ok", &long, "Ok")), "invalid_summary"),
        (
            with("fees", texts("Gratuit", "مجانا", "  ")),
            "invalid_fees",
        ),
        (with("steps", json!([])), "invalid_steps"),
        (
            with("steps", Value::Array(vec![texts("a", "b", "c"); 16])),
            "invalid_steps",
        ),
        (
            with("channels", json!(["kiosk", "kiosk"])),
            "invalid_channels",
        ),
        (with("channels", json!([])), "invalid_channels"),
    ];
    for (body, code) in cases {
        let answer = put(&app, GUIDE, Some(&admin), body).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            answer.body
        );
        assert_eq!(answer.code(), code, "{}", answer.body);
    }
    let unknown_channel = put(&app, GUIDE, Some(&admin), with("channels", json!(["fax"]))).await;
    assert!(
        unknown_channel.status.is_client_error(),
        "{}",
        unknown_channel.body
    );
    let unknown_field = put(&app, GUIDE, Some(&admin), with("price", json!(3))).await;
    assert!(
        unknown_field.status.is_client_error(),
        "{}",
        unknown_field.body
    );

    let elsewhere = "/api/v1/sites/anfa/services/nothing/guide";
    let answer = put(&app, elsewhere, Some(&admin), residence_guide()).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    let no_site = "/api/v1/sites/nowhere/services/residence/guide";
    let answer = put(&app, no_site, Some(&admin), residence_guide()).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    assert_eq!(
        app.get("/api/v1/sites/anfa/services/nothing", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let changed = with("fees", texts("10 DH", "10 دراهم", "10 MAD"));
    let supervisor = app.add_staff("chef", Role::Supervisor, "anfa").await;
    let agent = app.add_staff("agent", Role::Agent, "anfa").await;
    for (token, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(supervisor.as_str()), StatusCode::FORBIDDEN),
        (Some(agent.as_str()), StatusCode::FORBIDDEN),
    ] {
        let answer = put(&app, GUIDE, token, changed.clone()).await;
        assert_eq!(answer.status, status, "{}", answer.body);
    }
    assert_eq!(guide_of(&app).await, stored);
    assert_eq!(app.count("service_guides").await, 1);
}

async fn an_admin_writes_the_guide_from_the_service_form(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let path = "/admin/sites/anfa/services/residence/guide";
    let service_form = open(&app, Some(&admin), "/admin/sites/anfa/services/residence").await;
    assert!(
        service_form.html.contains(&format!("href=\"{path}\"")),
        "{}",
        service_form.html
    );
    let form = open(&app, Some(&admin), path).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("name=\"step_0_fr\""), "{}", form.html);

    let mut fields = vec![
        ("summary_fr", "Atteste votre adresse."),
        ("summary_ar", "تثبت عنوانكم."),
        ("summary_en", "Proves your address."),
        ("eligibility_fr", "Tout résident."),
        ("eligibility_ar", "كل قاطن."),
        ("eligibility_en", "Any resident."),
        ("fees_fr", "Gratuit"),
        ("fees_ar", "مجانا"),
        ("fees_en", "Free"),
        ("step_0_fr", "Venir"),
        ("step_0_ar", "الحضور"),
        ("step_0_en", "Come"),
        ("step_1_fr", ""),
        ("step_1_ar", ""),
        ("step_1_en", ""),
        ("channel_counter", "1"),
    ];
    // Without its CSRF field, a form changes nothing.
    let forged = post(&app, &admin, path, &fields).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // A supervisor may not.
    let supervisor = app.add_staff("chef", Role::Supervisor, "anfa").await;
    let refused = send(&app, &supervisor, path, &fields).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("service_guides").await, 0);

    let saved = send(&app, &admin, path, &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(saved.location, format!("{path}?saved=1"));
    let guide = guide_of(&app).await;
    assert_eq!(guide["steps"], json!([texts("Venir", "الحضور", "Come")]));
    assert_eq!(guide["channels"], json!(["counter"]));
    let (_, _, html) = page(&app, "/guide/anfa/residence?lang=fr").await;
    assert!(html.contains("Uniquement au guichet"), "{html}");

    // A step without its Arabic is refused in place, with what was typed.
    fields[10] = ("step_0_ar", "");
    let again = send(&app, &admin, path, &fields).await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.html
    );
    assert!(again.html.contains("value=\"Venir\""), "{}", again.html);
    assert!(again.html.contains("id=\"form-error\""), "{}", again.html);
    assert_eq!(guide_of(&app).await, guide);
}

on_both_backends!(
    an_admin_sets_a_guide_and_anyone_reads_it_in_three_languages,
    bad_guides_change_nothing,
    an_admin_writes_the_guide_from_the_service_form,
);

#[tokio::test]
async fn the_demo_office_has_a_guide_for_each_service_in_three_languages() {
    let app = TestApp::builder().spawn().await;
    guichet::app::demo::seed(&app.app).await.expect("seeded");
    let site = app.get("/api/v1/sites/casa-anfa", None).await;
    let services = site.body["services"].as_array().expect("services").clone();
    assert_eq!(services.len(), 7);
    for service in services {
        let id = service["id"].as_str().unwrap();
        let answer = app
            .get(&format!("/api/v1/sites/casa-anfa/services/{id}"), None)
            .await;
        let guide = &answer.body["guide"];
        for lang in ["fr", "ar", "en"] {
            assert!(
                guide["summary"][lang]
                    .as_str()
                    .is_some_and(|t| !t.is_empty()),
                "{id}: {guide}"
            );
            assert!(guide["steps"][0][lang].is_string(), "{id}: {guide}");
        }
    }
    let (status, _, html) = page(&app, "/guide/casa-anfa/signature?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Only at the counter"), "{html}");
}
