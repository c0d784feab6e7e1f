//! Joining the walk-in queue from a phone (docs/remote-queue.md): the web
//! join with a code, what it refuses (and then writes nothing), and joins
//! closed when the wait would run past closing time.

use crate::support::office::phone;
use crate::support::remote::{code_in, remote_office};
use crate::support::tickets::{issue, kiosk};
use guichet_test_support::Backend;
use guichet_test_support::on_both_backends;
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    a_phone_joins_with_its_code_and_gets_number_and_link,
    bad_joins_are_refused_and_write_nothing,
    joins_close_when_the_wait_runs_past_closing,
);

async fn a_phone_joins_with_its_code_and_gets_number_and_link(backend: Backend) {
    let office = remote_office(backend, true).await;
    let app = &office.app;
    let kiosk = kiosk(app, &office.admin, &office.site).await;
    let walk_in = issue(app, &kiosk, &office.site, json!({"service": "passport"})).await;
    let amina = phone(1);
    let sent = app
        .post("/api/v1/otp", None, json!({"phone": amina, "lang": "ar"}))
        .await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    let code = code_in(&office.message(&amina, "otp").await);
    let joined = office
        .join(&amina, json!({"otp": code, "lang": "ar"}))
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    let ticket = &joined.body;
    let id = ticket["id"].as_str().expect("an id");
    assert_eq!(ticket["number"], "P002");
    assert_eq!(ticket["service"], "passport");
    assert_eq!(ticket["position"], 2);
    assert_eq!(
        ticket["estimated_wait_s"], 600,
        "one visit of 10 minutes ahead"
    );
    assert_eq!(ticket["present"], false);
    assert_eq!(ticket["status"], "waiting");
    let track_url = ticket["track_url"].as_str().expect("a link");
    assert!(track_url.ends_with(&format!("/t/{id}")), "{track_url}");
    assert!(!ticket.to_string().contains("612"), "no phone: {ticket}");

    // The same queue as the kiosk's: one more waiting, seen by all.
    let queue = app
        .get(&format!("/api/v1/sites/{}/queue", office.site), None)
        .await;
    assert_eq!(queue.body["services"][0]["waiting"], 2, "{}", queue.body);
    let shown = office.ticket(id).await;
    assert_eq!(
        (&shown["remote"], &shown["present"], &shown["held"]),
        (&json!(true), &json!(false), &json!(false)),
        "{shown}"
    );
    assert_eq!(shown["position"], 2);
    let walked = office.ticket(walk_in["id"].as_str().unwrap()).await;
    assert_eq!(walked["remote"], false);
    assert_eq!(walked["present"], serde_json::Value::Null);
    let page = app.get(&format!("/t/{id}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.body.as_str().unwrap_or_default();
    assert!(html.contains("P002"), "the tracking page shows the number");

    // The SMS says the number and the link, in the language asked.
    let sms = office.message(&amina, "remote_joined").await;
    assert!(sms.contains("P002") && sms.contains(track_url), "{sms}");
    assert!(sms.contains("تذكرتكم"), "in Arabic: {sms}");

    // The code proved one join; with a new one, still one ticket a phone.
    office.set_time("2026-11-23T09:02:00Z");
    app.post("/api/v1/otp", None, json!({"phone": amina})).await;
    let code = code_in(&office.messages(&amina).await[0].1);
    let again = office.join(&amina, json!({"otp": code})).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "already_in_queue")
    );
    // Once the ticket is over, the phone may join again.
    let left = app
        .post(&format!("/api/v1/tickets/{id}/cancel"), None, json!({}))
        .await;
    assert_eq!(left.status, StatusCode::OK, "{}", left.body);
    office.set_time("2026-11-23T09:04:00Z");
    app.post("/api/v1/otp", None, json!({"phone": amina})).await;
    let code = code_in(&office.messages(&amina).await[0].1);
    let back = office.join(&amina, json!({"otp": code})).await;
    assert_eq!(back.status, StatusCode::CREATED, "{}", back.body);
}

