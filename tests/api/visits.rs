//! What follows a walk-in visit, as the citizen's phone and a third party
//! see it: "your turn is near", "go to counter …", the feedback link and
//! its answer, and the `ticket.done` webhook.

use crate::fakes::receiver::FakeReceiver;
use crate::fakes::twilio::{FakeTwilio, ReceivedSms};
use crate::support::office::Office;
use crate::support::sms::{PUBLIC_URL, office_sending_through};
use crate::support::tickets::{call_next, finish, issue, kiosk};
use guichet_test_support::Backend;
use guichet_test_support::on_both_backends;
use guichet_test_support::wait::{holds_within, throughout};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

on_both_backends!(
    a_called_visitor_is_told_where_to_go_then_asked_for_feedback,
    waiting_visitors_are_told_their_turn_is_near,
    an_early_appointment_is_told_only_once_it_can_be_called,
    a_transferred_visitor_is_told_the_new_counter,
);

const PHONE: &str = "+212612345678";
/// Monday 09:00 in Casablanca (UTC+0 since 2026-09-20): the office is open.
const MONDAY_9: &str = "2026-11-23T09:00:00Z";

/// Waits until the fake Twilio delivered `n` SMS to `to` (5 s at most),
/// then returns those.
async fn wait_sms(twilio: &FakeTwilio, to: &str, n: usize) -> Vec<ReceivedSms> {
    let delivered = || -> Vec<ReceivedSms> {
        let all = twilio.delivered().into_iter();
        all.filter(|s| s.to == to).collect()
    };
    holds_within(Duration::from_secs(5), async || delivered().len() >= n).await;
    delivered()
}

async fn walk_in(office: &Office, kiosk: &str, phone: Option<&str>) -> Value {
    let mut body = json!({"service": "passport"});
    if let Some(phone) = phone {
        body["phone"] = json!(phone);
    }
    issue(&office.app, kiosk, &office.site, body).await
}

