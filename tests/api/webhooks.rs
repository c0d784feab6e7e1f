//! Outbound webhooks as a third party receives them: signed as docs/api.md says
//! (checked here from that recipe alone, not with the server's code),
//! retried until accepted, stopped when revoked; and the admin's outbox.

use crate::fakes::receiver::{Delivery, FakeReceiver};
use crate::support::hooks::{WITHIN, check_signature, json_of, register};
use crate::support::office::{Office, phone, text};
use crate::support::sms::{TUESDAY_9, TUESDAY_930, office_sending_through};
use guichet_test_support::Backend;
use guichet_test_support::on_both_backends;
use guichet_test_support::wait::{holds_within, throughout, until_some};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

on_both_backends!(
    deliveries_are_signed_and_retried_until_accepted,
    dead_messages_can_be_sent_again,
    a_reschedule_is_announced,
);

/// Waits until the receiver got `n` deliveries, accepted or not.
async fn wait_received(receiver: &FakeReceiver, n: usize) -> Vec<Delivery> {
    holds_within(WITHIN, async || receiver.received().len() >= n).await;
    receiver.received()
}

fn advance(office: &Office, seconds: i64) {
    let later = office.time.now() + jiff::SignedDuration::from_secs(seconds);
    office.time.set(later);
}

async fn deliveries_are_signed_and_retried_until_accepted(backend: Backend) {
    let receiver = FakeReceiver::start().await;
    let cancellations = FakeReceiver::start().await;
    let office = office_sending_through(backend, None).await;
    let (app, admin) = (&office.app, office.admin.as_str());
    let events = ["appointment.booked", "appointment.cancelled"];
    let (id, secret) = register(&office, &receiver.url, &events).await;
    let (_, other_secret) = register(&office, &cancellations.url, &["appointment.cancelled"]).await;
    assert!(secret.len() >= 32 && secret != other_secret, "{secret}");
    let listed = app.get("/api/v1/webhooks", Some(admin)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let endpoints = listed.body.as_array().expect("a list");
    assert_eq!(endpoints.len(), 2, "{}", listed.body);
    let mine = endpoints
        .iter()
        .find(|e| e["id"] == id.as_str())
        .expect("listed");
    assert_eq!(
        (&mine["url"], &mine["events"]),
        (&json!(receiver.url), &json!(events))
    );
    assert!(
        !listed.body.to_string().contains(&secret),
        "the secret is shown once"
    );
    assert!(
        endpoints.iter().all(|e| e.get("secret").is_none()),
        "{}",
        listed.body
    );

    receiver.script(vec![500]);
    let booked = office.book(TUESDAY_9, &phone(1)).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let reference = text(&booked, "reference");
    let first = wait_received(&receiver, 1).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].answered, 500);
    // The next attempt waits for its time (2 s or so on the service's clock).
    throughout(
        Duration::from_millis(1500),
        "retried before its time",
        async || receiver.received().len() == 1,
    )
    .await;
    advance(&office, 5);
    let accepted = receiver.wait_for_accepted(1, WITHIN).await;
    assert_eq!(accepted.len(), 1);
    let all = receiver.received();
    assert_eq!(all.len(), 2, "one refused, one accepted");
    assert_eq!(
        check_signature(&all[0], &secret),
        office.time.now().as_second() - 5
    );
    assert_eq!(
        check_signature(&accepted[0], &secret),
        office.time.now().as_second()
    );
    assert_eq!(
        check_signature(&all[0], &secret) + 5,
        check_signature(&all[1], &secret)
    );
    let event = json_of(&accepted[0]);
    assert_eq!(event["event"], "appointment.booked", "{event}");
    assert_eq!(event["site"], office.site.as_str(), "{event}");
    assert_eq!(event["data"]["reference"], reference, "{event}");
    assert_eq!(accepted[0].headers["x-guichet-event"], "appointment.booked");
    assert_eq!(all[0].body, all[1].body, "the same delivery, sent again");
    let number = phone(1);
    for personal in [&number[..], &number[4..], "Amina", "Alaoui"] {
        assert!(
            !accepted[0].body.contains(personal),
            "{personal} in {event}"
        );
    }
    assert!(
        cancellations.received().is_empty(),
        "it did not ask for bookings"
    );

    let token = text(&booked, "manage_token");
    let cancelled = office
        .manage(Method::POST, reference, "/cancel", token, None)
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let accepted = receiver.wait_for_accepted(2, WITHIN).await;
    assert_eq!(accepted.len(), 2);
    check_signature(&accepted[1], &secret);
    let event = json_of(&accepted[1]);
    assert_eq!(event["event"], "appointment.cancelled", "{event}");
    assert_eq!(event["data"]["reference"], reference, "{event}");
    let elsewhere = cancellations.wait_for_accepted(1, WITHIN).await;
    assert_eq!(elsewhere.len(), 1);
    check_signature(&elsewhere[0], &other_secret);
    assert_eq!(json_of(&elsewhere[0])["event"], "appointment.cancelled");
    let all = receiver.received();
    let bookings = all.iter().filter(|d| d.body.contains("appointment.booked"));
    assert_eq!(
        bookings.filter(|d| d.answered == 200).count(),
        1,
        "accepted once"
    );

    // Revoked: nothing more.
    let path = format!("/api/v1/webhooks/{id}");
    let revoked = app.call(Method::DELETE, &path, Some(admin), None).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    let again = app.call(Method::DELETE, &path, Some(admin), None).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    let listed = app.get("/api/v1/webhooks", Some(admin)).await;
    assert!(!listed.body.to_string().contains(&id), "{}", listed.body);
    let later = office.book(TUESDAY_930, &phone(2)).await;
    assert_eq!(later.status, StatusCode::CREATED, "{}", later.body);
    let nothing_more = async || receiver.received().len() == 3;
    throughout(
        Duration::from_secs(2),
        "nothing after revoking",
        nothing_more,
    )
    .await;
    advance(&office, 60);
    let nothing_more = async || receiver.received().len() == 3;
    throughout(
        Duration::from_millis(1500),
        "nothing after revoking",
        nothing_more,
    )
    .await;

    // Only admins, only sensible endpoints and events.
    let agent = Some(office.agent.as_str());
    let body = json!({"url": receiver.url, "events": ["appointment.booked"]});
    let refused = app.post("/api/v1/webhooks", agent, body.clone()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(
        app.get("/api/v1/webhooks", agent).await.status,
        StatusCode::FORBIDDEN
    );
    let listed = app.get("/api/v1/webhooks", Some(admin)).await;
    let other = listed.body[0]["id"].as_str().expect("the other endpoint");
    let path = format!("/api/v1/webhooks/{other}");
    let refused = app.call(Method::DELETE, &path, agent, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(
        app.post("/api/v1/webhooks", None, body).await.status,
        StatusCode::UNAUTHORIZED
    );
    let invalid = [
        (
            json!({"url": "http://example.com/hook", "events": ["appointment.booked"]}),
            "invalid_url",
        ),
        (
            json!({"url": "https://", "events": ["appointment.booked"]}),
            "invalid_url",
        ),
        (
            json!({"url": "https://x.ma/h", "events": ["appointment.eaten"]}),
            "invalid_events",
        ),
        (
            json!({"url": "https://x.ma/h", "events": []}),
            "invalid_events",
        ),
    ];
    for (body, code) in invalid {
        let answer = app
            .post("/api/v1/webhooks", Some(admin), body.clone())
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{body}"
        );
    }
    let listed = app.get("/api/v1/webhooks", Some(admin)).await;
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        listed.body
    );
}

