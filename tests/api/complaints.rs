//! Complaints against the real server: filed by a citizen, ordered by due
//! day for the supervisor, assigned, answered, and the citizen told by SMS.

use crate::support::desk::{AMINA, Desk, KARIM, desk, read_with_token, references};
use crate::support::office::text;
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Answer, Backend, STAFF_PASSWORD};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(a_complaint_is_filed_answered_and_the_citizen_told);

async fn a_complaint_is_filed_answered_and_the_citizen_told(backend: Backend) {
    let desk = desk(backend, false).await;
    let site = desk.site.clone();
    let chief = desk
        .app
        .add_staff("agdal-chef", Role::Supervisor, &site)
        .await;
    let long = "x".repeat(5001);
    let bad = [
        (json!({"subject": " "}), "invalid_subject"),
        (json!({"body": long}), "invalid_body"),
        (json!({"phone": "0612345678"}), "invalid_phone"),
        (json!({"service": "passport"}), "invalid_service"),
    ];
    for (fields, code) in bad {
        let answer = file(&desk, fields).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert_eq!(answer.code(), code, "{}", answer.body);
    }
    assert_eq!(desk.app.count("complaints").await, 0);

    // Filed on Thursday 26 November: due 60 days later by default.
    let first = file(&desk, json!({"phone": AMINA, "service": "residence"})).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["status"], "received");
    assert_eq!(first.body["answer_due_on"], "2027-01-25");
    let first = text(&first, "reference").to_owned();
    assert!(first.starts_with("RC-"), "{first}");
    assert_eq!(references(&list(&desk, &chief).await), [&first]);
    // The next day, with a deadline of 30 days: due before the first.
    desk.set_time("2026-11-27T09:00:00Z");
    let patch = json!({"complaint_answer_days": 30});
    // Sessions last 12 hours: staff log in again each day.
    let admin = desk.app.admin().await;
    let patched = desk
        .app
        .patch(&format!("/api/v1/sites/{site}"), Some(&admin), patch)
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let filed = file(&desk, json!({"phone": KARIM})).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    assert_eq!(filed.body["status"], "received");
    assert_eq!(filed.body["answer_due_on"], "2026-12-27");
    let (second, token) = (text(&filed, "reference"), text(&filed, "token"));

    desk.set_time("2026-12-28T09:00:00Z");
    let chief = desk.app.login("agdal-chef", STAFF_PASSWORD).await;
    let agent = desk.app.login("agdal-agent", STAFF_PASSWORD).await;
    let listing = list(&desk, &chief).await;
    assert_eq!(
        references(&listing),
        [second, &first],
        "the most overdue first"
    );
    let due: Vec<_> = listing
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (&c["answer_due_on"], &c["overdue"]))
        .collect();
    assert_eq!(
        due,
        [
            (&json!("2026-12-27"), &json!(true)),
            (&json!("2027-01-25"), &json!(false))
        ]
    );

    let assign = json!({"to": "agdal-agent"});
    let assigned = desk
        .app
        .post(
            &format!("/api/v1/complaints/{second}/assign"),
            Some(&chief),
            assign,
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    assert_eq!(assigned.body["status"], "in_progress");
    assert_eq!(assigned.body["assigned_to"], "agdal-agent");

    // The agent (not a supervisor) may neither read it without the token
    // nor answer it.
    let path = format!("/api/v1/complaints/{second}");
    let read = read_with_token(&desk.app, &path, Some(&agent), None).await;
    assert_eq!(read.status, StatusCode::NOT_FOUND, "{}", read.body);
    let reply = json!({"answer": "Le guichet 2 ouvre désormais à 8h30."});
    let by_agent = desk
        .app
        .post(&format!("{path}/answer"), Some(&agent), reply.clone())
        .await;
    assert_eq!(by_agent.status, StatusCode::FORBIDDEN, "{}", by_agent.body);
    let answered = desk
        .app
        .post(&format!("{path}/answer"), Some(&chief), reply.clone())
        .await;
    assert_eq!(answered.status, StatusCode::OK, "{}", answered.body);
    assert_eq!(answered.body["status"], "answered");
    let again = desk
        .app
        .post(&format!("{path}/answer"), Some(&chief), reply.clone())
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.code(), "invalid_transition");

    let sms = desk.exactly_sms(1).await;
    assert_eq!(sms[0].to, KARIM);
    assert!(sms[0].body.contains(second), "{}", sms[0].body);

    let listing = list(&desk, &chief).await;
    assert_eq!(references(&listing), [&first, second], "open ones first");
    let read = read_with_token(&desk.app, &path, None, Some(token)).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body["answer"], reply["answer"]);
    let history: Vec<&Value> = read.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["status"])
        .collect();
    assert_eq!(
        history,
        [
            &json!("received"),
            &json!("in_progress"),
            &json!("answered")
        ]
    );
    let wrong = read_with_token(&desk.app, &path, None, Some("not-the-token")).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND, "{}", wrong.body);
    assert_eq!(desk.app.count("complaints").await, 2);

    // The other one is a duplicate: closed without an answer, and its
    // citizen told why.
    let close = format!("/api/v1/complaints/{first}/close");
    let note = json!({"note": "Même objet que votre réclamation précédente."});
    let closed = desk.app.post(&close, Some(&chief), note.clone()).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert_eq!(closed.body["status"], "closed");
    let again = desk.app.post(&close, Some(&chief), note).await;
    assert_eq!(again.code(), "invalid_transition");
    let sms = desk.exactly_sms(2).await;
    assert!(sms.iter().any(|m| m.to == AMINA && m.body.contains(&first)));
}

/// Files a complaint with `fields` over a citizen's usual ones.
async fn file(desk: &Desk, fields: Value) -> Answer {
    let mut body = json!({"subject": "Attente trop longue", "phone": AMINA,
        "body": "Trois heures d'attente au guichet 2 pour un certificat."});
    for (key, value) in fields.as_object().expect("an object") {
        body[key] = value.clone();
    }
    let path = format!("/api/v1/sites/{}/complaints", desk.site);
    desk.app.post(&path, None, body).await
}

async fn list(desk: &Desk, supervisor: &str) -> Answer {
    let path = format!("/api/v1/sites/{}/complaints", desk.site);
    let listing = desk.app.get(&path, Some(supervisor)).await;
    assert_eq!(listing.status, StatusCode::OK, "{}", listing.body);
    listing
}