async fn bad_joins_are_refused_and_write_nothing(backend: Backend) {
    let office = remote_office(backend, true).await;
    let app = &office.app;
    let amina = phone(1);
    app.post("/api/v1/otp", None, json!({"phone": amina})).await;
    let code = code_in(&office.message(&amina, "otp").await);
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let (tickets, messages) = (app.count("tickets").await, app.count("notifications").await);
    let refusals = [
        (
            json!({"phone": amina}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_otp",
        ),
        (
            json!({"phone": amina, "otp": wrong}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_otp",
        ),
        (
            json!({"phone": "0612", "otp": code}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_phone",
        ),
        (
            json!({"phone": amina, "otp": code, "service": "nothing"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_service",
        ),
        (
            json!({"phone": amina, "otp": code, "lang": "de"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_lang",
        ),
        (
            json!({"phone": amina, "otp": code, "extra": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
        ),
    ];
    for (body, status, code) in refusals {
        let mut full = json!({"service": "passport"});
        for (key, value) in body.as_object().unwrap() {
            full[key] = value.clone();
        }
        let path = format!("/api/v1/sites/{}/queue/join", office.site);
        let refused = app.post(&path, None, full.clone()).await;
        assert_eq!(refused.status, status, "{full}: {}", refused.body);
        if !code.is_empty() {
            assert_eq!(refused.code(), code, "{full}");
        }
    }
    let nowhere = app
        .post(
            "/api/v1/sites/nowhere/queue/join",
            None,
            json!({"service": "passport", "phone": amina, "otp": code}),
        )
        .await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    // A service closed to remote joins is refused like an unknown one.
    let closed = app
        .patch(
            &format!("/api/v1/sites/{}/services/passport", office.site),
            Some(&office.admin),
            json!({"remote_share_percent": 0}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert_eq!(closed.body["remote_share_percent"], 0);
    let off = office.join(&amina, json!({"otp": code})).await;
    assert_eq!(off.code(), "invalid_service");
    assert_eq!(app.count("tickets").await, tickets, "no ticket written");
    assert_eq!(app.count("notifications").await, messages, "no SMS queued");
    // The code was never used: it still proves a join.
    app.patch(
        &format!("/api/v1/sites/{}/services/passport", office.site),
        Some(&office.admin),
        json!({"remote_share_percent": 50}),
    )
    .await;
    let joined = office.join(&amina, json!({"otp": code})).await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    // Settings out of bounds are refused.
    for (path, body, code) in [
        (
            "services/passport",
            json!({"remote_share_percent": 101}),
            "invalid_remote_share_percent",
        ),
        (
            "services/passport",
            json!({"remote_share_percent": -1}),
            "invalid_remote_share_percent",
        ),
        (
            "",
            json!({"travel_margin_minutes": 0}),
            "invalid_travel_margin_minutes",
        ),
        (
            "",
            json!({"remote_grace_minutes": 500}),
            "invalid_remote_grace_minutes",
        ),
    ] {
        let url = format!("/api/v1/sites/{}/{path}", office.site);
        let url = url.trim_end_matches('/');
        let refused = app.patch(url, Some(&office.admin), body).await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code)
        );
    }
    let site = app
        .patch(
            &format!("/api/v1/sites/{}", office.site),
            Some(&office.admin),
            json!({"travel_margin_minutes": 30, "remote_grace_minutes": 10}),
        )
        .await;
    assert_eq!(site.status, StatusCode::OK, "{}", site.body);
    assert_eq!(
        (
            &site.body["travel_margin_minutes"],
            &site.body["remote_grace_minutes"]
        ),
        (&json!(30), &json!(10))
    );
}

async fn joins_close_when_the_wait_runs_past_closing(backend: Backend) {
    let office = remote_office(backend, false).await;
    let app = &office.app;
    let kiosk = kiosk(app, &office.admin, &office.site).await;
    // 15:35, closing at 16:00: two visits of 10 minutes ahead end in time.
    office.set_time("2026-11-23T15:35:00Z");
    for _ in 0..2 {
        issue(app, &kiosk, &office.site, json!({"service": "passport"})).await;
    }
    let joined = office.join(&phone(1), json!({})).await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    issue(app, &kiosk, &office.site, json!({"service": "passport"})).await;
    let tickets = app.count("tickets").await;
    let late = office.join(&phone(2), json!({})).await;
    assert_eq!(
        (late.status, late.code()),
        (StatusCode::CONFLICT, "queue_closing"),
        "{}",
        late.body
    );
    assert_eq!(app.count("tickets").await, tickets);
    // Sunday: the office is closed.
    office.set_time("2026-11-29T10:00:00Z");
    let sunday = office.join(&phone(3), json!({})).await;
    assert_eq!(
        (sunday.status, sunday.code()),
        (StatusCode::CONFLICT, "site_closed")
    );
}