async fn a_called_visitor_is_told_where_to_go_then_asked_for_feedback(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    let receiver = FakeReceiver::start().await;
    let office = office_sending_through(backend, Some(&twilio)).await;
    office.set_time(MONDAY_9);
    let (app, agent) = (&office.app, office.agent.as_str());
    let hook = json!({"url": receiver.url, "events": ["ticket.done"]});
    let registered = app
        .post("/api/v1/webhooks", Some(&office.admin), hook)
        .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.body
    );
    let kiosk = kiosk(app, &office.admin, &office.site).await;
    let ticket = walk_in(&office, &kiosk, Some(PHONE)).await;
    let anonymous = walk_in(&office, &kiosk, None).await;
    let number = ticket["number"].as_str().expect("a number");
    let shown = app
        .get(
            &format!("/api/v1/tickets/{}", ticket["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert!(
        !shown.body.to_string().contains("612345678"),
        "{}",
        shown.body
    );

    let (status, called) = call_next(app, agent, "agdal-g1").await;
    assert_eq!(status, StatusCode::OK, "{called}");
    assert_eq!(called["id"], ticket["id"]);
    let sms = wait_sms(&twilio, PHONE, 1).await;
    assert_eq!(sms.len(), 1, "one SMS when called");
    assert!(
        sms[0].body.contains(number) && sms[0].body.contains("Guichet 1"),
        "{}",
        sms[0].body
    );
    // The job runs every 2 s: still one after a few of its runs.
    throughout(
        Duration::from_millis(4500),
        "called once, told once",
        async || twilio.delivered().iter().filter(|s| s.to == PHONE).count() == 1,
    )
    .await;
    assert_eq!(
        wait_sms(&twilio, PHONE, 2).await.len(),
        1,
        "called once, told once"
    );

    finish(app, agent, &called).await;
    let sms = wait_sms(&twilio, PHONE, 2).await;
    assert_eq!(sms.len(), 2, "then a feedback request");
    let link = format!("{PUBLIC_URL}/feedback/");
    let (_, rest) = sms[1]
        .body
        .split_once(&link)
        .unwrap_or_else(|| panic!("no link in {}", sms[1].body));
    let token: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
    assert!(token.len() >= 20, "{}", sms[1].body);
    let done = receiver.wait_for_accepted(1, Duration::from_secs(5)).await;
    assert_eq!(done.len(), 1, "ticket.done");
    let event: Value = serde_json::from_str(&done[0].body).expect("JSON");
    assert_eq!(event["event"], "ticket.done", "{event}");
    assert_eq!(event["data"]["ticket"], ticket["id"], "{event}");
    assert!(!done[0].body.contains("612345678"), "no phone in {event}");

    // The one without a phone is served too: a webhook, no SMS.
    let (status, next) = call_next(app, agent, "agdal-g1").await;
    assert_eq!((status, &next["id"]), (StatusCode::OK, &anonymous["id"]));
    finish(app, agent, &next).await;
    let done = receiver.wait_for_accepted(2, Duration::from_secs(5)).await;
    assert_eq!(done.len(), 2, "ticket.done for each visit");
    assert!(
        done[1].body.contains(anonymous["id"].as_str().unwrap()),
        "{}",
        done[1].body
    );
    throughout(
        Duration::from_millis(2500),
        "each visit told once",
        async || twilio.received().len() == 2 && receiver.received().len() == 2,
    )
    .await;
    assert_eq!(twilio.received().len(), 2, "{:?}", twilio.received());
    assert_eq!(receiver.received().len(), 2, "each visit announced once");

    let path = format!("/api/v1/feedback/{token}");
    for rating in [6, 0, -1] {
        let refused = app.post(&path, None, json!({"rating": rating})).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{rating}: {}",
            refused.body
        );
    }
    let long = json!({"rating": 4, "comment": "x".repeat(1001)});
    assert_eq!(
        app.post(&path, None, long).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // The link's page asks for the rating until it is given, then says so.
    let page = |token: String| {
        app.http
            .get(format!("{}/feedback/{token}?lang=fr", app.base))
            .send()
    };
    let open = page(token.clone()).await.expect("page");
    assert_eq!(open.status(), StatusCode::OK);
    assert!(open.text().await.expect("html").contains("name=\"rating\""));
    let answer = json!({"rating": 5, "comment": "Accueil rapide, merci"});
    let answered = app.post(&path, None, answer.clone()).await;
    assert_eq!(answered.status, StatusCode::CREATED, "{}", answered.body);
    let unknown = app.post("/api/v1/feedback/not-a-token", None, answer).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    let again = app.post(&path, None, json!({"rating": 1})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.code(), "already_answered");
    let reopened = page(token.clone()).await.expect("page");
    assert_eq!(reopened.status(), StatusCode::OK);
    let html = reopened.text().await.expect("html");
    assert!(
        html.contains("id=\"outcome\"") && !html.contains("name=\"rating\""),
        "{html}"
    );
    let unknown = page("not-a-token".to_owned()).await.expect("page");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

async fn waiting_visitors_are_told_their_turn_is_near(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    let office = office_sending_through(backend, Some(&twilio)).await;
    office.set_time(MONDAY_9);
    let (app, agent) = (&office.app, office.agent.as_str());
    let kiosk = kiosk(app, &office.admin, &office.site).await;
    // Five waiting, each with a phone; the site warns at 3 or fewer ahead.
    let phones: Vec<String> = (1..=5).map(|n| format!("+2126123456{n:02}")).collect();
    let mut tickets = Vec::new();
    for phone in &phones {
        tickets.push(walk_in(&office, &kiosk, Some(phone)).await);
    }
    // Just taken: people are still in the lobby.
    throughout(Duration::from_millis(3000), "nobody told yet", async || {
        twilio.received().is_empty()
    })
    .await;

    let later = office.time.now() + jiff::SignedDuration::from_mins(6);
    office.time.set(later);
    for (i, phone) in phones.iter().enumerate().take(4) {
        let sms = wait_sms(&twilio, phone, 1).await;
        assert_eq!(sms.len(), 1, "{phone}");
        let number = tickets[i]["number"].as_str().unwrap();
        assert!(sms[0].body.contains(number), "{}", sms[0].body);
        assert!(
            sms[0].body.contains(&format!("{i} personnes")),
            "{}",
            sms[0].body
        );
    }
    assert!(
        wait_sms(&twilio, &phones[4], 1).await.is_empty(),
        "4 ahead: not yet"
    );

    let (status, called) = call_next(app, agent, "agdal-g1").await;
    assert_eq!((status, &called["id"]), (StatusCode::OK, &tickets[0]["id"]));
    let sms = wait_sms(&twilio, &phones[4], 1).await;
    assert_eq!(sms.len(), 1, "3 ahead now");
    assert!(sms[0].body.contains("3 personnes"), "{}", sms[0].body);
    // Each told once; the first also told where to go.
    throughout(Duration::from_millis(4500), "each told once", async || {
        twilio.received().len() <= phones.len() + 1
    })
    .await;
    for (i, phone) in phones.iter().enumerate() {
        let expected = if i == 0 { 2 } else { 1 };
        let sms: Vec<String> = twilio
            .received()
            .into_iter()
            .filter(|s| &s.to == phone)
            .map(|s| s.body)
            .collect();
        assert_eq!(sms.len(), expected, "{phone}: {sms:?}");
    }
}

async fn an_early_appointment_is_told_only_once_it_can_be_called(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    let office = office_sending_through(backend, Some(&twilio)).await;
    let (app, agent) = (&office.app, office.agent.as_str());
    let kiosk = kiosk(app, &office.admin, &office.site).await;
    let booked = office.book("2026-11-23T15:30:00+00:00", PHONE).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let reference = booked.body["reference"].as_str().expect("reference");
    // Checked in at 15:16 for 15:30, then a walk-in with a phone too.
    office.set_time("2026-11-23T15:16:00Z");
    let path = format!("/api/v1/appointments/{reference}/check-in");
    let checked_in = app.post(&path, Some(&kiosk), json!({})).await;
    assert_eq!(
        checked_in.status,
        StatusCode::CREATED,
        "{}",
        checked_in.body
    );
    let walk_in_phone = "+212612345699";
    let walk_in = walk_in(&office, &kiosk, Some(walk_in_phone)).await;

    // 15:23: both waited seven minutes; only the walk-in can be called.
    office.set_time("2026-11-23T15:23:00Z");
    let told = wait_sms(&twilio, walk_in_phone, 1).await;
    assert_eq!(told.len(), 1, "the walk-in is near");
    let (status, called) = call_next(app, agent, "agdal-g1").await;
    assert_eq!((status, &called["id"]), (StatusCode::OK, &walk_in["id"]));
    // The booking's own messages go to the same phone: only "near" counts.
    let near = || -> Vec<String> {
        let sent = twilio.received().into_iter().filter(|s| s.to == PHONE);
        sent.map(|s| s.body)
            .filter(|b| b.contains("avant vous"))
            .collect()
    };
    throughout(
        Duration::from_millis(3000),
        "not before 15:30",
        async || near().is_empty(),
    )
    .await;

    office.set_time("2026-11-23T15:30:00Z");
    holds_within(Duration::from_secs(5), async || !near().is_empty()).await;
    let number = checked_in.body["number"].as_str().expect("number");
    assert_eq!(near().len(), 1, "callable now");
    assert!(near()[0].contains(number), "{:?}", near());
}

async fn a_transferred_visitor_is_told_the_new_counter(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    let office = office_sending_through(backend, Some(&twilio)).await;
    office.set_time(MONDAY_9);
    let (app, admin) = (&office.app, office.admin.as_str());
    let service = json!({"id": "residence", "prefix": "R", "name": "Certificat de résidence"});
    let created = app
        .post(
            &format!("/api/v1/sites/{}/services", office.site),
            Some(admin),
            service,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let counter = json!({"id": "agdal-g2", "label": "Guichet 2", "services": ["residence"]});
    let created = app
        .post(
            &format!("/api/v1/sites/{}/counters", office.site),
            Some(admin),
            counter,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let second = app
        .add_staff(
            "agdal-agent2",
            guichet::domain::role::Role::Agent,
            &office.site,
        )
        .await;
    let opened = app
        .post("/api/v1/counters/agdal-g2/open", Some(&second), json!({}))
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    let kiosk = kiosk(app, admin, &office.site).await;
    let ticket = walk_in(&office, &kiosk, Some(PHONE)).await;
    let (_, called) = call_next(app, &office.agent, "agdal-g1").await;
    assert_eq!(called["number"], ticket["number"]);
    let first = wait_sms(&twilio, PHONE, 1).await;
    assert!(first[0].body.contains("Guichet 1"), "{}", first[0].body);
    let id = ticket["id"].as_str().unwrap();
    let moved = app
        .post(
            &format!("/api/v1/tickets/{id}/transfer"),
            Some(&office.agent),
            json!({"service": "residence"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let (_, again) = call_next(app, &second, "agdal-g2").await;
    assert_eq!(again["number"], ticket["number"]);
    let both = wait_sms(&twilio, PHONE, 2).await;
    assert_eq!(both.len(), 2);
    assert!(both[1].body.contains("Guichet 2"), "{}", both[1].body);
    // A recall at the same counter sends nothing more.
    let recalled = app
        .post(
            &format!("/api/v1/tickets/{id}/recall"),
            Some(&second),
            json!({}),
        )
        .await;
    assert_eq!(recalled.status, StatusCode::OK, "{}", recalled.body);
    // (waits the 5 s that a third message would have had to come)
    assert_eq!(wait_sms(&twilio, PHONE, 3).await.len(), 2);
}
