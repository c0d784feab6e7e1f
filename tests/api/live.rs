//! Live updates over real WebSockets: snapshots, events in `seq` order,
//! resuming with `since`, who may follow a counter, one ticket's stream,
//! many concurrent writers, and shutdown.

use crate::support::sites::open_site;
use crate::support::tickets::{call_next, finish, issue, kiosk};
use futures::future::join_all;
use guichet::domain::role::Role;
use guichet_test_support::live::{Next, connect, connect_small, kinds, refused, seqs};
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

on_both_backends!(
    a_site_stream_starts_with_a_snapshot_then_every_event_in_order,
    resuming_with_since_sends_what_was_missed_and_nothing_twice,
    counter_streams_are_for_the_site_staff_and_its_displays,
    a_ticket_stream_follows_its_place_and_its_call,
    every_subscriber_sees_every_change_of_many_clients_in_order,
    shutdown_tells_sockets_to_reconnect,
);

async fn post_ok(app: &TestApp, token: &str, path: &str) -> serde_json::Value {
    let answer = app.post(path, Some(token), json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.body);
    answer.body
}

async fn a_site_stream_starts_with_a_snapshot_then_every_event_in_order(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;

    let mut screen = connect(&app, "/ws/sites/anfa", None).await;
    let snapshot = screen.next().await;
    assert_eq!(snapshot["type"], "snapshot");
    let start = snapshot["seq"].as_i64().expect("snapshot seq");
    assert_eq!(snapshot["queue"]["seq"], start);
    let residence = &snapshot["queue"]["services"][0];
    assert_eq!(
        (residence["id"].as_str(), residence["waiting"].as_i64()),
        (Some("residence"), Some(1))
    );

    let phone = "+212612345678";
    let ticket = issue(
        &app,
        &kiosk,
        "anfa",
        json!({"service": "signature", "phone": phone}),
    )
    .await;
    let id = ticket["id"].as_str().unwrap();
    let (status, first) = call_next(&app, &agents[0], "anfa-g1").await;
    assert_eq!(status, StatusCode::OK);
    let first_id = first["id"].as_str().unwrap();
    post_ok(
        &app,
        &agents[0],
        &format!("/api/v1/tickets/{first_id}/recall"),
    )
    .await;
    post_ok(
        &app,
        &agents[0],
        &format!("/api/v1/tickets/{first_id}/start"),
    )
    .await;
    post_ok(
        &app,
        &agents[0],
        &format!("/api/v1/tickets/{first_id}/complete"),
    )
    .await;

    let mut texts = Vec::new();
    for _ in 0..7 {
        texts.push(screen.next_text().await);
    }
    for text in &texts {
        assert!(
            !text.contains(phone) && !text.contains(id) && !text.contains(first_id),
            "{text}"
        );
    }
    let events: Vec<serde_json::Value> = texts
        .iter()
        .map(|t| serde_json::from_str(t).unwrap())
        .collect();
    assert_eq!(
        kinds(&events),
        [
            "ticket.issued",
            "queue.changed",
            "ticket.called",
            "queue.changed",
            "ticket.recalled",
            "ticket.serving",
            "ticket.done"
        ]
    );
    assert_eq!(seqs(&events), (start + 1..=start + 7).collect::<Vec<_>>());
    let call = &events[2];
    assert_eq!(
        (call["number"].as_str(), call["counter"].as_str()),
        (Some("A001"), Some("anfa-g1"))
    );
    assert_eq!(call["counter_label"], "Guichet 1");
    let at = call["at"].as_str().expect("at");
    assert!(at.ends_with("+00:00") || at.ends_with("+01:00"), "{at}");
    let signature = &events[1]["services"][0];
    assert_eq!(
        (signature["id"].as_str(), signature["waiting"].as_i64()),
        (Some("signature"), Some(1))
    );
    let residence = &events[3]["services"][0];
    assert_eq!(
        (residence["id"].as_str(), residence["waiting"].as_i64()),
        (Some("residence"), Some(0))
    );
    assert!(matches!(
        screen.next_within(Duration::from_millis(300)).await,
        Next::Nothing
    ));

    assert_eq!(refused(&app, "/ws/sites/nowhere", None).await, 404);
}