/// The webhook deliveries in the outbox with `status`, as the admin lists them.
async fn deliveries(office: &Office, status: &str) -> Vec<Value> {
    let path = format!("/api/v1/outbox?status={status}");
    let listed = office.app.get(&path, Some(&office.admin)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let all = listed.body.as_array().expect("a list").clone();
    all.into_iter()
        .filter(|m| m["channel"] == "webhook")
        .collect()
}

/// Waits until the outbox has a delivery in `status`.
async fn wait_delivery(office: &Office, status: &str) -> Value {
    until_some(WITHIN, &format!("a {status} delivery"), async || {
        deliveries(office, status).await.into_iter().next()
    })
    .await
}

async fn dead_messages_can_be_sent_again(backend: Backend) {
    let receiver = FakeReceiver::start().await;
    let office = office_sending_through(backend, None).await;
    let (app, admin) = (&office.app, office.admin.as_str());
    let (endpoint, secret) = register(&office, &receiver.url, &["appointment.booked"]).await;
    receiver.script(vec![410]);
    let booked = office.book(TUESDAY_9, &phone(1)).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);

    let dead = wait_delivery(&office, "dead").await;
    assert_eq!(dead["template"], "appointment.booked", "{dead}");
    assert_eq!(dead["recipient"], endpoint.as_str(), "{dead}");
    assert_eq!(dead["attempts"], 1, "dead at once: {dead}");
    assert!(
        dead["last_error"].as_str().unwrap_or("").contains("410"),
        "{dead}"
    );
    let id = dead["id"].as_str().expect("an id");
    // Not tried again by itself.
    advance(&office, 3600);
    throughout(Duration::from_millis(2500), "not tried again", async || {
        receiver.received().len() == 1
    })
    .await;
    assert_eq!(deliveries(&office, "dead").await.len(), 1);

    let path = format!("/api/v1/outbox/{id}/retry");
    let refused = app.post(&path, Some(&office.agent), json!({})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let retried = app.post(&path, Some(admin), json!({})).await;
    assert_eq!(retried.status, StatusCode::ACCEPTED, "{}", retried.body);
    let accepted = receiver.wait_for_accepted(1, WITHIN).await;
    assert_eq!(accepted.len(), 1);
    check_signature(&accepted[0], &secret);
    let event = json_of(&accepted[0]);
    assert_eq!(
        event["data"]["reference"],
        text(&booked, "reference"),
        "{event}"
    );
    assert_eq!(
        event["id"],
        json_of(&receiver.received()[0])["id"],
        "the same delivery"
    );

    let sent = wait_delivery(&office, "sent").await;
    assert_eq!(sent["id"], id, "{sent}");
    assert_eq!(sent["attempts"], 2, "{sent}");
    assert!(deliveries(&office, "dead").await.is_empty());
    let again = app.post(&path, Some(admin), json!({})).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.body);
    let unknown = app
        .post("/api/v1/outbox/nope/retry", Some(admin), json!({}))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    let nonsense = app.get("/api/v1/outbox?status=nonsense", Some(admin)).await;
    assert_eq!(
        nonsense.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        nonsense.body
    );
    let everything = app.get("/api/v1/outbox", Some(admin)).await;
    assert_eq!(everything.status, StatusCode::OK, "{}", everything.body);
    assert!(everything.body.to_string().contains(id));
    throughout(
        Duration::from_millis(1500),
        "accepted once, not sent again",
        async || receiver.received().len() == 2,
    )
    .await;
}

