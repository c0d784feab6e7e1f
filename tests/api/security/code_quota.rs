//! How many codes one phone is sent, as a citizen (or someone bombing
//! their phone) meets it over a day: one a minute, five an hour, ten a
//! day, with `Retry-After` saying when the next one can be had.

use crate::support::office::phone;
use guichet::clock::ManualTime;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Answer, Backend, TestApp};
use serde_json::json;

on_both_backends!(codes_to_one_phone_are_spaced_and_counted_by_hour_and_day);

async fn ask(app: &TestApp, phone: &str) -> Answer {
    app.post("/api/v1/otp", None, json!({"phone": phone})).await
}

fn retry_after(answer: &Answer) -> i64 {
    assert_eq!(answer.status, 429, "{}", answer.body);
    assert_eq!(answer.code(), "rate_limited");
    answer.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After in seconds")
}

fn advance(time: &ManualTime, seconds: i64) {
    time.set(time.now() + jiff::SignedDuration::from_secs(seconds));
}

async fn codes_to_one_phone_are_spaced_and_counted_by_hour_and_day(backend: Backend) {
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T07:00:00Z")
        .await;
    let target = phone(11);
    // Five in the first hour, a minute apart; the second within the
    // minute waits for the rest of it.
    for n in 0..5 {
        assert_eq!(ask(&app, &target).await.status, 202, "code {n}");
        if n < 4 {
            let soon = retry_after(&ask(&app, &target).await);
            assert!((1..=60).contains(&soon), "{soon}");
        }
        advance(&time, 61);
    }
    // The sixth waits for the hour that began with the first.
    let wait = retry_after(&ask(&app, &target).await);
    assert!((3_000..=3_600 - 305).contains(&wait), "{wait}");
    // Someone else's phone is not held back.
    assert_eq!(ask(&app, &phone(12)).await.status, 202);
    // The next hour gives five more, and then the day is used up.
    advance(&time, wait);
    for n in 5..10 {
        assert_eq!(ask(&app, &target).await.status, 202, "code {n}");
        advance(&time, 61);
    }
    advance(&time, 3_600);
    let wait = retry_after(&ask(&app, &target).await);
    assert!((70_000..=86_400).contains(&wait), "{wait}");
    advance(&time, wait);
    assert_eq!(ask(&app, &target).await.status, 202, "a new day");
    assert_eq!(app.count("otp_codes").await, 12);
}