async fn resuming_with_since_sends_what_was_missed_and_nothing_twice(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;

    let mut screen = connect(&app, "/ws/sites/anfa", None).await;
    let seen = screen.next().await["seq"].as_i64().unwrap();
    screen.close().await;
    for _ in 0..2 {
        issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    }

    let mut back = connect(&app, &format!("/ws/sites/anfa?since={seen}"), None).await;
    let missed = back.until_seq(seen + 4).await;
    assert_eq!(
        seqs(&missed),
        (seen + 1..=seen + 4).collect::<Vec<_>>(),
        "{missed:?}"
    );
    assert_eq!(missed[0]["type"], "ticket.issued");
    issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    assert_eq!(seqs(&back.until_seq(seen + 6).await), [seen + 5, seen + 6]);

    // A `since` the log never reached gets a fresh snapshot.
    let mut lost = connect(&app, "/ws/sites/anfa?since=999999", None).await;
    let snapshot = lost.next().await;
    assert_eq!(
        (snapshot["type"].as_str(), snapshot["seq"].as_i64()),
        (Some("snapshot"), Some(seen + 6))
    );

    for bad in ["abc", "-1"] {
        assert_eq!(
            refused(&app, &format!("/ws/sites/anfa?since={bad}"), None).await,
            422
        );
    }
}

async fn counter_streams_are_for_the_site_staff_and_its_displays(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 2).await;
    let other = open_site(&app, &admin, "maarif", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let display = app
        .post(
            "/api/v1/sites/anfa/devices",
            Some(&admin),
            json!({"kind": "display", "label": "Écran"}),
        )
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = "/ws/counters/anfa-g1";

    assert_eq!(refused(&app, path, None).await, 401);
    assert_eq!(refused(&app, path, Some("not-a-token")).await, 401);
    assert_eq!(refused(&app, path, Some(&kiosk)).await, 403);
    assert_eq!(refused(&app, path, Some(&other[0])).await, 403);
    assert_eq!(
        refused(&app, "/ws/counters/nowhere", Some(&agents[0])).await,
        404
    );

    let mut board = connect(&app, path, Some(&display)).await;
    let snapshot = board.next().await;
    assert_eq!(snapshot["type"], "snapshot");
    assert_eq!(
        (
            snapshot["counter"]["id"].as_str(),
            snapshot["counter"]["state"].as_str()
        ),
        (Some("anfa-g1"), Some("open"))
    );
    assert_eq!(
        snapshot["queue"]["counters"].as_array().map(Vec::len),
        Some(1)
    );

    issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    let (status, _) = call_next(&app, &agents[0], "anfa-g1").await;
    assert_eq!(status, StatusCode::OK);
    let events = board.until_seq(snapshot["seq"].as_i64().unwrap() + 4).await;
    let call = events
        .iter()
        .find(|e| e["type"] == "ticket.called")
        .expect("the call");
    assert_eq!(
        (call["number"].as_str(), call["counter"].as_str()),
        (Some("A001"), Some("anfa-g1"))
    );

    let mut console = connect(&app, path, Some(&agents[1])).await;
    assert_eq!(console.next().await["counter"]["current"]["number"], "A001");
}

async fn a_ticket_stream_follows_its_place_and_its_call(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let first = issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    let mine = issue(
        &app,
        &kiosk,
        "anfa",
        json!({"service": "residence", "phone": "+212612345678"}),
    )
    .await;
    let id = mine["id"].as_str().unwrap();

    let mut phone = connect(&app, &format!("/ws/tickets/{id}"), None).await;
    let text = phone.next_text().await;
    assert!(!text.contains("612345678"), "{text}");
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (state["type"].as_str(), state["ticket"]["position"].as_i64()),
        (Some("ticket"), Some(2))
    );

    let (_, called) = call_next(&app, &agents[0], "anfa-g1").await;
    assert_eq!(called["id"], first["id"]);
    let moved = phone.next().await;
    assert_eq!(
        (
            moved["ticket"]["status"].as_str(),
            moved["ticket"]["position"].as_i64()
        ),
        (Some("waiting"), Some(1))
    );

    finish(&app, &agents[0], &called).await;
    let (_, called) = call_next(&app, &agents[0], "anfa-g1").await;
    assert_eq!(called["id"], mine["id"]);
    let mut call = phone.next().await;
    // Completing the first ticket may be sent on its own before the call.
    if call["ticket"]["status"] == "waiting" {
        call = phone.next().await;
    }
    assert_eq!(call["ticket"]["status"], "called");
    assert_eq!(call["ticket"]["counter"]["label"], "Guichet 1");

    finish(&app, &agents[0], &called).await;
    assert_eq!(phone.next().await["ticket"]["status"], "done");
    let frame = phone.close_frame().await.expect("a close frame");
    assert_eq!(u16::from(frame.code), 1000);

    assert_eq!(refused(&app, "/ws/tickets/no-such-ticket", None).await, 404);
}

