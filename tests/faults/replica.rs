//! A read replica (docs/scaling.md, "Read replicas"): a private primary
//! and its streaming replica. Bookings made on the primary show in the
//! slot lists the replica serves, each list read once a second for all
//! who ask it; the page shown again after a refused
//! booking reads the primary; a replica that falls behind, or stops under
//! a load of slot-list reads, costs no error: the primary serves
//! meanwhile, `/readyz` says so, and the replica is used again when back.

use crate::support::guichet::Guichet;
use crate::support::office::{self, Office, phone};
use crate::support::postgres::{PrivatePostgres, StopMode};
use crate::support::tally::Tally;
use guichet_test_support::client::metric_sum;
use guichet_test_support::eventually;
use reqwest::StatusCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const CAPACITY: i64 = 3;
const READERS: usize = 6;
/// The lag allowed: the stale reads below are made well within it.
const MAX_LAG_MS: u64 = 3000;
const WITHIN: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL binaries"]
async fn a_replica_serves_slot_lists_and_falling_behind_or_stopping_costs_no_error() {
    let started = Instant::now();
    let primary = PrivatePostgres::start();
    let mut replica = PrivatePostgres::replica_of(&primary);
    let env = [
        ("DATABASE_REPLICA_URL", replica.url()),
        ("GUICHET_REPLICA_MAX_LAG_MS", MAX_LAG_MS.to_string()),
    ];
    let guichet = Arc::new(Guichet::serve(&primary.url(), &env).await);
    replica_becomes(&guichet, "ok").await;
    let office = Arc::new(office::open(&guichet, &primary.url(), "anfa", 1, CAPACITY).await);
    // Two slots hours ahead, which stay listed however long the test takes.
    let starts = office.slots(&guichet, "residence", 12).await[10..].to_vec();

    // A booking on the primary shows in the replica's slot list once
    // replayed, and the list was read from the replica.
    let answer = office
        .book(&guichet, "residence", &starts[0], &phone(1))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    eventually(WITHIN, "the booking in the slot list", async || {
        available(&guichet, &office, &starts[0]).await == CAPACITY - 1
    })
    .await;
    assert!(
        served(&guichet, "replica").await > 0.0,
        "reads from the replica"
    );

    // Sixty citizens asking for the same list at once cost the replica
    // one read a second: the others are answered with that one.
    let reused_before = reused(&guichet).await;
    let asked = Instant::now();
    let lists = (0..60).map(|_| available(&guichet, &office, &starts[0]));
    let shown = futures_util::future::join_all(lists).await;
    let took = asked.elapsed();
    assert!(shown.iter().all(|left| *left == CAPACITY - 1), "{shown:?}");
    let made = 60.0 - (reused(&guichet).await - reused_before);
    assert!(
        made <= took.as_secs_f64().ceil() + 1.0,
        "{made} reads made for 60 lists asked within {took:?}"
    );

    // The replica stops replaying: a booking is not in its slot list yet
    // (the list is the replica's), then the replica is too far behind,
    // `/readyz` says `lagging`, and the list comes from the primary.
    let standby = sqlx::PgPool::connect(&replica.url())
        .await
        .expect("replica");
    sqlx::query("SELECT pg_wal_replay_pause()")
        .execute(&standby)
        .await
        .expect("replay paused");
    let answer = office
        .book(&guichet, "residence", &starts[1], &phone(2))
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    assert_eq!(
        available(&guichet, &office, &starts[1]).await,
        CAPACITY,
        "the paused replica serves the list, without the booking"
    );
    // The page shown again after a refused booking must see the refusal:
    // its calendar is the primary's, although the replica is behind.
    for n in [3, 4] {
        let answer = office
            .book(&guichet, "residence", &starts[0], &phone(n))
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
    }
    let (status, page) = book_on_page(&guichet, &office, &starts[0], &phone(5)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(
        !page.contains(&format!("data-start=\"{}\"", starts[0])),
        "the page after a refused booking offers the full slot again"
    );
    assert_eq!(
        available(&guichet, &office, &starts[0]).await,
        CAPACITY - 1,
        "the replica, still behind, would have offered it"
    );
    replica_becomes(&guichet, "lagging").await;
    assert_eq!(
        available(&guichet, &office, &starts[1]).await,
        CAPACITY - 1,
        "a lagging replica's reads go to the primary"
    );
    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&standby)
        .await
        .expect("replay resumed");
    standby.close().await;
    replica_becomes(&guichet, "ok").await;

    // Readers keep listing slots while the replica is stopped and
    // started again: every answer 200, none without the bookings.
    let tally = Arc::new(Tally::default());
    let running = Arc::new(AtomicBool::new(true));
    let stale = Arc::new(AtomicUsize::new(0));
    let mut readers = Vec::new();
    for _ in 0..READERS {
        let (guichet, office, tally) = (guichet.clone(), office.clone(), tally.clone());
        let (running, stale, starts) = (running.clone(), stale.clone(), starts.clone());
        readers.push(tokio::spawn(async move {
            while running.load(Ordering::Relaxed) {
                let answer = guichet.get(&slots_path(&office), None).await;
                tally.record("slots", &answer);
                let shown = [0, CAPACITY - 1]
                    .iter()
                    .zip(&starts)
                    .all(|(left, start)| places(&answer.body, start) == Some(*left));
                if answer.status == StatusCode::OK && !shown {
                    stale.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let from_replica = served(&guichet, "replica").await;
    eventually(WITHIN, "the load read from the replica", async || {
        served(&guichet, "replica").await > from_replica + 50.0
    })
    .await;
    replica.stop(StopMode::Fast);
    replica_becomes(&guichet, "down").await;
    let from_primary = served(&guichet, "primary").await;
    eventually(WITHIN, "the load read from the primary", async || {
        served(&guichet, "primary").await > from_primary + 50.0
    })
    .await;
    replica.restart();
    replica_becomes(&guichet, "ok").await;
    let from_replica = served(&guichet, "replica").await;
    eventually(WITHIN, "the load read from the replica again", async || {
        served(&guichet, "replica").await > from_replica + 50.0
    })
    .await;
    running.store(false, Ordering::Relaxed);
    for reader in readers {
        reader.await.expect("reader");
    }

    let counts = tally.counts();
    assert!(counts.other.is_empty(), "{:?}", counts.other);
    assert_eq!(counts.unavailable, 0, "{}", counts.summary());
    assert_eq!(counts.success, counts.requests, "{}", counts.summary());
    assert_eq!(
        stale.load(Ordering::Relaxed),
        0,
        "lists without the bookings"
    );
    println!(
        "replica: {}; served by the replica {}, by the primary {}; {} s in all",
        counts.summary(),
        served(&guichet, "replica").await,
        served(&guichet, "primary").await,
        started.elapsed().as_secs()
    );
}

/// Waits until `/readyz` reports the replica as `state`; it is 200 and
/// ready all the while, whatever the replica does.
async fn replica_becomes(guichet: &Guichet, state: &str) {
    eventually(WITHIN, &format!("/readyz: replica {state}"), async || {
        let ready = guichet.get("/readyz", None).await;
        assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
        assert_eq!(ready.body["status"], "ready", "{}", ready.body);
        ready.body["replica"] == state
    })
    .await;
}

/// Reads that could go to the replica, served `by` the replica or the
/// primary, as `/metrics` counts them.
async fn served(guichet: &Guichet, by: &str) -> f64 {
    let metrics = guichet.metrics().await;
    metric_sum(
        &metrics,
        "guichet_replica_reads_total",
        &[&format!("by=\"{by}\"")],
    )
}

/// Slot lists answered with a read made for an earlier caller.
async fn reused(guichet: &Guichet) -> f64 {
    let metrics = guichet.metrics().await;
    metric_sum(&metrics, "guichet_replica_reads_reused_total", &[])
}

/// The slot list of the office's `residence` service, from today to the
/// day after tomorrow (where `Office::slots` took its starts).
fn slots_path(office: &Office) -> String {
    let today = jiff::Zoned::now()
        .in_tz("Africa/Casablanca")
        .expect("zone")
        .date();
    let last = today
        .checked_add(jiff::Span::new().days(2))
        .expect("a date");
    format!(
        "/api/v1/sites/{}/services/residence/slots?from={today}&to={last}&mode=in_person",
        office.site
    )
}

/// The places left at `start`, as the slot list says.
async fn available(guichet: &Guichet, office: &Office, start: &str) -> i64 {
    let answer = guichet.get(&slots_path(office), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{answer:?}");
    places(&answer.body, start).expect("the slot listed")
}

fn places(list: &serde_json::Value, start: &str) -> Option<i64> {
    list["slots"]
        .as_array()?
        .iter()
        .find(|slot| slot["start"] == start)?["available"]
        .as_i64()
}

/// Tries to book `start` on the booking page as a browser does (the
/// page's CSRF cookie and field, then the form): the status and page
/// that answer.
async fn book_on_page(
    guichet: &Guichet,
    office: &Office,
    start: &str,
    phone: &str,
) -> (StatusCode, String) {
    let path = format!("/book/{}/residence", office.site);
    let answer = guichet
        .http
        .get(guichet.url(&path))
        .send()
        .await
        .expect("the booking page");
    let cookie = answer
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("guichet_csrf="))
        .and_then(|value| value.split(';').next())
        .expect("a CSRF cookie")
        .to_owned();
    let page = answer.text().await.expect("the page");
    let token = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF field")
        .to_owned();
    let form = serde_urlencoded::to_string([
        ("csrf", token.as_str()),
        ("mode", "in_person"),
        ("day", &start[..10]),
        ("start", start),
        ("name", "Citoyen Test"),
        ("phone", phone),
        ("email", ""),
        ("persons", "1"),
        ("otp", ""),
        ("action", "book"),
    ])
    .expect("a form");
    let answer = guichet
        .http
        .post(guichet.url(&path))
        .header(reqwest::header::COOKIE, cookie)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header("X-Forwarded-For", "10.200.0.1")
        .body(form)
        .send()
        .await
        .expect("the form sent");
    let status = answer.status();
    (status, answer.text().await.expect("the page"))
}
