//! Sites the admin tests set up through the API.

use guichet::domain::role::Role;
use guichet_test_support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A site with two services (`residence` A, `signature` B) and one
/// counter (`{site}-g1`) handling both.
pub async fn seed_site(app: &TestApp, admin: &str, site: &str) {
    let created = app
        .post("/api/v1/sites", Some(admin), site_body(site))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    for (id, prefix) in [("residence", "A"), ("signature", "B")] {
        let body = json!({"id": id, "prefix": prefix, "name": format!("Service {id}"), "walk_in": true,
            "appointment_modes": ["in_person"], "slot_minutes": 15, "slot_capacity": 2,
            "service_minutes": 5, "required_documents": [{"name": "CIN", "name_ar": "البطاقة الوطنية"}],
            "processing_days": 2});
        let answer = app
            .post(&format!("/api/v1/sites/{site}/services"), Some(admin), body)
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    let counter = json!({"id": format!("{site}-g1"), "label": "Guichet 1", "services": ["residence", "signature"]});
    let answer = app
        .post(
            &format!("/api/v1/sites/{site}/counters"),
            Some(admin),
            counter,
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
}

/// A site open around the clock in `timezone`, with services `residence`
/// (A) and `signature` (B), and `counters` counters handling both, each
/// opened by its own agent. Returns the agents' tokens, counter by counter
/// (`{site}-g1`, `{site}-g2`, …).
pub async fn open_site(
    app: &TestApp,
    admin: &str,
    site: &str,
    timezone: &str,
    counters: usize,
) -> Vec<String> {
    let hours = guichet_test_support::around_the_clock();
    let body = json!({"id": site, "name": format!("Annexe {site}"), "timezone": timezone, "opening_hours": hours});
    let created = app.post("/api/v1/sites", Some(admin), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    for (id, prefix) in [("residence", "A"), ("signature", "B")] {
        let body = json!({"id": id, "prefix": prefix, "name": format!("Service {id}"), "service_minutes": 5});
        let answer = app
            .post(&format!("/api/v1/sites/{site}/services"), Some(admin), body)
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    let mut agents = Vec::new();
    for i in 1..=counters {
        let counter = format!("{site}-g{i}");
        let body = json!({"id": counter, "label": format!("Guichet {i}"), "services": ["residence", "signature"]});
        let answer = app
            .post(&format!("/api/v1/sites/{site}/counters"), Some(admin), body)
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        let agent = app
            .add_staff(&format!("{site}-agent{i}"), Role::Agent, site)
            .await;
        let opened = app
            .post(
                &format!("/api/v1/counters/{counter}/open"),
                Some(&agent),
                json!({}),
            )
            .await;
        assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
        agents.push(agent);
    }
    agents
}

pub fn site_body(id: &str) -> Value {
    json!({
        "id": id,
        "name": format!("Annexe {id}"),
        "name_ar": "الملحقة الإدارية",
        "timezone": "Africa/Casablanca",
        "opening_hours": {"mon": [["08:30", "12:00"], ["14:00", "16:30"]], "fri": [["08:30", "11:30"]]},
        "closures": ["2026-12-25"],
    })
}
