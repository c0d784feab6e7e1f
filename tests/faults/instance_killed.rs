//! One of two instances SIGKILLed under load, holding outbox claims.

use crate::fakes::twilio::{FakeTwilio, Reply};
use crate::support::guichet::Guichet;
use crate::support::office::{self, phone};
use crate::support::postgres::PrivatePostgres;
use crate::support::redis::PrivateRedis;
use crate::support::screen::Screen;
use crate::support::tally::Tally;
use guichet_test_support::holds_within;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// How long the provider takes to accept each message: the instance that
/// dies is still sending when it dies.
const PROVIDER_DELAY: Duration = Duration::from_secs(4);
/// Bookings whose confirmations the first instance claims before the kill.
const EARLY_BOOKINGS: usize = 30;

pub fn twilio_env(twilio: &FakeTwilio) -> Vec<(&'static str, String)> {
    vec![
        ("GUICHET_SMS", "twilio".to_owned()),
        ("TWILIO_ACCOUNT_SID", "ACfaults".to_owned()),
        ("TWILIO_AUTH_TOKEN", "fault-tests-token".to_owned()),
        ("TWILIO_FROM", "+212500000000".to_owned()),
        ("TWILIO_API_BASE", twilio.base.clone()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL and Redis binaries"]
async fn an_instance_killed_under_load_leaves_the_other_serving_screens_resuming_and_messages_sent_once()
 {
    let postgres = PrivatePostgres::start();
    let redis = PrivateRedis::start().await;
    let twilio = FakeTwilio::start().await;
    twilio.answer_from_now_on(Reply::Slow(PROVIDER_DELAY));
    let mut env = twilio_env(&twilio);
    env.push(("REDIS_URL", redis.url()));
    let a = Arc::new(Guichet::serve(&postgres.url(), &env).await);
    let office = Arc::new(office::open(&a, &postgres.url(), "anfa", 2, 3).await);
    let slots = office.slots(&a, "residence", 60).await;
    let pool = sqlx::PgPool::connect(&postgres.url())
        .await
        .expect("PostgreSQL");

    // Bookings through A, alone for now: its worker claims every
    // confirmation, and sends them slowly.
    for n in 0..EARLY_BOOKINGS {
        let answer = office.book(&a, "residence", &slots[n / 3], &phone(n)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    }
    // Every confirmation claimed (or already sent) by A, the only worker.
    let claimed = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM notifications WHERE status IN ('sending', 'sent')",
        )
        .fetch_one(&pool)
        .await
        .expect("outbox read")
    };
    crate::support::eventually(
        Duration::from_secs(20),
        "A claims the confirmations",
        || async { claimed().await == EARLY_BOOKINGS as i64 },
    )
    .await;
    let claimed_by_a: Vec<String> = sqlx::query_scalar("SELECT idempotency_key FROM notifications")
        .fetch_all(&pool)
        .await
        .expect("outbox read");

    let b = Arc::new(Guichet::serve(&postgres.url(), &env).await);
    let path = "/ws/sites/anfa";
    let on_a = [
        Screen::follow(vec![a.base.clone(), b.base.clone()], path).await,
        Screen::follow(vec![a.base.clone(), b.base.clone()], path).await,
    ];
    let on_b = Screen::follow(vec![b.base.clone()], path).await;

    // Load on both: kiosks and calls on A and B, bookings on B.
    let survivor = Arc::new(Tally::default());
    let victim = Arc::new(Tally::default());
    let running = Arc::new(AtomicBool::new(true));
    let mut clients = Vec::new();
    for (i, (instance, tally)) in [(&a, &victim), (&b, &survivor)].into_iter().enumerate() {
        for service in ["residence", "signature"] {
            let (instance, office, tally, running) = (
                instance.clone(),
                office.clone(),
                tally.clone(),
                running.clone(),
            );
            clients.push(tokio::spawn(async move {
                while running.load(Ordering::Relaxed) {
                    tally.record("issue", &office.issue(&instance, service).await);
                    // The client's pace: a load, not a wait for anything.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }));
        }
        let (counter, agent) = office.counters[i].clone();
        let (instance, tally, running) = (instance.clone(), tally.clone(), running.clone());
        clients.push(tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                let path = format!("/api/v1/counters/{counter}/call-next");
                let called = instance.post(&path, Some(&agent), json!({})).await;
                tally.record("call-next", &called);
                if called.status == StatusCode::OK {
                    let ticket = called.body["id"].as_str().expect("id");
                    let path = format!("/api/v1/tickets/{ticket}/complete");
                    tally.record(
                        "complete",
                        &instance.post(&path, Some(&agent), json!({})).await,
                    );
                }
                // The client's pace: a load, not a wait for anything.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }));
    }
    let booked = Arc::new(AtomicUsize::new(EARLY_BOOKINGS));
    {
        let (b, office, survivor, running, booked) = (
            b.clone(),
            office.clone(),
            survivor.clone(),
            running.clone(),
            booked.clone(),
        );
        let slots = slots.clone();
        clients.push(tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                let n = booked.load(Ordering::Relaxed);
                let answer = office.book(&b, "residence", &slots[n / 3], &phone(n)).await;
                survivor.record("book", &answer);
                if answer.status == StatusCode::CREATED {
                    booked.fetch_add(1, Ordering::Relaxed);
                }
                // The client's pace: a load, not a wait for anything.
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }));
    }

    // The load runs a while on both instances before the kill, and a while
    // after it on the survivor: these spans are the scenario itself.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let sent_by_a: Vec<String> = twilio
        .delivered()
        .into_iter()
        .filter_map(|sms| sms.idempotency_key)
        .filter(|key| claimed_by_a.contains(key))
        .collect();
    a.kill();
    let held: Vec<&String> = claimed_by_a
        .iter()
        .filter(|k| !sent_by_a.contains(k))
        .collect();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after_kill = survivor.counts().requests;
    tokio::time::sleep(Duration::from_secs(3)).await;
    running.store(false, Ordering::Relaxed);
    for client in clients {
        client.await.expect("client finished");
    }

    // The survivor served everything asked of it, before and after.
    let counts = survivor.counts();
    assert!(counts.other.is_empty(), "answers of B: {:#?}", counts.other);
    assert_eq!(counts.unavailable, 0, "B answered 503");
    assert!(
        counts.requests > after_kill,
        "B kept serving after the kill"
    );

    // Screens on A moved to B and resumed where they were.
    let head = office.head(&b).await;
    let mut events = 0;
    for (i, screen) in on_a.iter().chain([&on_b]).enumerate() {
        let seen = screen.until(head, Duration::from_secs(20)).await;
        assert!(
            seen.is_complete_up_to(head),
            "screen {i}: from {:?} to {head}, saw {:?} ({} fresh snapshots)",
            seen.start,
            seen.seqs,
            seen.fresh_snapshots
        );
        if i < on_a.len() {
            assert!(seen.reconnects >= 1, "screen {i} on A reconnected");
        }
        events += seen.seqs.len();
    }

    // What A held when it died is sent by B once A's lease has run out,
    // and every confirmation reaches the provider exactly once.
    assert!(!held.is_empty(), "A held claims at the kill");
    let total = booked.load(Ordering::Relaxed);
    let all_sent = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM notifications WHERE status = 'sent'")
            .fetch_one(&pool)
            .await
            .expect("outbox read")
    };
    let waited = holds_within(Duration::from_secs(120), async || {
        all_sent().await == total as i64
    })
    .await;
    if !waited {
        let outbox: Vec<(String, String, String, i64, Option<String>)> = sqlx::query_as(
            "SELECT channel, template, status, attempts, last_error FROM notifications
             ORDER BY created_at, id",
        )
        .fetch_all(&pool)
        .await
        .expect("outbox read");
        panic!("not every message sent within 120 s: {total} booked; outbox {outbox:#?}");
    }
    let keys: Vec<(String, i64)> =
        sqlx::query_as("SELECT idempotency_key, attempts FROM notifications WHERE channel = 'sms'")
            .fetch_all(&pool)
            .await
            .expect("outbox read");
    let mut delivered: HashMap<String, usize> = HashMap::new();
    for sms in twilio.delivered() {
        *delivered
            .entry(sms.idempotency_key.expect("idempotency key"))
            .or_default() += 1;
    }
    assert_eq!(keys.len(), total, "one confirmation per booking");
    for (key, _) in &keys {
        assert_eq!(delivered.get(key), Some(&1), "message {key} delivered once");
    }
    assert_eq!(delivered.len(), keys.len(), "nothing else delivered");
    let attempts: HashMap<&String, i64> = keys.iter().map(|(k, n)| (k, *n)).collect();
    for key in &held {
        assert!(
            attempts[key] >= 2,
            "{key}, held by A, was claimed again after its lease"
        );
    }

    println!(
        "instance killed: survivor {}; victim (answers until its death) {}; screens: {} \
         (2 moved from A to B), {events} events checked, last seq {head}; outbox: {} messages \
         sent once each, {} held by A at the kill and sent by B after the lease",
        counts.summary(),
        victim.counts().summary(),
        on_a.len() + 1,
        keys.len(),
        held.len()
    );
}
