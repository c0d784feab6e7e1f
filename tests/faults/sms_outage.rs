//! The SMS provider down for minutes while bookings keep coming, then back.

use crate::fakes::twilio::{FakeTwilio, Reply};
use crate::instance_killed::twilio_env;
use crate::support::guichet::Guichet;
use crate::support::office::{self, phone};
use crate::support::postgres::PrivatePostgres;
use reqwest::StatusCode;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const OUTAGE: Duration = Duration::from_secs(120);
const BOOKINGS: usize = 24;
/// Messages the worker sends at once: within such a group the provider may
/// get them in any order.
const PARALLEL: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis binaries"]
async fn sms_provider_down_for_minutes_then_back_every_message_goes_once_in_order_of_due_time() {
    let postgres = PrivatePostgres::start();
    let twilio = FakeTwilio::start().await;
    let guichet = Guichet::serve(&postgres.url(), &twilio_env(&twilio)).await;
    let office = office::open(&guichet, &postgres.url(), "anfa", 1, 3).await;
    let slots = office.slots(&guichet, "residence", BOOKINGS).await;

    // The provider is down: bookings still succeed, their confirmations wait.
    twilio.answer_from_now_on(Reply::ServerError);
    let down = Instant::now();
    for (n, start) in slots.iter().enumerate() {
        let answer = office.book(&guichet, "residence", start, &phone(n)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{answer:?}");
        // The bookings are spread over the outage, which lasts OUTAGE:
        // its length is the scenario itself.
        tokio::time::sleep(OUTAGE / BOOKINGS as u32).await;
    }
    tokio::time::sleep(OUTAGE.saturating_sub(down.elapsed())).await;
    let failed_attempts = twilio.received().len();
    assert!(
        twilio.delivered().is_empty() && failed_attempts > 0,
        "the provider refused every attempt while down"
    );
    twilio.answer_from_now_on(Reply::Accept);
    let back = Instant::now();

    let delivered = twilio
        .wait_for_delivered(BOOKINGS, Duration::from_secs(240))
        .await;
    let recovery = back.elapsed();
    if delivered.len() != BOOKINGS {
        let warnings: Vec<String> = guichet
            .log_text()
            .lines()
            .filter(|line| line.contains("WARN") || line.contains("ERROR"))
            .map(str::to_owned)
            .collect();
        let keys: Vec<_> = delivered
            .iter()
            .map(|d| (&d.idempotency_key, d.at))
            .collect();
        panic!(
            "{} confirmations delivered, {BOOKINGS} expected: {keys:#?}\n{}",
            delivered.len(),
            warnings.join("\n")
        );
    }
    let pool = sqlx::PgPool::connect(&postgres.url())
        .await
        .expect("PostgreSQL");
    // The provider has them all; the worker records each answer a moment
    // after the provider gave it.
    let recorded = Instant::now() + Duration::from_secs(15);
    let due = loop {
        let due: Vec<(String, String)> = sqlx::query_as(
            // The confirmations only: a booking close to now may also have its
            // reminder queued, depending on the time of day the test runs.
            "SELECT idempotency_key, status FROM notifications
             WHERE channel = 'sms' AND template = 'appointment_booked'
             ORDER BY created_at, id",
        )
        .fetch_all(&pool)
        .await
        .expect("outbox read");
        let all_sent = due.iter().all(|(_, status)| status == "sent");
        if all_sent || Instant::now() > recorded {
            break due;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(due.len(), BOOKINGS);
    assert!(due.iter().all(|(_, status)| status == "sent"), "{due:?}");

    // Once each, and in order of due time (up to the messages sent at once).
    let mut times: HashMap<String, usize> = HashMap::new();
    let mut order: HashMap<String, usize> = HashMap::new();
    for (position, sms) in delivered.iter().enumerate() {
        let key = sms.idempotency_key.clone().expect("idempotency key");
        *times.entry(key.clone()).or_default() += 1;
        order.entry(key).or_insert(position);
    }
    let mut displacement = 0;
    for (rank, (key, _)) in due.iter().enumerate() {
        assert_eq!(times.get(key), Some(&1), "{key} delivered once");
        displacement = displacement.max(order[key].abs_diff(rank));
    }
    assert!(
        displacement < PARALLEL,
        "sent out of order: a message went {displacement} places away from its turn"
    );

    println!(
        "sms outage: provider down {} s, {BOOKINGS} bookings made meanwhile, {failed_attempts} \
         attempts refused; back: all {BOOKINGS} delivered once within {} s, largest distance \
         from due order {displacement} (sent {PARALLEL} at a time)",
        OUTAGE.as_secs(),
        recovery.as_secs()
    );
}
