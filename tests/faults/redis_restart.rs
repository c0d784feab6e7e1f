//! Redis killed and restarted while two instances take calls.

use crate::support::guichet::Guichet;
use crate::support::office;
use crate::support::postgres::PrivatePostgres;
use crate::support::redis::PrivateRedis;
use crate::support::screen::Screen;
use crate::support::tally::Tally;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Polls `/readyz` until its `bus` says `expected`.
async fn bus_becomes(guichet: &Guichet, expected: &str) {
    crate::support::eventually(
        Duration::from_secs(20),
        &format!("bus {expected}"),
        || async { guichet.get("/readyz", None).await.body["bus"] == expected },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL and Redis binaries"]
async fn redis_killed_and_restarted_during_calls_every_screen_gets_every_event_in_order() {
    let postgres = PrivatePostgres::start();
    let mut redis = PrivateRedis::start().await;
    let env = [("REDIS_URL", redis.url())];
    let a = Arc::new(Guichet::serve(&postgres.url(), &env).await);
    let b = Arc::new(Guichet::serve(&postgres.url(), &env).await);
    let office = Arc::new(office::open(&a, &postgres.url(), "anfa", 2, 3).await);
    bus_becomes(&a, "redis").await;
    bus_becomes(&b, "redis").await;
    let path = "/ws/sites/anfa";
    let screens = [
        Screen::follow(vec![a.base.clone()], path).await,
        Screen::follow(vec![a.base.clone()], path).await,
        Screen::follow(vec![b.base.clone()], path).await,
        Screen::follow(vec![b.base.clone()], path).await,
    ];

    // Kiosks on both instances; counter 1 calls through A, counter 2 through B.
    let tally = Arc::new(Tally::default());
    let running = Arc::new(AtomicBool::new(true));
    let mut clients = Vec::new();
    for (i, instance) in [&a, &b, &a, &b].into_iter().enumerate() {
        let (instance, office, tally, running) = (
            instance.clone(),
            office.clone(),
            tally.clone(),
            running.clone(),
        );
        clients.push(tokio::spawn(async move {
            let service = ["residence", "signature"][i % 2];
            while running.load(Ordering::Relaxed) {
                tally.record("issue", &office.issue(&instance, service).await);
                // The client's pace: a load, not a wait for anything.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }));
    }
    for (instance, (counter, agent)) in [&a, &b].into_iter().zip(office.counters.clone()) {
        let (instance, tally, running) = (instance.clone(), tally.clone(), running.clone());
        clients.push(tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                let path = format!("/api/v1/counters/{counter}/call-next");
                let called = instance.post(&path, Some(&agent), json!({})).await;
                tally.record("call-next", &called);
                if called.status == StatusCode::OK {
                    let ticket = called.body["id"].as_str().expect("id");
                    let path = format!("/api/v1/tickets/{ticket}/complete");
                    let done = instance.post(&path, Some(&agent), json!({})).await;
                    tally.record("complete", &done);
                }
                // The client's pace: a load, not a wait for anything.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }));
    }

    // The load runs a while before Redis dies, while it is down and after
    // it is back: these spans are the scenario itself.
    tokio::time::sleep(Duration::from_secs(2)).await;
    redis.kill();
    bus_becomes(&a, "degraded").await;
    bus_becomes(&b, "degraded").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    redis.restart().await;
    bus_becomes(&a, "redis").await;
    bus_becomes(&b, "redis").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    running.store(false, Ordering::Relaxed);
    for client in clients {
        client.await.expect("client finished");
    }

    let counts = tally.counts();
    assert!(
        counts.other.is_empty(),
        "unexpected answers: {:#?}",
        counts.other
    );
    assert_eq!(counts.unavailable, 0, "Redis down is no reason for a 503");
    let head = office.head(&a).await;
    let mut events = 0;
    for (i, screen) in screens.iter().enumerate() {
        let seen = screen.until(head, Duration::from_secs(20)).await;
        assert!(
            seen.is_complete_up_to(head),
            "screen {i} ({}): from {:?} to {head}, saw {:?} ({} fresh snapshots)",
            if i < 2 { "A" } else { "B" },
            seen.start,
            seen.seqs,
            seen.fresh_snapshots
        );
        events += seen.seqs.len();
    }
    println!(
        "redis restart: {}; {} screens on 2 instances, {events} events checked, last seq {head}",
        counts.summary(),
        screens.len()
    );
}
