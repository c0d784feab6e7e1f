//! A remote ticket whose holder is away (docs/remote-queue.md): calls pass
//! it by, it is held aside, goes back to its place once checked in within
//! the grace, and lapses after it; and the "leave now" SMS, sent once when
//! the estimate comes down to the travel margin.

use crate::support::office::{Office, phone};
use crate::support::remote::remote_office;
use crate::support::tickets::{call_next, finish, issue, kiosk};
use guichet_test_support::live::connect;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    an_absent_remote_ticket_is_held_then_called_once_present,
    a_held_ticket_lapses_after_the_grace_once_from_two_instances,
    leave_now_goes_once_when_the_wait_reaches_the_margin,
);

/// Calls the next ticket to the counter, then finishes it; its number.
async fn serve_next(office: &Office) -> String {
    let (status, ticket) = call_next(&office.app, &office.agent, "agdal-g1").await;
    assert_eq!(status, StatusCode::OK, "{ticket}");
    finish(&office.app, &office.agent, &ticket).await;
    ticket["number"].as_str().expect("a number").to_owned()
}

async fn walk_in(office: &Office, kiosk: &str) -> Value {
    issue(
        &office.app,
        kiosk,
        &office.site,
        json!({"service": "passport"}),
    )
    .await
}

async fn joined(office: &Office, n: usize) -> Value {
    let answer = office.join(&phone(n), json!({})).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body
}

async fn an_absent_remote_ticket_is_held_then_called_once_present(backend: Backend) {
    let office = remote_office(backend, false).await;
    let kiosk = kiosk(&office.app, &office.admin, &office.site).await;
    let remote = joined(&office, 1).await;
    let id = remote["id"].as_str().unwrap();
    assert_eq!(remote["number"], "P001");
    walk_in(&office, &kiosk).await;
    walk_in(&office, &kiosk).await;
    // Nobody is held before a later ticket is called.
    office.sweep().await;
    assert_eq!(office.ticket(id).await["held"], false);
    // Its holder follows it live from home.
    let mut follower = connect(&office.app, &format!("/ws/tickets/{id}"), None).await;
    assert_eq!(follower.next().await["ticket"]["held"], false);
    // The first in line is away: the counter calls past it.
    assert_eq!(serve_next(&office).await, "P002");
    office.sweep().await;
    // The stream says it is held aside, with no other event at the office.
    let told = async {
        loop {
            let message = follower.next().await;
            if message["ticket"]["held"] == true {
                return message;
            }
        }
    };
    let told = tokio::time::timeout(std::time::Duration::from_secs(10), told)
        .await
        .expect("the tracking stream tells the ticket is held");
    assert_eq!(told["ticket"]["status"], "waiting");
    assert_eq!(events_of(&office.app, "ticket.held").await, 1);
    let held = office.ticket(id).await;
    assert_eq!(
        (&held["held"], &held["status"]),
        (&json!(true), &json!("waiting")),
        "{held}"
    );
    // The agent's console marks it remote and away; a kiosk ticket present.
    assert_eq!(
        console_marks(&office).await,
        [
            ("P001".to_owned(), true, false),
            ("P003".to_owned(), false, true)
        ]
    );
    // Called out of order while away: refused, nothing changes.
    let away = office
        .app
        .post(
            "/api/v1/counters/agdal-g1/call",
            Some(&office.agent),
            json!({"ticket": id}),
        )
        .await;
    assert_eq!(away.status, StatusCode::CONFLICT, "{}", away.body);
    assert_eq!(away.body["error"]["code"], "not_present");
    assert_eq!(office.ticket(id).await["status"], "waiting");
    // Checked in at the kiosk within the grace: back at its place, next.
    office.set_time("2026-11-23T09:10:00Z");
    let here = office.check_in(&kiosk, "p001").await;
    assert_eq!(here.status, StatusCode::OK, "{}", here.body);
    assert_eq!(
        (&here.body["present"], &here.body["held"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(here.body["position"], 1);
    assert_eq!(
        console_marks(&office).await[0],
        ("P001".to_owned(), true, true)
    );
    // Checking in again changes nothing; a kiosk ticket has no check-in.
    let again = office.check_in(&kiosk, "P001").await;
    assert_eq!(again.status, StatusCode::OK);
    let walked = office.check_in(&kiosk, "P003").await;
    assert_eq!(walked.status, StatusCode::NOT_FOUND);
    assert_eq!(serve_next(&office).await, "P001");
    assert_eq!(serve_next(&office).await, "P003");
    // The check-in is one event of the site's log, once.
    let presents = events_of(&office.app, "ticket.present").await;
    assert_eq!(presents, 1);
    // Someone of another office may not check it in.
    let stranger = office
        .app
        .post(&format!("/api/v1/tickets/{id}/present"), None, json!({}))
        .await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);
}

async fn a_held_ticket_lapses_after_the_grace_once_from_two_instances(backend: Backend) {
    let office = remote_office(backend, false).await;
    let other = TestApp::builder()
        .join(&office.app.database_url)
        .clock(office.time.clock())
        .spawn()
        .await;
    let kiosk = kiosk(&office.app, &office.admin, &office.site).await;
    let away = joined(&office, 1).await;
    let id = away["id"].as_str().unwrap().to_owned();
    walk_in(&office, &kiosk).await;
    let late = joined(&office, 2).await;
    walk_in(&office, &kiosk).await;
    // The counter calls past both absent tickets.
    assert_eq!(serve_next(&office).await, "P002");
    assert_eq!(serve_next(&office).await, "P004");
    let (status, _) = call_next(&office.app, &office.agent, "agdal-g1").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "nobody present waits");
    office.sweep().await;
    assert_eq!(office.ticket(&id).await["held"], true);
    // The second checks in in time; the first does not.
    office.set_time("2026-11-23T09:14:00Z");
    let here = office.check_in(&office.agent, "P003").await;
    assert_eq!(here.status, StatusCode::OK, "{}", here.body);
    office.set_time("2026-11-23T09:16:00Z");
    let sweeps = (0..6).map(|i| {
        let app = if i % 2 == 0 {
            &office.app.app
        } else {
            &other.app
        };
        guichet::app::remote_queue::sweep(app)
    });
    for swept in futures::future::join_all(sweeps).await {
        swept.expect("sweep");
    }
    let lapsed = office.ticket(&id).await;
    assert_eq!(lapsed["status"], "no_show", "{lapsed}");
    assert_eq!(
        events_of(&office.app, "ticket.no_show").await,
        1,
        "lapsed once"
    );
    let reason = reason_of(&office.app, &id).await;
    assert_eq!(reason.as_deref(), Some("lapsed"));
    let kept = office.ticket(late["id"].as_str().unwrap()).await;
    assert_eq!(
        (&kept["status"], &kept["present"]),
        (&json!("waiting"), &json!(true))
    );
    // Too late to check in now.
    let refused = office.check_in(&kiosk, "P001").await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::CONFLICT, "not_waiting")
    );
    assert_eq!(serve_next(&office).await, "P003");
    // Its phone may join again, and leave (SMS "ANNULER" without reference).
    let back = office.join(&phone(1), json!({})).await;
    assert_eq!(back.status, StatusCode::CREATED, "{}", back.body);
    let amina = guichet::domain::phone::Phone::parse(&phone(1)).unwrap();
    let left = guichet::app::remote_queue::leave(&office.app.app, &amina, None)
        .await
        .expect("left");
    assert_eq!(
        (left.number.as_str(), left.status.as_str()),
        ("P005", "cancelled")
    );
    let gone = guichet::app::remote_queue::leave(&office.app.app, &amina, None).await;
    assert!(gone.is_err(), "nothing left to leave");
}

