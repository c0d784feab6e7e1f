//! From a walk-in visit to a document request: the agent serving a ticket
//! files the citizen's request; the phone given at the kiosk is carried
//! over, and the request names the visit and the agent. Anyone else, or
//! a ticket no longer (or not yet) served, files nothing.

use crate::fakes::twilio::ReceivedSms;
use crate::support::desk::{AMINA, Desk, desk};
use crate::support::office::text;
use crate::support::tickets::kiosk;
use guichet::domain::role::Role;
use guichet_test_support::wait::{holds_within, throughout};
use guichet_test_support::{Answer, Backend, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

on_both_backends!(
    a_ticket_becomes_a_request_that_names_the_visit,
    only_the_agent_serving_the_ticket_files_from_it,
);

/// The desk with a counter for its service, opened by its agent, and a
/// second certificate; a ticket taken at the kiosk with Amina's phone.
async fn counter_with_a_ticket(desk: &Desk) -> Value {
    let service = json!({"id": "naissance", "prefix": "N", "name": "Extrait de naissance",
        "walk_in": true, "processing_days": 2});
    let path = format!("/api/v1/sites/{}/services", desk.site);
    let created = desk.app.post(&path, Some(&desk.admin), service).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let counter =
        json!({"id": "agdal-g1", "label": "Guichet 1", "services": ["residence", "naissance"]});
    let path = format!("/api/v1/sites/{}/counters", desk.site);
    let created = desk.app.post(&path, Some(&desk.admin), counter).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let opened = desk
        .app
        .post(
            "/api/v1/counters/agdal-g1/open",
            Some(&desk.agent),
            json!({}),
        )
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    let token = kiosk(&desk.app, &desk.admin, &desk.site).await;
    issue(desk, &token).await
}

async fn issue(desk: &Desk, kiosk: &str) -> Value {
    let path = format!("/api/v1/sites/{}/tickets", desk.site);
    let body = json!({"service": "residence", "phone": AMINA, "lang": "ar"});
    let issued = desk.app.post(&path, Some(kiosk), body).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    issued.body
}

async fn file_from(desk: &Desk, bearer: &str, ticket: &str, service: &str) -> Answer {
    let path = format!("/api/v1/tickets/{ticket}/requests");
    let body = json!({"service": service, "name": "Amina Alaoui"});
    desk.app.post(&path, Some(bearer), body).await
}

async fn call_next(desk: &Desk) -> Value {
    let called = desk
        .app
        .post(
            "/api/v1/counters/agdal-g1/call-next",
            Some(&desk.agent),
            json!({}),
        )
        .await;
    assert_eq!(called.status, StatusCode::OK, "{}", called.body);
    called.body
}

async fn a_ticket_becomes_a_request_that_names_the_visit(backend: Backend) {
    let desk = desk(backend, true).await;
    let ticket = counter_with_a_ticket(&desk).await;
    let id = ticket["id"].as_str().unwrap();
    assert_eq!(call_next(&desk).await["id"], ticket["id"]);
    // No code is asked: the agent has the citizen in front of them.
    let filed = file_from(&desk, &desk.agent, id, "residence").await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    assert_eq!(filed.body["channel"], "ticket");
    assert_eq!(filed.body["ticket"], ticket["id"]);
    assert!(
        filed.body["receipt_url"]
            .as_str()
            .unwrap()
            .contains("/receipt?token=")
    );
    let reference = text(&filed, "reference").to_owned();
    let token = text(&filed, "token").to_owned();

    let path = format!("/api/v1/requests/{reference}");
    let seen = desk.app.get(&path, Some(&desk.agent)).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    let first = &seen.body["history"][0];
    assert_eq!(first["status"], "submitted");
    assert_eq!(first["visit"], ticket["number"]);
    assert_eq!(first["by"], "user:agdal-agent");
    // The citizen reads the visit, not who the agent was.
    let theirs = crate::support::desk::read_with_token(&desk.app, &path, None, Some(&token)).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert_eq!(theirs.body["history"][0]["visit"], ticket["number"]);
    assert!(
        theirs.body["history"][0].get("by").is_none(),
        "{}",
        theirs.body
    );

    // Another certificate from the same visit is a second request.
    let second = file_from(&desk, &desk.agent, id, "naissance").await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let with_phone = format!("document_requests WHERE phone = '{AMINA}' AND ticket_id = '{id}'");
    assert_eq!(desk.app.count(&with_phone).await, 2);

    // The phone given at the kiosk is told of each, in the ticket's
    // language (other messages of the visit aside).
    let acks = acknowledged(&desk, 2).await;
    assert!(
        acks.iter()
            .all(|s| s.to == AMINA && s.body.contains("توصلت")),
        "{acks:?}"
    );
    assert!(acks.iter().any(|s| s.body.contains(&reference)), "{acks:?}");
}

async fn only_the_agent_serving_the_ticket_files_from_it(backend: Backend) {
    let desk = desk(backend, false).await;
    let ticket = counter_with_a_ticket(&desk).await;
    let id = ticket["id"].as_str().unwrap().to_owned();
    let other = desk
        .app
        .add_staff("agdal-other", Role::Agent, &desk.site)
        .await;

    // Waiting: nobody serves it yet.
    let waiting = file_from(&desk, &desk.agent, &id, "residence").await;
    assert_eq!(waiting.status, StatusCode::CONFLICT, "{}", waiting.body);
    assert_eq!(waiting.code(), "ticket_not_served");
    call_next(&desk).await;
    let not_theirs = file_from(&desk, &other, &id, "residence").await;
    assert_eq!(
        not_theirs.status,
        StatusCode::CONFLICT,
        "{}",
        not_theirs.body
    );
    assert_eq!(not_theirs.code(), "ticket_not_served");
    desk.second_office().await;
    let stranger = desk
        .app
        .add_staff("hassan-agent", Role::Agent, "rabat-hassan")
        .await;
    let elsewhere = file_from(&desk, &stranger, &id, "residence").await;
    assert_eq!(
        elsewhere.status,
        StatusCode::FORBIDDEN,
        "{}",
        elsewhere.body
    );
    let unknown = file_from(&desk, &desk.agent, "no-such-ticket", "residence").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.body);
    assert_eq!(desk.app.count("document_requests").await, 0);

    let filed = file_from(&desk, &desk.agent, &id, "residence").await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    let twice = file_from(&desk, &desk.agent, &id, "residence").await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    assert_eq!(twice.code(), "already_filed");
    let path = format!("/api/v1/tickets/{id}/complete");
    let done = desk.app.post(&path, Some(&desk.agent), json!({})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let finished = file_from(&desk, &desk.agent, &id, "naissance").await;
    assert_eq!(finished.status, StatusCode::CONFLICT, "{}", finished.body);
    assert_eq!(finished.code(), "ticket_not_served");
    let bad = desk
        .app
        .post(
            &format!("/api/v1/tickets/{id}/requests"),
            Some(&desk.agent),
            json!({"service": "residence", "name": "x", "extra": 1}),
        )
        .await;
    assert_eq!(bad.status.as_u16() / 100, 4, "{}", bad.body);
    assert_eq!(desk.app.count("document_requests").await, 1);
    // The acknowledgement went to the phone given with the ticket, once
    // (the visit's feedback request aside).
    let acks = acknowledged(&desk, 1).await;
    assert_eq!(acks[0].to, AMINA);
}

/// The acknowledgements of receipt Twilio got, once `n` came and nothing
/// more followed for a while.
async fn acknowledged(desk: &Desk, n: usize) -> Vec<ReceivedSms> {
    let acks = || {
        let sms = desk.twilio.delivered().into_iter();
        let key = |s: &ReceivedSms| s.idempotency_key.clone().unwrap_or_default();
        sms.filter(|s| key(s).starts_with("request_received:"))
            .collect::<Vec<_>>()
    };
    let within = Duration::from_secs(10);
    assert!(holds_within(within, async || acks().len() >= n).await);
    throughout(Duration::from_millis(1500), "no more", async || {
        acks().len() == n
    })
    .await;
    acks()
}