async fn every_subscriber_sees_every_change_of_many_clients_in_order(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 4).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let supervisor = app.add_staff("chef", Role::Supervisor, "anfa").await;

    let mut screens = Vec::new();
    for _ in 0..3 {
        screens.push(connect(&app, "/ws/sites/anfa", None).await);
    }
    screens.push(connect(&app, "/ws/counters/anfa-g2", Some(&supervisor)).await);
    let mut start = Vec::new();
    for screen in &mut screens {
        start.push(screen.next().await["seq"].as_i64().unwrap());
    }

    let issuers = (0..8).map(|_| async {
        for _ in 0..5 {
            issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
        }
    });
    let callers = agents.iter().enumerate().map(|(i, agent)| {
        let counter = format!("anfa-g{}", i + 1);
        let app = &app;
        async move {
            for _ in 0..20 {
                match call_next(app, agent, &counter).await {
                    (StatusCode::OK, ticket) => finish(app, agent, &ticket).await,
                    (status, body) => assert_eq!(status, StatusCode::NO_CONTENT, "{body}"),
                }
            }
        }
    });
    tokio::join!(join_all(issuers), join_all(callers));

    let head = app.get("/api/v1/sites/anfa/queue", None).await.body["seq"]
        .as_i64()
        .unwrap();
    for (screen, start) in screens.iter_mut().zip(start) {
        let seen = screen.until_seq(head).await;
        assert_eq!(seqs(&seen), (start + 1..=head).collect::<Vec<_>>());
    }
}

async fn shutdown_tells_sockets_to_reconnect(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let mut screen = connect(&app, "/ws/sites/anfa", None).await;
    let seq = screen.next().await["seq"].as_i64().unwrap();
    app.stop();
    let frame = screen.close_frame().await.expect("a close frame");
    assert_eq!(u16::from(frame.code), 1012);
    assert!(
        frame.reason.contains(&format!("since={seq}")),
        "{}",
        frame.reason
    );
}

/// About the sockets, not the database: SQLite only. Two threads, as the
/// reading screen must keep up with the burst while the test issues it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_that_stops_reading_is_dropped_and_slows_nobody() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let mut stalled = connect_small(&app, "/ws/sites/anfa").await;
    let start = stalled.next().await["seq"].as_i64().unwrap();
    let mut screen = connect(&app, "/ws/sites/anfa", None).await;
    screen.next().await;
    let head = start + 2 * 1200;
    let read_up_to = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(start));
    let progress = read_up_to.clone();
    let reading = tokio::spawn(async move {
        let mut seen = Vec::new();
        while seen.last() < Some(&head) {
            let seq = screen.next().await["seq"].as_i64().expect("seq");
            progress.store(seq, std::sync::atomic::Ordering::Relaxed);
            seen.push(seq);
        }
        seen
    });

    // Far more than the stalled socket's buffers and the site's channel
    // hold, in batches the reading screen (an unoptimized test client)
    // takes in before the next.
    for batch in 1..=12 {
        for _ in 0..100 {
            issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
        }
        let target = start + 2 * 100 * batch;
        let kept_up = async || read_up_to.load(std::sync::atomic::Ordering::Relaxed) >= target;
        let what = "the reading screen keeping up";
        guichet_test_support::eventually(Duration::from_secs(10), what, kept_up).await;
    }
    let seen = reading.await.expect("the reading screen");
    assert_eq!(seen, (start + 1..=head).collect::<Vec<_>>());

    let mut received = Vec::new();
    let ending = loop {
        match stalled.next_within(Duration::from_secs(15)).await {
            Next::Json(message) => received.push(message),
            other => break other,
        }
    };
    match ending {
        Next::Closed(Some(frame)) => {
            assert_eq!(u16::from(frame.code), 4008, "{}", frame.reason);
            let last = received
                .last()
                .and_then(|m| m["seq"].as_i64())
                .unwrap_or(start);
            assert!(
                frame.reason.contains(&format!("since={last}")),
                "{}",
                frame.reason
            );
        }
        Next::Closed(None) => {}
        Next::Nothing => panic!("the stalled subscriber was never dropped"),
        Next::Json(_) => unreachable!(),
    }
    assert!(
        received.len() < 2400,
        "the stalled subscriber got everything"
    );
    let got = seqs(&received);
    assert_eq!(
        got,
        (start + 1..start + 1 + got.len() as i64).collect::<Vec<_>>(),
        "what it got is in order"
    );
}