async fn a_reschedule_is_announced(backend: Backend) {
    let receiver = FakeReceiver::start().await;
    let office = office_sending_through(backend, None).await;
    let (_, secret) = register(&office, &receiver.url, &["appointment.rescheduled"]).await;
    let booked = office.book(TUESDAY_9, &phone(1)).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let (reference, token) = (text(&booked, "reference"), text(&booked, "manage_token"));
    let body = json!({"start": TUESDAY_930});
    let moved = office
        .manage(Method::POST, reference, "/reschedule", token, Some(body))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);

    let accepted = receiver.wait_for_accepted(1, WITHIN).await;
    assert_eq!(accepted.len(), 1, "the booking itself was not asked for");
    check_signature(&accepted[0], &secret);
    assert_eq!(
        accepted[0].headers["x-guichet-event"],
        "appointment.rescheduled"
    );
    let event = json_of(&accepted[0]);
    let millis = |at: &str| at.parse::<jiff::Timestamp>().unwrap().as_millisecond();
    let data = &event["data"];
    assert_eq!(event["event"], "appointment.rescheduled", "{event}");
    assert_eq!(data["reference"], reference, "{event}");
    assert_eq!(data["status"], "booked", "{event}");
    assert_eq!(data["start_at"], millis(TUESDAY_930), "{event}");
    assert_eq!(data["previous_start_at"], millis(TUESDAY_9), "{event}");
    assert!(!accepted[0].body.contains(&phone(1)[4..]), "{event}");
    // Moving it to where it already is, is no change and no event.
    let body = json!({"start": TUESDAY_930});
    let same = office
        .manage(Method::POST, reference, "/reschedule", token, Some(body))
        .await;
    assert_eq!(same.status, StatusCode::OK, "{}", same.body);
    throughout(Duration::from_millis(2000), "one event", async || {
        receiver.received().len() == 1
    })
    .await;
}
