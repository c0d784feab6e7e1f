//! The walk-in queue's calls that many tests make: a kiosk, a ticket,
//! calling the next one and finishing it.

use guichet_test_support::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

pub async fn issue(app: &TestApp, token: &str, site: &str, body: Value) -> Value {
    let answer = app
        .post(&format!("/api/v1/sites/{site}/tickets"), Some(token), body)
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body
}

pub async fn kiosk(app: &TestApp, admin: &str, site: &str) -> String {
    let device = app
        .post(
            &format!("/api/v1/sites/{site}/devices"),
            Some(admin),
            json!({"kind": "kiosk", "label": "Borne"}),
        )
        .await;
    device.body["token"].as_str().unwrap().to_owned()
}

pub async fn call_next(app: &TestApp, agent: &str, counter: &str) -> (StatusCode, Value) {
    let answer = app
        .post(
            &format!("/api/v1/counters/{counter}/call-next"),
            Some(agent),
            json!({}),
        )
        .await;
    (answer.status, answer.body)
}

pub async fn finish(app: &TestApp, agent: &str, ticket: &Value) {
    let id = ticket["id"].as_str().unwrap();
    let done = app
        .post(
            &format!("/api/v1/tickets/{id}/complete"),
            Some(agent),
            json!({}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
}

/// The site's event log, after checking that its numbers run from 1
/// without a gap.
pub async fn gap_free_events(app: &TestApp, site: &str) -> Vec<guichet::store::events::EventRow> {
    let events = guichet::store::events::since(&app.app.db, site, 0, 10_000)
        .await
        .unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (1..=events.len() as i64).collect::<Vec<_>>(),
        "strictly increasing, no gap"
    );
    events
}
