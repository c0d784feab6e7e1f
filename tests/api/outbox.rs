//! The outbox worker against a local server speaking the Twilio API:
//! retries, permanent errors, `Retry-After`, several workers, a worker
//! that died holding a message, and a provider down for a while.

use crate::fakes::twilio::{FakeTwilio, Reply};
use guichet::clock::{Clock, ManualTime};
use guichet::config::{Config, SmsTransport};
use guichet::store::outbox::{self, NewMessage};
use guichet_test_support::on_both_backends;
use guichet_test_support::wait::{eventually, throughout, until_some};
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const START: &str = "2026-11-23T09:00:00Z";

on_both_backends!(
    a_provider_failing_twice_then_succeeding_sends_once,
    a_permanent_error_is_not_retried,
    retry_after_is_honoured,
    two_workers_never_send_a_message_twice,
    a_dead_workers_message_is_sent_after_its_lease,
    after_a_provider_outage_the_backlog_goes_out_once_oldest_first,
);

fn through(twilio: &FakeTwilio) -> impl Fn(&mut Config) + Clone + use<> {
    let base = twilio.base.clone();
    move |config: &mut Config| {
        config.sms = SmsTransport::Twilio;
        config.twilio_account_sid = Some("AC0123".into());
        config.twilio_auth_token = Some("secret-token".parse().expect("a secret"));
        config.twilio_from = Some("+212500000000".into());
        config.twilio_api_base = base.clone();
    }
}

async fn app(backend: Backend, twilio: &FakeTwilio) -> (TestApp, ManualTime) {
    let (clock, time) = Clock::manual(START.parse().expect("a timestamp"));
    (
        TestApp::builder()
            .backend(backend)
            .clock(clock)
            .config(through(twilio))
            .spawn()
            .await,
        time,
    )
}

/// Asks for a code for `phone`: one SMS in the outbox.
async fn code_for(app: &TestApp, phone: &str) {
    let sent = app.post("/api/v1/otp", None, json!({"phone": phone})).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
}

/// The one message's (status, attempts, provider id, last error), once
/// the attempt in flight, if any, is recorded.
async fn state(app: &TestApp) -> (String, i64, Option<String>, Option<String>) {
    until_some(
        Duration::from_secs(2),
        "the message leaving flight",
        async || {
            let row: (String, i64, Option<String>, Option<String>) =
                guichet_test_support::read!(&app.app.db, |c| sqlx::query_as(
                    "SELECT status, attempts, provider_id, last_error FROM notifications"
                )
                .fetch_one(c)
                .await)
                .expect("one message");
            (row.0 != "sending").then_some(row)
        },
    )
    .await
}

fn later(time: &ManualTime, seconds: i64) {
    let now = time.now();
    time.set(
        now.checked_add(jiff::SignedDuration::from_secs(seconds))
            .unwrap(),
    );
}

/// Waits until the provider has been asked `n` times.
async fn asked(twilio: &FakeTwilio, n: usize) {
    let what = format!("the provider asked {n} times");
    eventually(Duration::from_secs(5), &what, async || {
        twilio.received().len() >= n
    })
    .await;
}

/// The provider is asked exactly `n` times, all through `during`: the
/// worker had its chances (once a second) and took none.
async fn asked_only(twilio: &FakeTwilio, n: usize, during: Duration, what: &str) {
    throughout(during, what, async || twilio.received().len() == n).await;
}

async fn a_provider_failing_twice_then_succeeding_sends_once(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    twilio.script(vec![Reply::ServerError, Reply::ServerError]);
    let (app, time) = app(backend, &twilio).await;
    code_for(&app, "+212612345678").await;
    asked(&twilio, 1).await;
    asked_only(
        &twilio,
        1,
        Duration::from_millis(1500),
        "no retry before its time",
    )
    .await;
    later(&time, 3);
    asked(&twilio, 2).await;
    // Its backoff counts from when the worker records the failure.
    assert_eq!(state(&app).await.0, "retrying");
    later(&time, 6);
    let delivered = twilio.wait_for_delivered(1, Duration::from_secs(5)).await;
    throughout(Duration::from_millis(1500), "delivered once", async || {
        twilio.delivered().len() == 1
    })
    .await;
    let sms = &delivered[0];
    assert_eq!(sms.to, "+212612345678");
    assert!(sms.body.contains("code"));
    assert_eq!(
        sms.basic_auth,
        Some(("AC0123".into(), "secret-token".into()))
    );
    // Every attempt carried the same idempotency token.
    let keys: Vec<_> = twilio
        .received()
        .iter()
        .map(|r| r.idempotency_key.clone())
        .collect();
    assert!(keys[0].is_some() && keys.iter().all(|k| *k == keys[0]));
    let (status, attempts, provider_id, _) = state(&app).await;
    assert_eq!((status.as_str(), attempts), ("sent", 3));
    assert_eq!(provider_id, sms.sid);
}

async fn a_permanent_error_is_not_retried(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    twilio.script(vec![Reply::InvalidNumber]);
    let (app, time) = app(backend, &twilio).await;
    code_for(&app, "+212612345678").await;
    asked(&twilio, 1).await;
    // Each hour later, the worker (once a second) gets its chance.
    for _ in 0..3 {
        later(&time, 3600);
        asked_only(&twilio, 1, Duration::from_millis(1200), "not retried").await;
    }
    let (status, attempts, _, error) = state(&app).await;
    assert_eq!((status.as_str(), attempts), ("dead", 1));
    assert!(error.unwrap_or_default().contains("21211"));
}

