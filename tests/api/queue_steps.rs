//! A ticket's steps (start, complete…) raced by many real clients at once:
//! one wins, the others are told the ticket has moved on, and the event
//! log holds each step once. On PostgreSQL a step is written without a
//! transaction when the ticket is still as read, so this is also the
//! proof that a step which lost the race changes nothing.

use crate::support::sites::open_site;
use crate::support::tickets::{call_next, finish, gap_free_events, issue, kiosk};
use futures::future::join_all;
use guichet::domain::role::Role;
use guichet_test_support::Answer;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    racing_steps_on_one_ticket_take_effect_once,
    racing_calls_at_one_counter_call_one_ticket,
    the_thousandth_ticket_has_four_digits,
);

/// The answers that succeeded, after checking that every other one is a
/// 409 with `refused` as its code.
fn winners<'a>(answers: &'a [Answer], refused: &str) -> Vec<&'a Answer> {
    for answer in answers.iter().filter(|a| a.status != StatusCode::OK) {
        assert_eq!(answer.status, StatusCode::CONFLICT, "{}", answer.body);
        assert_eq!(answer.body["error"]["code"], refused, "{}", answer.body);
    }
    answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .collect()
}

/// Sends `step` for `ticket` 60 times at once; returns how many succeeded,
/// the others being refused transitions.
async fn race(app: &TestApp, agent: &str, ticket: &str, step: &str) -> usize {
    let path = format!("/api/v1/tickets/{ticket}/{step}");
    let answers = join_all((0..60).map(|_| app.post(&path, Some(agent), json!({})))).await;
    winners(&answers, "invalid_transition").len()
}

