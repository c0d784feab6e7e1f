//! Readiness, metrics and the OpenAPI document.

use crate::support::sites::open_site;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    ready_and_healthy,
    metrics_count_requests_by_route,
    metrics_follow_queues_calls_and_the_outbox,
    openapi_lists_the_routes,
    openapi_lists_the_errors_clients_get,
    unknown_routes_are_json_404s
);

async fn ready_and_healthy(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(ready.body["database"], "ok");
    assert_eq!(ready.body["replica"], "none", "no replica configured");
    assert!(ready.body["tzdb"].as_str().unwrap() >= "2026c");
    app.app.db.close().await;
    let down = app.get("/readyz", None).await;
    assert_eq!(
        down.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "a closed database is not ready"
    );
    let write = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "admin", "password": "x"}),
        )
        .await;
    assert_eq!(
        write.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "fails fast with 503, not 500"
    );
    assert_eq!(write.code(), "unavailable");
    assert_eq!(
        write.headers["retry-after"], "1",
        "clients are told when to try again"
    );
}

async fn metrics_count_requests_by_route(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    for _ in 0..3 {
        app.get("/api/v1/sites/nowhere", None).await;
    }
    let text = app
        .http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains(r#"guichet_http_requests_total{method="GET",route="/api/v1/sites/{site}",status="404"} 3"#),
        "{text}"
    );
    assert!(text.contains("guichet_http_request_duration_seconds_bucket"));
}

/// What a supervisor's dashboard reads: tickets waiting per service, calls
/// and no-shows, and the messages not sent yet.
async fn metrics_follow_queues_calls_and_the_outbox(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let issue = |service: &'static str, phone: Option<&'static str>| {
        let mut body = json!({"service": service});
        if let Some(phone) = phone {
            body["phone"] = json!(phone);
        }
        app.post("/api/v1/sites/anfa/tickets", Some(&agents[0]), body)
    };
    for _ in 0..3 {
        assert_eq!(issue("residence", None).await.status, StatusCode::CREATED);
    }
    let with_phone = issue("signature", Some("+212612345678")).await;
    assert_eq!(with_phone.status, StatusCode::CREATED);
    let called = app
        .post(
            "/api/v1/counters/anfa-g1/call-next",
            Some(&agents[0]),
            json!({}),
        )
        .await;
    assert_eq!(called.status, StatusCode::OK, "{}", called.body);
    assert_eq!(called.body["service"], "residence");

    let text = app.metrics().await;
    for line in [
        r#"guichet_waiting_tickets{site="anfa",service="residence"} 2"#,
        r#"guichet_waiting_tickets{site="anfa",service="signature"} 1"#,
        r#"guichet_site_events_total{site="anfa",kind="ticket.called"} 1"#,
        r#"guichet_site_events_total{site="anfa",kind="ticket.issued"} 4"#,
        "guichet_live_subscribers 0",
    ] {
        assert!(text.contains(line), "missing {line} in\n{text}");
    }
    let pending: i64 = text
        .lines()
        .filter(|l| l.starts_with("guichet_outbox_messages{status=\"pending\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<i64>().ok())
        .sum();
    assert_eq!(
        pending,
        app.count("notifications WHERE status = 'pending'").await,
        "the outbox depth is the table's"
    );
}

async fn openapi_lists_the_routes(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let paths = doc.body["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/sites", "post"),
        ("/api/v1/sites/{site}", "get"),
        ("/api/v1/sites/{site}", "patch"),
        ("/api/v1/sites/{site}/services", "post"),
        ("/api/v1/sites/{site}/services/{service}", "patch"),
        ("/api/v1/sites/{site}/counters", "post"),
        ("/api/v1/sites/{site}/counters/{counter}", "patch"),
        ("/api/v1/counters/{counter}/open", "post"),
        ("/api/v1/counters/{counter}/pause", "post"),
        ("/api/v1/counters/{counter}/close", "post"),
        ("/api/v1/sites/{site}/devices", "post"),
        ("/api/v1/devices/{id}", "delete"),
        ("/api/v1/sites/{site}/requests", "post"),
        ("/api/v1/tickets/{id}/requests", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    assert!(doc.body["components"]["schemas"]["NewSite"].is_object());
}

async fn unknown_routes_are_json_404s(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let answer = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(
        (answer.status, answer.code()),
        (StatusCode::NOT_FOUND, "not_found")
    );
}

/// What the extractors answer (no token, a body that is not JSON, JSON of
/// the wrong shape, an unknown id) is what the document says each
/// operation can answer.
async fn openapi_lists_the_errors_clients_get(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let doc = app.get("/api/v1/openapi.json", None).await.body;
    let documented = |method: &str, path: &str, status: StatusCode| {
        let responses = &doc["paths"][path][method]["responses"];
        let listed = responses.get(status.as_str()).is_some();
        assert!(
            listed,
            "{method} {path} answers {status}, not in {responses}"
        );
        let schema = &responses[status.as_str()]["content"]["application/json"]["schema"];
        assert_eq!(schema["$ref"], "#/components/schemas/ErrorBody", "{path}");
    };

    let revoke = app
        .call(reqwest::Method::DELETE, "/api/v1/devices/nope", None, None)
        .await;
    assert_eq!(revoke.status, StatusCode::UNAUTHORIZED);
    documented("delete", "/api/v1/devices/{id}", revoke.status);

    let not_json = app
        .http
        .post(format!("{}/api/v1/sites", app.base))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request sent");
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    documented("post", "/api/v1/sites", not_json.status());

    let wrong_shape = app
        .post("/api/v1/sites", Some(&admin), json!({"id": 7}))
        .await;
    assert_eq!(wrong_shape.status, StatusCode::UNPROCESSABLE_ENTITY);
    documented("post", "/api/v1/sites", wrong_shape.status);

    let unknown = app
        .post("/api/v1/tickets/nope/start", Some(&admin), json!({}))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    documented("post", "/api/v1/tickets/{id}/start", unknown.status);
}
