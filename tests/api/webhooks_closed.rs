//! `appointment.closed` as a third party receives it: one signed event per
//! appointment that ends, however it ended (a video call recorded by its
//! agent, a visit whose ticket is completed at the counter, a booking
//! nobody came to), sent once however often the sweep runs, and once more
//! when an agent corrects a no-show.

use crate::fakes::receiver::FakeReceiver;
use crate::support::hooks::{WITHIN, check_signature, json_of, register};
use crate::support::office::{Office, phone, text};
use crate::support::sms::{TUESDAY_9, TUESDAY_10, TUESDAY_930, office_sending_through};
use guichet::app::reminders::sweep;
use guichet_test_support::on_both_backends;
use guichet_test_support::wait::throughout;
use guichet_test_support::{Backend, STAFF_PASSWORD};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

on_both_backends!(every_end_of_an_appointment_is_told_once);

async fn post(office: &Office, token: &str, path: &str, body: Value) -> Value {
    let answer = office.app.post(path, Some(token), body).await;
    assert!(answer.status.is_success(), "{path}: {}", answer.body);
    answer.body
}

/// The events received so far, as `(reference, status)`, in order.
fn told(receiver: &FakeReceiver, secret: &str) -> Vec<(String, String)> {
    receiver
        .received()
        .iter()
        .filter(|d| d.answered == 200)
        .map(|d| {
            check_signature(d, secret);
            let event = json_of(d);
            assert_eq!(event["event"], "appointment.closed", "{event}");
            let data = &event["data"];
            assert!(data["closed_at"].as_i64().is_some(), "{event}");
            let field = |name: &str| data[name].as_str().unwrap_or_default().to_owned();
            (field("reference"), field("status"))
        })
        .collect()
}

async fn every_end_of_an_appointment_is_told_once(backend: Backend) {
    let receiver = FakeReceiver::start().await;
    let office = office_sending_through(backend, None).await;
    let (_, secret) = register(&office, &receiver.url, &["appointment.closed"]).await;
    let book = |start: &'static str, n: usize, mode: &'static str| {
        let office = &office;
        async move {
            let body = json!({"start": start, "phone": phone(n), "mode": mode});
            let booked = office.book_with(body).await;
            assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
            text(&booked, "reference").to_owned()
        }
    };
    let call = book(TUESDAY_9, 1, "video").await;
    let visit = book(TUESDAY_930, 2, "in_person").await;
    let missed = book(TUESDAY_10, 3, "in_person").await;
    let forgotten = book(TUESDAY_9, 4, "video").await;

    // The call is held; the visitor checks in and is served.
    office.set_time("2026-11-24T09:35:00Z");
    let agent = office.app.login("agdal-agent", STAFF_PASSWORD).await;
    let path = format!("/api/v1/appointments/{call}/outcome");
    post(&office, &agent, &path, json!({"outcome": "done"})).await;
    let path = format!("/api/v1/appointments/{visit}/check-in");
    let ticket = post(&office, &agent, &path, json!({})).await;
    let ticket = ticket["id"].as_str().expect("a ticket").to_owned();
    let reopened = office
        .app
        .post("/api/v1/counters/agdal-g1/open", Some(&agent), json!({}))
        .await;
    assert!(reopened.status.is_success() || reopened.status == StatusCode::CONFLICT);
    let called = post(
        &office,
        &agent,
        "/api/v1/counters/agdal-g1/call-next",
        json!({}),
    )
    .await;
    assert_eq!(called["id"], ticket.as_str(), "{called}");
    for step in ["start", "complete"] {
        post(
            &office,
            &agent,
            &format!("/api/v1/tickets/{ticket}/{step}"),
            json!({}),
        )
        .await;
    }
    assert!(receiver.received().is_empty(), "told by the sweep only");

    sweep(&office.app.app).await.expect("sweep");
    sweep(&office.app.app).await.expect("sweep again");
    receiver.wait_for_accepted(2, WITHIN).await;
    let mut first = told(&receiver, &secret);
    first.sort();
    let mut expected = vec![
        (call.clone(), "done".to_owned()),
        (visit.clone(), "done".to_owned()),
    ];
    expected.sort();
    assert_eq!(first, expected);
    let body = &receiver.received()[0].body;
    for personal in [&phone(1)[..], &phone(2)[..], "Amina", "Alaoui"] {
        assert!(!body.contains(personal), "{personal} in {body}");
    }

    // Nobody came at 10:00: the check-in window closes at 10:30.
    office.set_time("2026-11-24T10:31:00Z");
    sweep(&office.app.app).await.expect("sweep");
    receiver.wait_for_accepted(3, WITHIN).await;
    let after = told(&receiver, &secret);
    assert_eq!(after.get(2), Some(&(missed.clone(), "no_show".to_owned())));

    // Sweeps a little later tell nothing new.
    office.set_time("2026-11-24T10:36:00Z");
    sweep(&office.app.app).await.expect("sweep");
    throughout(Duration::from_millis(500), "each told once", async || {
        told(&receiver, &secret).len() == 3
    })
    .await;

    // A call nobody recorded ends as a no-show 12 hours after; the agent
    // corrects it, and that is told too.
    office.set_time("2026-11-24T21:31:00Z");
    sweep(&office.app.app).await.expect("sweep");
    receiver.wait_for_accepted(4, WITHIN).await;
    let agent = office.app.login("agdal-agent", STAFF_PASSWORD).await;
    let path = format!("/api/v1/appointments/{forgotten}/outcome");
    post(&office, &agent, &path, json!({"outcome": "done"})).await;
    sweep(&office.app.app).await.expect("sweep");
    receiver.wait_for_accepted(5, WITHIN).await;
    let all = told(&receiver, &secret);
    assert_eq!(
        all[3..],
        [
            (forgotten.clone(), "no_show".to_owned()),
            (forgotten, "done".to_owned())
        ]
    );
}
