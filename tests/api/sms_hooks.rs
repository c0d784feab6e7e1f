//! What the SMS provider posts back, as Twilio would: delivery statuses and
//! citizens' texts, both signed with the account's auth token over the
//! public URL and the form.

use crate::fakes::twilio::FakeTwilio;
use crate::support::office::{Office, phone, text};
use crate::support::sms::{
    AUTH_TOKEN, PUBLIC_URL, TUESDAY_9, TUESDAY_10, TUESDAY_930, office_sending_through, post_form,
    sign, text_in,
};
use guichet_test_support::on_both_backends;
use guichet_test_support::wait::{throughout, until_some};
use guichet_test_support::{Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;

on_both_backends!(
    status_callbacks_are_signed_and_never_go_back,
    citizens_text_status_and_cancel,
);

/// A status callback for message `sid`, signed with `auth_token`.
async fn callback(app: &TestApp, sid: &str, status: &str, auth_token: &str) -> StatusCode {
    let path = "/hooks/sms/status";
    let fields = [("MessageSid", sid), ("MessageStatus", status)];
    let signature = sign(auth_token, path, &fields);
    post_form(app, path, &fields, Some(signature)).await.status
}

/// The sent message the provider knows as `sid`, as the admin lists it
/// (waiting up to 5 s for the worker to record it).
async fn sent_message(office: &Office, sid: &str) -> Value {
    until_some(
        Duration::from_secs(5),
        &format!("sent message {sid}"),
        async || {
            let listed = office
                .app
                .get("/api/v1/outbox?status=sent", Some(&office.admin))
                .await;
            assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
            let listed = listed.body.as_array().expect("a list");
            listed.iter().find(|m| m["provider_id"] == sid).cloned()
        },
    )
    .await
}

async fn status_callbacks_are_signed_and_never_go_back(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    let office = office_sending_through(backend, Some(&twilio)).await;
    let booked = office.book(TUESDAY_9, &phone(1)).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let sent = twilio.wait_for_delivered(1, Duration::from_secs(5)).await;
    assert_eq!(sent.len(), 1, "one confirmation SMS");
    assert_eq!(sent[0].to, phone(1));
    assert!(sent[0].body.contains(text(&booked, "reference")));
    let callback_url = format!("{PUBLIC_URL}/hooks/sms/status");
    assert_eq!(
        sent[0].status_callback.as_deref(),
        Some(callback_url.as_str())
    );
    let sid = sent[0].sid.clone().expect("a sid");
    let status = |message: Value| message["delivery_status"].clone();
    assert_eq!(status(sent_message(&office, &sid).await), "accepted");

    // Signed with another token, for another URL, over other fields, or not at all.
    let app = &office.app;
    assert_eq!(
        callback(app, &sid, "delivered", "not-the-token").await,
        StatusCode::FORBIDDEN
    );
    let path = "/hooks/sms/status";
    let fields = [("MessageSid", sid.as_str()), ("MessageStatus", "delivered")];
    let params: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let elsewhere = format!("{}{path}", app.base);
    let other_url = guichet::notify::signature::twilio_signature(AUTH_TOKEN, &elsewhere, &params);
    let other_fields = [("MessageSid", sid.as_str()), ("MessageStatus", "failed")];
    let for_failed = sign(AUTH_TOKEN, path, &other_fields);
    for signature in [Some(other_url), Some(for_failed), None, Some(String::new())] {
        let answer = post_form(app, path, &fields, signature.clone()).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{signature:?}");
    }
    assert_eq!(status(sent_message(&office, &sid).await), "accepted");

    assert_eq!(
        callback(app, &sid, "delivered", AUTH_TOKEN).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(status(sent_message(&office, &sid).await), "delivered");
    // A late `sent`, a repeated `delivered`, an unknown status or message: accepted, no change.
    for late in ["sent", "queued", "delivered", "bogus"] {
        assert_eq!(
            callback(app, &sid, late, AUTH_TOKEN).await,
            StatusCode::NO_CONTENT,
            "{late}"
        );
        assert_eq!(
            status(sent_message(&office, &sid).await),
            "delivered",
            "after {late}"
        );
    }
    assert_eq!(
        callback(app, "SMunknown", "failed", AUTH_TOKEN).await,
        StatusCode::NO_CONTENT
    );
    // Reading the status is the admin's.
    let listed = app
        .get("/api/v1/outbox?status=sent", Some(&office.agent))
        .await;
    assert_eq!(listed.status, StatusCode::FORBIDDEN);
    assert_eq!(twilio.received().len(), 1, "callbacks send nothing");
}

/// The holder's view of an appointment (status, …).
async fn holder_view(office: &Office, booked: &guichet_test_support::Answer) -> Value {
    let (reference, token) = (text(booked, "reference"), text(booked, "manage_token"));
    let seen = office.manage(Method::GET, reference, "", token, None).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    seen.body
}

async fn citizens_text_status_and_cancel(backend: Backend) {
    let twilio = FakeTwilio::start().await;
    let office = office_sending_through(backend, Some(&twilio)).await;
    let (owner, stranger) = (phone(1), phone(9));
    let first = office.book(TUESDAY_9, &owner).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let reference = text(&first, "reference");
    assert_eq!(office.available(TUESDAY_9).await, 1);

    let answer = text_in(&office.app, &owner, &format!("STATUT {reference}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(
        answer.content_type.contains("xml"),
        "{}",
        answer.content_type
    );
    assert!(
        answer.body.contains("<Response><Message>"),
        "{}",
        answer.body
    );
    // Each reply in the language of the keyword, the status in words.
    assert!(
        answer.body.contains(&format!(
            "Rendez-vous {reference} du 2026-11-24 09:00 : confirmé."
        )),
        "{}",
        answer.body
    );
    let lowercase = reference.to_lowercase().replace('-', "");
    let answer = text_in(&office.app, &owner, &format!("status {lowercase}")).await;
    assert!(
        answer.body.contains(&format!(
            "Appointment {reference} on 2026-11-24 09:00: confirmed."
        )),
        "{}",
        answer.body
    );
    let answer = text_in(&office.app, &owner, &format!("حالة {reference}")).await;
    let message = answer.body.split("<Message>").nth(1).unwrap_or_default();
    let message = message.split("</Message>").next().unwrap_or_default();
    assert!(
        message.contains(reference) && message.contains("مؤكد"),
        "{}",
        answer.body
    );
    let latin_words = message.split(|c: char| !c.is_ascii_alphabetic());
    let english: Vec<&str> = latin_words
        .filter(|w| w.len() > 1 && !reference.contains(w))
        .collect();
    assert!(english.is_empty(), "{english:?} in {}", answer.body);

    // A stranger learns nothing, and cannot cancel.
    let answer = text_in(&office.app, &stranger, &format!("STATUT {reference}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(answer.body.contains("inconnue"), "{}", answer.body);
    assert!(
        !answer.body.contains("booked") && !answer.body.contains("2026-11"),
        "{}",
        answer.body
    );
    let answer = text_in(&office.app, &stranger, &format!("ANNULER {reference}")).await;
    assert!(answer.body.contains("inconnue"), "{}", answer.body);
    assert_eq!(holder_view(&office, &first).await["status"], "booked");
    assert_eq!(office.available(TUESDAY_9).await, 1);

    // A bad signature changes nothing.
    let path = "/hooks/sms/inbound";
    let body = format!("ANNULER {reference}");
    let fields = [
        ("From", owner.as_str()),
        ("To", "+212500000000"),
        ("Body", body.as_str()),
    ];
    let forged = sign("not-the-token", path, &fields);
    let answer = post_form(&office.app, path, &fields, Some(forged)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    let answer = post_form(&office.app, path, &fields, None).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{}", answer.body);
    assert_eq!(holder_view(&office, &first).await["status"], "booked");

    let answer = text_in(&office.app, &owner, &format!("ANNULER {reference}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(
        answer.body.contains(reference) && answer.body.contains("annulé"),
        "{}",
        answer.body
    );
    assert_eq!(holder_view(&office, &first).await["status"], "cancelled");
    assert_eq!(office.available(TUESDAY_9).await, 2);
    let again = text_in(&office.app, &owner, &format!("ANNULER {reference}")).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert!(again.body.contains("ne peut plus"), "{}", again.body);
    let again = text_in(&office.app, &owner, &format!("CANCEL {reference}")).await;
    assert!(again.body.contains("can no longer"), "{}", again.body);
    let answer = text_in(&office.app, &owner, &format!("Status {reference}")).await;
    assert!(answer.body.contains(": cancelled."), "{}", answer.body);

    // In Arabic, answered in Arabic.
    let second = office.book(TUESDAY_930, &phone(2)).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let second_ref = text(&second, "reference");
    let answer = text_in(&office.app, &phone(2), &format!("إلغاء {second_ref}")).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert!(
        answer.body.contains("تم إلغاء") && answer.body.contains(second_ref),
        "{}",
        answer.body
    );
    assert_eq!(holder_view(&office, &second).await["status"], "cancelled");
    assert_eq!(office.available(TUESDAY_930).await, 2);

    // Lowercase, without the hyphen.
    let third = office.book(TUESDAY_10, &phone(3)).await;
    assert_eq!(third.status, StatusCode::CREATED, "{}", third.body);
    let typed = text(&third, "reference").to_lowercase().replace('-', "");
    let answer = text_in(&office.app, &phone(3), &format!("annuler {typed}")).await;
    assert!(
        answer.body.contains(text(&third, "reference")),
        "{}",
        answer.body
    );
    assert_eq!(holder_view(&office, &third).await["status"], "cancelled");
    assert_eq!(office.available(TUESDAY_10).await, 2);

    for garbage in ["bonjour", "", "AIDE", "STATUT tout de suite svp"] {
        let answer = text_in(&office.app, &owner, garbage).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "{garbage:?}: {}",
            answer.body
        );
        assert!(
            answer
                .body
                .contains("<Message>Envoyez FILE &lt;service&gt;")
                && answer.body.contains("STATUT &lt;référence&gt;"),
            "{garbage:?}: {}",
            answer.body
        );
    }
    let answer = text_in(&office.app, &owner, "مرحبا").await;
    assert!(answer.body.contains("<Message>أرسلوا"), "{}", answer.body);
    // An answer, never an SMS of its own.
    throughout(
        Duration::from_millis(1500),
        "no SMS of its own",
        async || {
            let texts = twilio.received();
            !texts.iter().any(|t| t.body.contains("Envoyez FILE"))
        },
    )
    .await;
    let texts: Vec<String> = twilio.received().iter().map(|r| r.body.clone()).collect();
    assert!(
        !texts.iter().any(|t| t.contains("Envoyez FILE")),
        "{texts:?}"
    );
}
