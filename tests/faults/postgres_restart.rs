//! PostgreSQL restarted under a load of tickets, calls and bookings.

use crate::support::guichet::Guichet;
use crate::support::office::{self, phone};
use crate::support::postgres::{PrivatePostgres, StopMode};
use crate::support::tally::Tally;
use guichet_test_support::holds_within;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// No request may take longer than this, outage or not: a client of a
/// database that is down gets an answer, not a hang.
const NO_HANG: Duration = Duration::from_secs(10);
const KIOSKS: usize = 4;
const COUNTERS: usize = 3;
const BOOKERS: usize = 4;
const CAPACITY: i64 = 3;

/// What the clients were given, to look for in the database afterwards.
#[derive(Default)]
struct Given {
    tickets: Mutex<Vec<(String, String)>>,
    appointments: Mutex<Vec<String>>,
    /// Successes after PostgreSQL came back: issues, calls, bookings.
    after: [AtomicUsize; 3],
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL and Redis binaries"]
async fn postgres_restart_under_load_fails_fast_and_recovers_without_losing_data() {
    let mut postgres = PrivatePostgres::start();
    let guichet = Arc::new(Guichet::serve(&postgres.url(), &[]).await);
    let office =
        Arc::new(office::open(&guichet, &postgres.url(), "anfa", COUNTERS, CAPACITY).await);
    // Enough places that the bookers never run out before the end.
    let slots = Arc::new(office.slots(&guichet, "residence", 150).await);

    let tally = Arc::new(Tally::default());
    let given = Arc::new(Given::default());
    let running = Arc::new(AtomicBool::new(true));
    let restarted = Arc::new(AtomicBool::new(false));
    let database = postgres.url();
    let mut clients = Vec::new();
    for k in 0..KIOSKS {
        let (guichet, office, tally, given) = (
            guichet.clone(),
            office.clone(),
            tally.clone(),
            given.clone(),
        );
        let (running, restarted) = (running.clone(), restarted.clone());
        clients.push(tokio::spawn(async move {
            let service = ["residence", "signature"][k % 2];
            while running.load(Ordering::Relaxed) {
                let answer = office.issue(&guichet, service).await;
                tally.record("issue", &answer);
                if answer.status == StatusCode::CREATED {
                    let id = answer.body["id"].as_str().expect("id").to_owned();
                    let number = answer.body["number"].as_str().expect("number").to_owned();
                    given.tickets.lock().unwrap().push((id, number));
                    if restarted.load(Ordering::Relaxed) {
                        given.after[0].fetch_add(1, Ordering::Relaxed);
                    }
                }
                // The client's pace: a load, not a wait for anything.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    for (counter, agent) in office.counters.clone() {
        let (guichet, tally, given) = (guichet.clone(), tally.clone(), given.clone());
        let (running, restarted, database) = (running.clone(), restarted.clone(), database.clone());
        clients.push(tokio::spawn(async move {
            let mut current: Option<String> = None;
            while running.load(Ordering::Relaxed) {
                if let Some(ticket) = &current {
                    let path = format!("/api/v1/tickets/{ticket}/complete");
                    let answer = guichet.post(&path, Some(&agent), json!({})).await;
                    tally.record("complete", &answer);
                    if answer.status.is_success() || answer.status == StatusCode::CONFLICT {
                        current = None;
                    }
                } else {
                    let path = format!("/api/v1/counters/{counter}/call-next");
                    let answer = guichet.post(&path, Some(&agent), json!({})).await;
                    tally.record("call-next", &answer);
                    match answer.status {
                        StatusCode::OK => {
                            current = answer.body["id"].as_str().map(str::to_owned);
                            if restarted.load(Ordering::Relaxed) {
                                given.after[1].fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        // A call whose answer was lost in the outage: the
                        // agent's console shows the ticket at the counter.
                        StatusCode::CONFLICT => current = ticket_at(&database, &counter).await,
                        _ => {}
                    }
                }
                // The client's pace: a load, not a wait for anything.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    // Every booker goes for the same slot until it is full, then the next.
    let slot = Arc::new(AtomicUsize::new(0));
    let bookings = Arc::new(AtomicUsize::new(0));
    for _ in 0..BOOKERS {
        let (guichet, office, tally, given) = (
            guichet.clone(),
            office.clone(),
            tally.clone(),
            given.clone(),
        );
        let (running, restarted, slots) = (running.clone(), restarted.clone(), slots.clone());
        let (slot, bookings) = (slot.clone(), bookings.clone());
        clients.push(tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                let index = slot.load(Ordering::Relaxed);
                let Some(start) = slots.get(index) else { break };
                let n = bookings.fetch_add(1, Ordering::Relaxed);
                let answer = office.book(&guichet, "residence", start, &phone(n)).await;
                tally.record("book", &answer);
                match answer.status {
                    StatusCode::CREATED => {
                        let id = answer.body["id"].as_str().expect("id").to_owned();
                        given.appointments.lock().unwrap().push(id);
                        if restarted.load(Ordering::Relaxed) {
                            given.after[2].fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    StatusCode::CONFLICT if answer.code() == "slot_full" => {
                        let _ = slot.compare_exchange(
                            index,
                            index + 1,
                            Ordering::Relaxed,
                            Ordering::Relaxed,
                        );
                    }
                    _ => {}
                }
                // The client's pace: a load, not a wait for anything.
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }
    let readiness = Arc::new(Mutex::new(Vec::<u16>::new()));
    {
        let (guichet, running, readiness) = (guichet.clone(), running.clone(), readiness.clone());
        clients.push(tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                let status = guichet.get("/readyz", None).await.status.as_u16();
                {
                    let mut seen = readiness.lock().unwrap();
                    if seen.last() != Some(&status) {
                        seen.push(status);
                    }
                }
                // The client's pace: a load, not a wait for anything.
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }));
    }

    // The load runs a while before the outage, and PostgreSQL stays down
    // 5 s: these spans are the scenario itself.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let before = tally.counts();
    let outage = Instant::now();
    let mut postgres = tokio::task::spawn_blocking(move || {
        postgres.stop(StopMode::Fast);
        std::thread::sleep(Duration::from_secs(5));
        postgres.restart();
        postgres
    })
    .await
    .expect("PostgreSQL restarted");
    let outage = outage.elapsed();
    restarted.store(true, Ordering::Relaxed);
    // The service recovers by itself: each kind of request succeeds again.
    let recovered = holds_within(Duration::from_secs(60), async || {
        given.after.iter().all(|n| n.load(Ordering::Relaxed) >= 3)
    })
    .await;
    assert!(
        recovered,
        "requests succeed again: issues, calls, bookings since the restart {:?}; {}; {:#?}",
        given.after,
        tally.counts().summary(),
        tally.counts().other
    );
    holds_within(Duration::from_secs(10), async || {
        readiness.lock().unwrap().last() == Some(&200)
    })
    .await;
    running.store(false, Ordering::Relaxed);
    for client in clients {
        client.await.expect("client finished");
    }

    let counts = tally.counts();
    assert!(
        counts.other.is_empty(),
        "answers other than 2xx, 409, 503: {:#?}",
        counts.other
    );
    assert!(
        counts.longest < NO_HANG,
        "a request took {:?}",
        counts.longest
    );
    assert!(
        counts.unavailable > 0 && before.unavailable == 0,
        "503 during the outage only: {} before, {} in all",
        before.unavailable,
        counts.unavailable
    );
    let readiness = readiness.lock().unwrap().clone();
    assert_eq!(
        readiness,
        [200, 503, 200],
        "/readyz while PostgreSQL restarted"
    );

    // Every 201 is in the database; no number twice; no slot over its places.
    let pool = sqlx::PgPool::connect(&database)
        .await
        .expect("PostgreSQL back");
    let tickets = given.tickets.lock().unwrap().clone();
    let appointments = given.appointments.lock().unwrap().clone();
    let ids: Vec<String> = tickets.iter().map(|(id, _)| id.clone()).collect();
    let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE id = ANY($1)")
        .bind(&ids)
        .fetch_one(&pool)
        .await
        .expect("tickets counted");
    assert_eq!(
        found as usize,
        ids.len(),
        "every ticket given is in the database"
    );
    let found: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM appointments WHERE id = ANY($1) AND status = 'booked'",
    )
    .bind(&appointments)
    .fetch_one(&pool)
    .await
    .expect("appointments counted");
    assert_eq!(
        found as usize,
        appointments.len(),
        "every booking given is in the database"
    );
    let numbers: HashSet<&str> = tickets.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(numbers.len(), tickets.len(), "no number given twice");
    let duplicated: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM tickets WHERE site_id = 'anfa'
         GROUP BY local_day, number HAVING COUNT(*) > 1) AS twice",
    )
    .fetch_one(&pool)
    .await
    .expect("numbers checked");
    assert_eq!(duplicated, 0, "no number twice in the database");
    let overbooked: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT start_at, CAST(SUM(persons) AS BIGINT) FROM appointments
         WHERE site_id = 'anfa' AND status IN ('booked', 'checked_in')
         GROUP BY service_id, start_at HAVING SUM(persons) > $1",
    )
    .bind(CAPACITY)
    .fetch_all(&pool)
    .await
    .expect("slots checked");
    assert!(
        overbooked.is_empty(),
        "slots over their {CAPACITY} places: {overbooked:?}"
    );
    let mismatched: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM slot_places p WHERE p.site_id = 'anfa' AND p.taken <> COALESCE(
             (SELECT SUM(persons) FROM appointments a WHERE a.site_id = p.site_id
              AND a.service_id = p.service_id AND a.start_at = p.start_at
              AND a.status IN ('booked', 'checked_in')), 0)",
    )
    .fetch_one(&pool)
    .await
    .expect("places checked");
    assert_eq!(mismatched, 0, "places taken match the appointments");
    pool.close().await;
    postgres.stop(StopMode::Immediate);

    println!(
        "postgres restart: outage {} ms; {}; rows checked: {} tickets, {} appointments",
        outage.as_millis(),
        counts.summary(),
        tickets.len(),
        appointments.len()
    );
}

/// The ticket called or being served at `counter`, read from the database.
async fn ticket_at(database: &str, counter: &str) -> Option<String> {
    let pool = sqlx::PgPool::connect(database).await.ok()?;
    let id = sqlx::query_scalar(
        "SELECT id FROM tickets WHERE counter_id = $1 AND status IN ('called', 'serving')",
    )
    .bind(counter)
    .fetch_optional(&pool)
    .await
    .ok()
    .flatten();
    pool.close().await;
    id
}
