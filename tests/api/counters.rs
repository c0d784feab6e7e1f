//! Counters: their services, their states, and one agent per counter and
//! one counter per agent, settled by the database under concurrency.

use crate::support::sites::seed_site;
use futures::future::join_all;
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    counters_validate_their_services,
    open_pause_close,
    one_agent_per_counter_and_one_counter_per_agent,
    concurrent_opens_of_one_counter_have_one_winner,
    counter_changes_are_events_without_gaps,
);

async fn counters_validate_their_services(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    seed_site(&app, &admin, "maarif").await;
    let before = (
        app.count("counters").await,
        app.count("counter_services").await,
    );
    let cases = [
        (
            json!({"id": "g9", "label": "Guichet 9", "services": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_services",
        ),
        (
            json!({"id": "g9", "label": "Guichet 9", "services": ["passport"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_services",
        ),
        (
            json!({"id": "g9", "label": "Guichet 9", "services": ["residence", "residence"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_services",
        ),
        (
            json!({"id": "G 9", "label": "Guichet 9", "services": ["residence"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_id",
        ),
        (
            json!({"id": "g9", "label": "", "services": ["residence"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_label",
        ),
        // Counter ids are global: API paths name a counter without its site.
        (
            json!({"id": "maarif-g1", "label": "Guichet", "services": ["residence"]}),
            StatusCode::CONFLICT,
            "counter_exists",
        ),
    ];
    for (body, status, code) in cases {
        let answer = app
            .post("/api/v1/sites/anfa/counters", Some(&admin), body.clone())
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (status, code),
            "{body} → {}",
            answer.body
        );
    }
    assert_eq!(
        (
            app.count("counters").await,
            app.count("counter_services").await
        ),
        before
    );

    let patched = app
        .patch(
            "/api/v1/sites/anfa/counters/anfa-g1",
            Some(&admin),
            json!({"services": ["signature", "residence"]}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(
        patched.body["services"],
        json!(["signature", "residence"]),
        "order is preference"
    );
    let wrong_site = app
        .patch(
            "/api/v1/sites/maarif/counters/anfa-g1",
            Some(&admin),
            json!({"label": "X"}),
        )
        .await;
    assert_eq!(wrong_site.status, StatusCode::NOT_FOUND);
}

async fn open_pause_close(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    seed_site(&app, &app.admin().await, "anfa").await;
    let agent = app.add_staff("amina", Role::Agent, "anfa").await;
    let step = |action: &'static str| {
        let app = &app;
        let agent = agent.clone();
        async move {
            app.post(
                &format!("/api/v1/counters/anfa-g1/{action}"),
                Some(&agent),
                json!({}),
            )
            .await
        }
    };
    let paused_closed = step("pause").await;
    assert_eq!(
        (paused_closed.status, paused_closed.code()),
        (StatusCode::CONFLICT, "invalid_transition")
    );
    let opened = step("open").await;
    assert_eq!(opened.status, StatusCode::OK);
    assert_eq!(
        (opened.body["state"].as_str(), opened.body["agent"].as_str()),
        (Some("open"), Some("amina"))
    );
    assert_eq!(
        step("open").await.status,
        StatusCode::CONFLICT,
        "already open"
    );
    assert_eq!(step("pause").await.body["state"], "paused");
    assert_eq!(step("open").await.body["state"], "open", "resumes");
    let closed = step("close").await;
    assert_eq!(
        (closed.body["state"].as_str(), closed.body["agent"].as_str()),
        (Some("closed"), None)
    );
    assert_eq!(step("close").await.status, StatusCode::CONFLICT);
    let missing = app
        .post("/api/v1/counters/nowhere/open", Some(&agent), json!({}))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

async fn one_agent_per_counter_and_one_counter_per_agent(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let second = json!({"id": "anfa-g2", "label": "Guichet 2", "services": ["residence"]});
    assert_eq!(
        app.post("/api/v1/sites/anfa/counters", Some(&admin), second)
            .await
            .status,
        StatusCode::CREATED
    );
    let amina = app.add_staff("amina", Role::Agent, "anfa").await;
    let youssef = app.add_staff("youssef", Role::Agent, "anfa").await;
    let supervisor = app.add_staff("karim", Role::Supervisor, "anfa").await;

    assert_eq!(
        app.post("/api/v1/counters/anfa-g1/open", Some(&amina), json!({}))
            .await
            .status,
        StatusCode::OK
    );
    let busy = app
        .post("/api/v1/counters/anfa-g2/open", Some(&amina), json!({}))
        .await;
    assert_eq!(
        (busy.status, busy.code()),
        (StatusCode::CONFLICT, "agent_busy")
    );
    let taken = app
        .post("/api/v1/counters/anfa-g1/open", Some(&youssef), json!({}))
        .await;
    assert_eq!(
        (taken.status, taken.code()),
        (StatusCode::CONFLICT, "counter_taken")
    );
    let pause_other = app
        .post("/api/v1/counters/anfa-g1/pause", Some(&youssef), json!({}))
        .await;
    assert_eq!(pause_other.status, StatusCode::CONFLICT);
    // A supervisor may close a counter someone left open; the agent is free again.
    let closed = app
        .post(
            "/api/v1/counters/anfa-g1/close",
            Some(&supervisor),
            json!({}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert_eq!(
        app.post("/api/v1/counters/anfa-g2/open", Some(&amina), json!({}))
            .await
            .status,
        StatusCode::OK
    );
}

async fn concurrent_opens_of_one_counter_have_one_winner(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let mut tokens = Vec::new();
    for i in 0..12 {
        tokens.push(
            app.add_staff(&format!("agent{i}"), Role::Agent, "anfa")
                .await,
        );
    }
    for i in 2..=6 {
        let body = json!({"id": format!("anfa-g{i}"), "label": format!("Guichet {i}"), "services": ["residence"]});
        app.post("/api/v1/sites/anfa/counters", Some(&admin), body)
            .await;
    }
    // Twelve agents rush to the same counter.
    let answers = join_all(
        tokens
            .iter()
            .map(|t| app.post("/api/v1/counters/anfa-g1/open", Some(t), json!({}))),
    )
    .await;
    let winners = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    assert_eq!(winners, 1, "exactly one agent takes the counter");
    assert!(
        answers
            .iter()
            .all(|a| a.status == StatusCode::OK || a.status == StatusCode::CONFLICT)
    );

    // One agent rushes to five counters at once.
    let loser = answers
        .iter()
        .position(|a| a.status != StatusCode::OK)
        .unwrap();
    let token = &tokens[loser];
    let paths: Vec<String> = (2..=6)
        .map(|i| format!("/api/v1/counters/anfa-g{i}/open"))
        .collect();
    let answers = join_all(paths.iter().map(|p| app.post(p, Some(token), json!({})))).await;
    let opened = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    assert_eq!(opened, 1, "an agent works at one counter at a time");
    let held: i64 = guichet_test_support::read!(&app.app.db, |c| {
        sqlx::query_scalar("SELECT COUNT(*) FROM counters WHERE state = 'open'")
            .fetch_one(c)
            .await
    })
    .unwrap();
    assert_eq!(held, 2);
}

async fn counter_changes_are_events_without_gaps(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    seed_site(&app, &app.admin().await, "anfa").await;
    let agent = app.add_staff("amina", Role::Agent, "anfa").await;
    for action in ["open", "pause", "open", "close"] {
        let answer = app
            .post(
                &format!("/api/v1/counters/anfa-g1/{action}"),
                Some(&agent),
                json!({}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    let refused = app
        .post("/api/v1/counters/anfa-g1/pause", Some(&agent), json!({}))
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    let events = guichet::store::events::since(&app.app.db, "anfa", 0, 100)
        .await
        .unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (1..=5).collect::<Vec<_>>(),
        "creation + four changes, numbered 1..5, nothing for the refusal"
    );
    assert!(events.iter().all(|e| e.kind == "counter.changed"));
    let last: serde_json::Value = serde_json::from_str(&events[4].payload).unwrap();
    assert_eq!(last["counter"]["state"], "closed");
    assert!(
        !events[4].payload.contains("amina"),
        "public events carry no names"
    );
}