async fn leave_now_goes_once_when_the_wait_reaches_the_margin(backend: Backend) {
    let office = remote_office(backend, false).await;
    let kiosk = kiosk(&office.app, &office.admin, &office.site).await;
    for _ in 0..3 {
        walk_in(&office, &kiosk).await;
    }
    let amina = phone(1);
    let remote = joined(&office, 1).await;
    // Three visits of 10 minutes ahead: 30 minutes, over the 20 of margin.
    assert_eq!(remote["estimated_wait_s"], 1800);
    office.follow_up().await;
    office.set_time("2026-11-23T09:05:00Z");
    office.follow_up().await;
    assert!(
        !office
            .templates(&amina)
            .await
            .contains(&"leave_now".to_owned())
    );
    // One served: 20 minutes left, time to leave.
    serve_next(&office).await;
    office.follow_up().await;
    office.follow_up().await;
    let sent = office.templates(&amina).await;
    assert_eq!(
        sent.iter().filter(|t| *t == "leave_now").count(),
        1,
        "{sent:?}"
    );
    let text = office.message(&amina, "leave_now").await;
    assert!(text.contains("P004") && text.contains("20 min"), "{text}");
    serve_next(&office).await;
    office.follow_up().await;
    let sent = office.templates(&amina).await;
    assert_eq!(sent.iter().filter(|t| *t == "leave_now").count(), 1);
}

/// Each waiting ticket of the agent's console: number, remote, present.
async fn console_marks(office: &Office) -> Vec<(String, bool, bool)> {
    let agent = guichet::app::auth::authenticate(&office.app.app, &office.agent)
        .await
        .expect("the agent");
    let console = guichet::app::console::console(&office.app.app, &agent, "agdal-g1")
        .await
        .expect("the console");
    console
        .waiting
        .into_iter()
        .map(|t| (t.number, t.remote, t.present))
        .collect()
}

async fn events_of(app: &TestApp, kind: &str) -> i64 {
    let sql = "SELECT COUNT(*) FROM site_events WHERE kind = $1";
    guichet_test_support::read!(&app.app.db, |c| sqlx::query_scalar(sql)
        .bind(kind)
        .fetch_one(c)
        .await)
    .expect("events read")
}

async fn reason_of(app: &TestApp, id: &str) -> Option<String> {
    let sql = "SELECT close_reason FROM tickets WHERE id = $1";
    guichet_test_support::read!(&app.app.db, |c| sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(c)
        .await)
    .expect("ticket read")
}