async fn retry_after_is_honoured(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    twilio.script(vec![Reply::RateLimited {
        retry_after_secs: 120,
    }]);
    let (app, time) = app(backend, &twilio).await;
    code_for(&app, "+212612345678").await;
    asked(&twilio, 1).await;
    // The worker has recorded the answer (its wait counts from then)
    // before the clock moves.
    assert_eq!(state(&app).await.0, "retrying");
    later(&time, 60);
    asked_only(
        &twilio,
        1,
        Duration::from_millis(1500),
        "asked to wait two minutes",
    )
    .await;
    later(&time, 61);
    twilio.wait_for_delivered(1, Duration::from_secs(5)).await;
    assert_eq!(state(&app).await.0, "sent");
}

/// Queues `n` messages straight into the outbox, as changes do.
async fn queue(app: &TestApp, n: usize) {
    let now = app.app.clock.now_ms();
    let mut tx = app.app.db.begin().await.unwrap();
    for i in 0..n {
        let message = NewMessage {
            id: format!("m{i:04}"),
            site_id: None,
            channel: "sms",
            template: "test",
            recipient: format!("+2126{i:08}"),
            subject: None,
            html: None,
            attachment: None,
            body: format!("message {i}"),
            idempotency_key: format!("test:{i}"),
            created_at: now - 1000 + i as i64,
        };
        assert!(outbox::enqueue(&mut tx, &message).await.unwrap());
    }
    tx.commit().await.unwrap();
}

async fn two_workers_never_send_a_message_twice(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    let (app, time) = app(backend, &twilio).await;
    let other = TestApp::builder()
        .join(&app.database_url)
        .clock(time.clock())
        .config(through(&twilio))
        .spawn()
        .await;
    queue(&app, 300).await;
    let delivered = twilio
        .wait_for_delivered(300, Duration::from_secs(30))
        .await;
    asked_only(
        &twilio,
        300,
        Duration::from_millis(1500),
        "each message once",
    )
    .await;
    let mut bodies: Vec<_> = delivered.iter().map(|d| d.body.clone()).collect();
    bodies.sort();
    bodies.dedup();
    assert_eq!(bodies.len(), 300);
    drop(other);
}

async fn a_dead_workers_message_is_sent_after_its_lease(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    let (app, time) = app(backend, &twilio).await;
    // A worker whose clock is an hour ahead claims the message, due then,
    // and dies before sending it.
    let now = app.app.clock.now_ms();
    let mut tx = app.app.db.begin().await.unwrap();
    let message = NewMessage {
        id: "claimed".into(),
        site_id: None,
        channel: "sms",
        template: "test",
        recipient: "+212612345678".into(),
        subject: None,
        html: None,
        attachment: None,
        body: "held by a worker that died".into(),
        idempotency_key: "test:claimed".into(),
        created_at: now + 3_600_000,
    };
    outbox::enqueue(&mut tx, &message).await.unwrap();
    tx.commit().await.unwrap();
    let claimed = outbox::claim(&app.app.db, now + 3_600_000, 60_000, 10, &[])
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    later(&time, 3600);
    asked_only(
        &twilio,
        0,
        Duration::from_millis(1500),
        "nobody sends while the lease holds",
    )
    .await;
    later(&time, 61);
    let delivered = twilio.wait_for_delivered(1, Duration::from_secs(5)).await;
    assert_eq!(
        delivered[0].idempotency_key.as_deref(),
        Some("test:claimed")
    );
    asked_only(&twilio, 1, Duration::from_millis(1200), "sent once").await;
    let (status, attempts, _, _) = state(&app).await;
    assert_eq!((status.as_str(), attempts), ("sent", 2));
}

async fn after_a_provider_outage_the_backlog_goes_out_once_oldest_first(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    twilio.answer_from_now_on(Reply::ServerError);
    let (app, time) = app(backend, &twilio).await;
    queue(&app, 20).await;
    asked(&twilio, 1).await;
    // Down: the attempts of that first round fail, the rest wait their turn.
    throughout(
        Duration::from_millis(1500),
        "8 at most tried in the first round",
        async || twilio.received().len() <= 8,
    )
    .await;
    let first_round = twilio.received().len();
    assert!(
        first_round <= 8,
        "{first_round} tried while the provider failed"
    );
    later(&time, 3);
    asked(&twilio, first_round + 1).await;
    // The second round goes on for a while; what it tried is read after.
    throughout(
        Duration::from_millis(1500),
        "20 messages at most",
        async || twilio.received().len() <= 20,
    )
    .await;
    let tried: Vec<String> = twilio.received().iter().map(|r| r.body.clone()).collect();
    let oldest: Vec<String> = (0..8).map(|i| format!("message {i}")).collect();
    assert!(
        tried.iter().all(|body| oldest.contains(body)),
        "only the oldest are tried while the provider is down: {tried:?}"
    );

    twilio.answer_from_now_on(Reply::Accept);
    later(&time, 30);
    let delivered = twilio.wait_for_delivered(20, Duration::from_secs(10)).await;
    throughout(
        Duration::from_millis(1500),
        "each message once",
        async || twilio.delivered().len() == 20,
    )
    .await;
    // In order of due time, up to the 8 sent at once.
    for (place, sms) in delivered.iter().enumerate() {
        let rank: usize = sms.body["message ".len()..].parse().expect("a number");
        assert!(
            rank.abs_diff(place) < 8,
            "message {rank} went out {place}th"
        );
    }
}