async fn racing_steps_on_one_ticket_take_effect_once(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let agent = &agents[0];
    let kiosk = kiosk(&app, &admin, "anfa").await;
    issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    let (status, called) = call_next(&app, agent, "anfa-g1").await;
    assert_eq!(status, StatusCode::OK, "{called}");
    let id = called["id"].as_str().unwrap();

    assert_eq!(race(&app, agent, id, "start").await, 1, "one start");
    let ticket = app.get(&format!("/api/v1/tickets/{id}"), None).await;
    assert_eq!(ticket.body["status"], "serving");
    assert_eq!(race(&app, agent, id, "complete").await, 1, "one completion");
    let ticket = app.get(&format!("/api/v1/tickets/{id}"), None).await;
    assert_eq!(ticket.body["status"], "done");
    // Each step that succeeded is counted once, by how it was written.
    let metrics = app.metrics().await;
    let steps: u64 = metrics
        .lines()
        .filter(|l| l.starts_with("guichet_queue_steps_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum();
    assert_eq!(steps, 2, "{metrics}");
    let way = match backend {
        Backend::Sqlite => "transaction",
        Backend::Postgres => "unlocked",
    };
    assert!(
        metrics.contains(&format!("guichet_queue_steps_total{{way=\"{way}\"}}")),
        "{metrics}"
    );

    let events = gap_free_events(&app, "anfa").await;
    let kinds = |kind: &str| events.iter().filter(|e| e.kind == kind).count();
    assert_eq!((kinds("ticket.serving"), kinds("ticket.done")), (1, 1));

    // The counter is free again: the next ticket is called there.
    issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    let (status, next) = call_next(&app, agent, "anfa-g1").await;
    assert_eq!(status, StatusCode::OK, "{next}");
    assert_eq!(next["number"], "A002");
}

/// A step whose ticket changed between its read and its write (here by
/// another connection, at that very moment) writes nothing the first time
/// and runs again in a transaction: the other change is kept, and the
/// step's own is made once, with its event.
#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn a_step_on_a_ticket_changed_meanwhile_runs_again() {
    use guichet::domain::event::SiteEvent;
    use guichet::domain::ticket::Status;
    use guichet::store::{Db, StoreError, events::NewEvent};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let app = TestApp::builder().postgres().spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    let (_, called) = call_next(&app, &agents[0], "anfa-g1").await;
    let id = called["id"].as_str().unwrap().to_owned();
    let Db::Postgres(pool) = &app.app.db else {
        unreachable!("a PostgreSQL app")
    };
    let before = gap_free_events(&app, "anfa").await.len();

    let runs = Arc::new(AtomicUsize::new(0));
    let (other, ticket_id, counted) = (pool.clone(), id.clone(), runs.clone());
    let (written, way) = guichet::store::queue::step(&app.app.db, move |t| {
        let run = counted.fetch_add(1, Ordering::SeqCst) + 1;
        let mut ticket = t.ticket_for_update(&ticket_id)?.expect("the ticket");
        if run == 1 {
            let recall = sqlx::query("UPDATE tickets SET recalls = recalls + 1 WHERE id = $1")
                .bind(&ticket_id)
                .execute(&other);
            tokio::runtime::Handle::current().block_on(recall).unwrap();
        }
        ticket.status = Status::Serving;
        ticket.serving_at = Some(ticket.issued_at + 1);
        let event = NewEvent {
            actor: Some("test"),
            event: SiteEvent::QueueChanged { services: vec![] },
        };
        t.update_ticket_appending(&ticket, ticket.issued_at + 1, &[event])
    })
    .await
    .map_err(|e: StoreError| e.to_string())
    .unwrap();

    assert_eq!(runs.load(Ordering::SeqCst), 2, "read, refused, run again");
    assert_eq!(way, guichet::store::queue::Way::Retried);
    assert_eq!(written.len(), 1);
    let (status, recalls): (String, i64) =
        sqlx::query_as("SELECT status, recalls FROM tickets WHERE id = $1")
            .bind(&id)
            .fetch_one(pool)
            .await
            .unwrap();
    // The second run read the recall and kept it.
    assert_eq!((status.as_str(), recalls), ("serving", 1));
    // Without a gap: the refused write took no number.
    let after = gap_free_events(&app, "anfa").await;
    assert_eq!(after.len(), before + 1, "the step's event, once");
}

/// One agent's call-next sent many times at once (a double click, a
/// retrying client): the counter gets one ticket, the others are told it
/// is busy, and every other ticket still waits.
async fn racing_calls_at_one_counter_call_one_ticket(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let mut ids = Vec::new();
    for _ in 0..60 {
        let ticket = issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
        ids.push(ticket["id"].as_str().unwrap().to_owned());
    }
    let path = "/api/v1/counters/anfa-g1/call-next";
    let answers = join_all((0..60).map(|_| app.post(path, Some(&agents[0]), json!({})))).await;
    let called: Vec<&Value> = winners(&answers, "counter_busy")
        .iter()
        .map(|a| &a.body["number"])
        .collect();
    assert_eq!(called, vec!["A001"], "one ticket called, the first");
    let queue = app.get("/api/v1/sites/anfa/queue", None).await;
    assert_eq!(queue.body["services"][0]["waiting"], 59, "{}", queue.body);

    // The same with tickets called out of order, each request its own.
    let first = answers.iter().find(|a| a.status == StatusCode::OK).unwrap();
    finish(&app, &agents[0], &first.body).await;
    ids.retain(|id| *id != first.body["id"]);
    let path = "/api/v1/counters/anfa-g1/call";
    let answers = join_all(
        ids.iter()
            .map(|id| app.post(path, Some(&agents[0]), json!({"ticket": id}))),
    )
    .await;
    let called = winners(&answers, "counter_busy").len();
    assert_eq!(called, 1, "one ticket at the counter");
    let queue = app.get("/api/v1/sites/anfa/queue", None).await;
    assert_eq!(queue.body["services"][0]["waiting"], 58, "{}", queue.body);
}

/// Numbers run past 999 rather than wrap into a duplicate, on either
/// backend.
async fn the_thousandth_ticket_has_four_digits(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let first = issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    assert_eq!(first["number"], "A001");
    let mut tx = app.app.db.begin().await.expect("tx");
    guichet_test_support::write!(&mut tx, |c| sqlx::query(
        "UPDATE ticket_numbers SET last_number = 998 WHERE site_id = 'anfa'"
    )
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .expect("numbers moved on");
    tx.commit().await.expect("commit");
    let a999 = issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    let a1000 = issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    assert_eq!(
        (&a999["number"], &a1000["number"]),
        (&json!("A999"), &json!("A1000"))
    );
    assert_eq!(a1000["position"], 3, "behind the two before it");
}

/// A counter added through one instance, called at through another whose
/// copy of the site's settings (kept 2 s) does not list it yet: nobody to
/// call there for that moment, not an error.
#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn a_counter_new_to_another_instance_calls_nobody_for_a_moment() {
    let first = TestApp::builder().postgres().spawn().await;
    let admin = first.admin().await;
    open_site(&first, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&first, &admin, "anfa").await;
    issue(&first, &kiosk, "anfa", json!({"service": "residence"})).await;
    let agent = first.add_staff("anfa-agent9", Role::Agent, "anfa").await;
    let second = TestApp::builder().join(&first.database_url).spawn().await;
    // The second instance reads the site's settings now, before the counter.
    let queue = second.get("/api/v1/sites/anfa/queue", None).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);

    let body = json!({"id": "anfa-g9", "label": "Guichet 9", "services": ["residence"]});
    let added = first
        .post("/api/v1/sites/anfa/counters", Some(&admin), body)
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let opened = first
        .post("/api/v1/counters/anfa-g9/open", Some(&agent), json!({}))
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    let called = second
        .post(
            "/api/v1/counters/anfa-g9/call-next",
            Some(&agent),
            json!({}),
        )
        .await;
    // Nobody while its settings there are the old ones; the waiting ticket
    // once they are not (a slow machine).
    assert!(
        called.status == StatusCode::NO_CONTENT || called.status == StatusCode::OK,
        "{} {}",
        called.status,
        called.body
    );
}
