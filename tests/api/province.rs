//! The province's view: a small stored history of two offices of one
//! province (and one of another) whose comparison is computed by hand, in
//! JSON and CSV, ranked by each column; who may read it (the province's
//! account and admins, never a site's supervisor or agent); a province
//! account reads but never acts; bad ranges.

use crate::support::province::{history, provinces, put};
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, STAFF_PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    a_known_history_gives_the_hand_computed_comparison,
    a_province_account_reads_only_its_sites_and_changes_nothing,
    site_staff_never_reach_the_province_view,
    bad_ranges_and_sorts_are_refused,
);

const RANGE: &str = "from=2026-11-02&to=2026-11-08";

fn office<'a>(comparison: &'a Value, site: &str) -> &'a Value {
    comparison["offices"]
        .as_array()
        .expect("offices")
        .iter()
        .find(|o| o["site"] == site)
        .unwrap_or_else(|| panic!("{site} in {comparison}"))
}

fn order(comparison: &Value) -> Vec<&str> {
    comparison["offices"]
        .as_array()
        .expect("offices")
        .iter()
        .map(|o| o["site"].as_str().expect("a site"))
        .collect()
}

async fn a_known_history_gives_the_hand_computed_comparison(backend: Backend) {
    let (app, admin) = provinces(backend).await;
    history(&app).await;
    let path = format!("/api/v1/provinces/casa/comparison?{RANGE}");
    let answer = app.get(&path, Some(&admin)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let c = &answer.body;
    assert_eq!(c["from"], "2026-11-02");
    assert_eq!(c["to"], "2026-11-08");
    assert_eq!(order(c), ["anfa", "maarif"], "by site, without agdal");
    let anfa = office(c, "anfa");
    let figures = |o: &Value| {
        json!({"visits": o["visits"], "served": o["served"],
            "median_wait_seconds": o["median_wait_seconds"], "p90_wait_seconds": o["p90_wait_seconds"],
            "median_service_seconds": o["median_service_seconds"], "no_shows": o["no_shows"],
            "no_show_share": o["no_show_share"], "requests_ready": o["requests_ready"],
            "requests_on_time_share": o["requests_on_time_share"], "complaints_due": o["complaints_due"],
            "complaints_in_time_share": o["complaints_in_time_share"],
            "feedback_answers": o["feedback_answers"], "feedback_score": o["feedback_score"],
            "appointments_due": o["appointments_due"],
            "appointments_kept_share": o["appointments_kept_share"]})
    };
    assert_eq!(
        figures(anfa),
        json!({"visits": 4, "served": 2, "median_wait_seconds": 240.0, "p90_wait_seconds": 600.0,
            "median_service_seconds": 300.0, "no_shows": 1, "no_show_share": 0.333,
            "requests_ready": 2, "requests_on_time_share": 0.5, "complaints_due": 2,
            "complaints_in_time_share": 0.5, "feedback_answers": 2, "feedback_score": 3.5,
            "appointments_due": 2, "appointments_kept_share": 0.5})
    );
    assert_eq!(
        figures(office(c, "maarif")),
        json!({"visits": 1, "served": 1, "median_wait_seconds": 60.0, "p90_wait_seconds": 60.0,
            "median_service_seconds": 120.0, "no_shows": 0, "no_show_share": 0.0,
            "requests_ready": 0, "requests_on_time_share": null, "complaints_due": 0,
            "complaints_in_time_share": null, "feedback_answers": 0, "feedback_score": null,
            "appointments_due": 1, "appointments_kept_share": 1.0})
    );
    // Ranks: 1 is the best; no value, no rank.
    assert_eq!(anfa["ranks"]["visits"], 1);
    assert_eq!(anfa["ranks"]["median_wait"], 2);
    assert_eq!(anfa["ranks"]["feedback_score"], 1);
    assert_eq!(office(c, "maarif")["ranks"]["median_wait"], 1);
    assert_eq!(office(c, "maarif")["ranks"].get("feedback_score"), None);
    for (sort, expected) in [
        ("median_wait", ["maarif", "anfa"]),
        ("visits", ["anfa", "maarif"]),
        ("no_show_share", ["maarif", "anfa"]),
        ("appointments_kept", ["maarif", "anfa"]),
        ("feedback_score", ["anfa", "maarif"]),
    ] {
        let sorted = app.get(&format!("{path}&sort={sort}"), Some(&admin)).await;
        assert_eq!(sorted.status, StatusCode::OK, "{}", sorted.body);
        assert_eq!(order(&sorted.body), expected, "sorted by {sort}");
        assert_eq!(sorted.body["sort"], sort);
    }
    csv_matches_json(&app, &admin, c).await;
}

/// The CSV has the JSON's columns and values, office by office.
async fn csv_matches_json(app: &TestApp, token: &str, comparison: &Value) {
    let response = app
        .http
        .get(format!(
            "{}/api/v1/provinces/casa/comparison.csv?{RANGE}",
            app.base
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("CSV answered");
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| crate::support::forms::header(&response, name);
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"comparison-casa-2026-11-02-2026-11-08.csv\""
    );
    let text = response.text().await.expect("CSV body");
    let (columns, rows) = crate::support::forms::csv_table(&text);
    assert_eq!(rows.len(), 2);
    for (row, office) in rows
        .iter()
        .zip(comparison["offices"].as_array().expect("offices"))
    {
        for (column, cell) in columns.iter().zip(row) {
            let json = match column.strip_prefix("rank_") {
                Some(name) => office["ranks"].get(name).cloned().unwrap_or(Value::Null),
                None => office[column].clone(),
            };
            let written = match &json {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let same =
                written == *cell || cell.parse::<f64>().ok() == json.as_f64() && json.is_number();
            assert!(same, "{column}: CSV {cell:?}, JSON {json}");
        }
    }
}

async fn a_province_account_reads_only_its_sites_and_changes_nothing(backend: Backend) {
    let (app, _admin) = provinces(backend).await;
    let head = app.login("casa-head", STAFF_PASSWORD).await;
    let head = Some(head.as_str());
    let own = app
        .get(&format!("/api/v1/provinces/casa/comparison?{RANGE}"), head)
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    let listed = app.get("/api/v1/provinces", head).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(
        listed.body,
        json!([{"id": "casa", "name": "Préfecture de Casablanca",
        "name_ar": "عمالة", "sites": ["anfa", "maarif"]}])
    );
    // Its sites' statistics, yes; another province's, or its sites', no.
    let stats = app
        .get(&format!("/api/v1/sites/anfa/stats?{RANGE}"), head)
        .await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    for path in [
        format!("/api/v1/provinces/rabat/comparison?{RANGE}"),
        format!("/api/v1/provinces/rabat/comparison.csv?{RANGE}"),
        "/api/v1/provinces/rabat".to_owned(),
        format!("/api/v1/sites/agdal/stats?{RANGE}"),
    ] {
        let refused = app.get(&path, head).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            refused.body
        );
    }
    // Acting on a queue or changing the set-up is refused, and changes nothing.
    let attempts = [
        ("post", "/api/v1/counters/anfa-g1/call-next", json!({})),
        ("post", "/api/v1/counters/anfa-g1/open", json!({})),
        (
            "patch",
            "/api/v1/sites/anfa/services/residence",
            json!({"name": "Autre"}),
        ),
        ("patch", "/api/v1/sites/anfa", json!({"name": "Autre"})),
        ("put", "/api/v1/provinces/casa", json!({"name": "Autre"})),
        ("put", "/api/v1/provinces/casa/sites/agdal", json!({})),
        (
            "post",
            "/api/v1/sites/anfa/tickets",
            json!({"service": "residence"}),
        ),
    ];
    for (method, path, body) in attempts {
        let answer = match method {
            "post" => app.post(path, head, body).await,
            "patch" => app.patch(path, head, body).await,
            _ => put(&app, path, head, body).await,
        };
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            answer.body
        );
    }
    assert_eq!(app.count("tickets").await, 0);
    let site = app.get("/api/v1/sites/anfa", None).await;
    assert_eq!(site.body["name"], "Annexe anfa");
    let casa = app.get("/api/v1/provinces/casa", head).await;
    assert_eq!(casa.body["sites"], json!(["anfa", "maarif"]));
}

async fn site_staff_never_reach_the_province_view(backend: Backend) {
    let (app, _admin) = provinces(backend).await;
    let supervisor = app.add_staff("anfa-boss", Role::Supervisor, "anfa").await;
    let agent = app.add_staff("anfa-clerk", Role::Agent, "anfa").await;
    for token in [&supervisor, &agent] {
        for path in [
            format!("/api/v1/provinces/casa/comparison?{RANGE}"),
            format!("/api/v1/provinces/casa/comparison.csv?{RANGE}"),
            "/api/v1/provinces".to_owned(),
            "/api/v1/provinces/casa".to_owned(),
        ] {
            let refused = app.get(&path, Some(token)).await;
            assert_eq!(
                refused.status,
                StatusCode::FORBIDDEN,
                "{path}: {}",
                refused.body
            );
        }
    }
    let anonymous = app
        .get(&format!("/api/v1/provinces/casa/comparison?{RANGE}"), None)
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    // A province role is not given through the accounts of the admin pages.
    let cli_only =
        guichet::app::auth::add_user(&app.app, "sneaky", Role::Province, None, STAFF_PASSWORD)
            .await;
    assert!(cli_only.is_err(), "a province account needs its province");
}

async fn bad_ranges_and_sorts_are_refused(backend: Backend) {
    let (app, admin) = provinces(backend).await;
    let admin = Some(admin.as_str());
    for (query, code) in [
        ("from=2026-11-09&to=2026-11-08", "invalid_range"),
        ("from=2025-01-01&to=2026-11-08", "invalid_range"),
        ("from=2026-13-01&to=2026-11-08", "invalid_from"),
        ("from=2026-11-01&to=yesterday", "invalid_to"),
        ("from=2026-11-01&to=2026-11-08&sort=wait", "invalid_sort"),
    ] {
        for suffix in ["", ".csv"] {
            let path = format!("/api/v1/provinces/casa/comparison{suffix}?{query}");
            let answer = app.get(&path, admin).await;
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
            assert_eq!(answer.code(), code, "{path}: {}", answer.body);
        }
    }
    let unknown = app
        .get(
            &format!("/api/v1/provinces/nowhere/comparison?{RANGE}"),
            admin,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    let bad_name = put(&app, "/api/v1/provinces/casa", admin, json!({"name": " "})).await;
    assert_eq!(bad_name.code(), "invalid_name", "{}", bad_name.body);
    let bad_id = put(
        &app,
        "/api/v1/provinces/Casa%20Nord",
        admin,
        json!({"name": "X"}),
    )
    .await;
    assert_eq!(bad_id.code(), "invalid_province", "{}", bad_id.body);
}
