//! The walk-in queue with real concurrent clients: numbering, calling,
//! ordering, transitions, and bad input that changes nothing.

use crate::support::sites::open_site;
use crate::support::sites::seed_site;
use crate::support::tickets::{call_next, finish, gap_free_events, issue, kiosk};
use futures::future::join_all;
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::collections::HashSet;

on_both_backends!(
    concurrent_tickets_get_distinct_consecutive_numbers,
    parallel_counters_call_every_ticket_exactly_once,
    priority_first_with_fairness_for_long_waits,
    out_of_order_call,
    transfer_keeps_number_and_place,
    no_show_needs_the_minimum_recalls,
    numbers_restart_at_local_midnight,
    tickets_and_queue_never_show_personal_data,
    bad_input_changes_nothing,
    closed_office_and_appointment_only_services,
    end_of_day_closes_out_what_is_left,
    events_are_gap_free_under_concurrency,
);

async fn concurrent_tickets_get_distinct_consecutive_numbers(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let answers = join_all((0..200).map(|_| {
        app.post(
            "/api/v1/sites/anfa/tickets",
            Some(&kiosk),
            json!({"service": "residence"}),
        )
    }))
    .await;
    let mut numbers: Vec<String> = answers
        .iter()
        .map(|a| {
            assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
            a.body["number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    let expected: Vec<String> = (1..=200).map(|n| format!("A{n:03}")).collect();
    assert_eq!(numbers, expected);
    let positions: HashSet<i64> = answers
        .iter()
        .map(|a| a.body["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions.len(), 200, "every ticket has its own place");
}

async fn parallel_counters_call_every_ticket_exactly_once(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 4).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    for i in 0..60 {
        let service = if i % 3 == 0 { "signature" } else { "residence" };
        issue(&app, &kiosk, "anfa", json!({"service": service})).await;
    }
    let counters = agents.iter().enumerate().map(|(i, agent)| {
        let app = &app;
        async move {
            let counter = format!("anfa-g{}", i + 1);
            let mut called = Vec::new();
            loop {
                let (status, ticket) = call_next(app, agent, &counter).await;
                if status == StatusCode::NO_CONTENT {
                    return called;
                }
                assert_eq!(status, StatusCode::OK, "{ticket}");
                assert_eq!(ticket["counter"]["id"], counter);
                finish(app, agent, &ticket).await;
                called.push(ticket["number"].as_str().unwrap().to_owned());
            }
        }
    });
    let called: Vec<String> = join_all(counters).await.into_iter().flatten().collect();
    let distinct: HashSet<&String> = called.iter().collect();
    assert_eq!(called.len(), 60, "every ticket called");
    assert_eq!(distinct.len(), 60, "no ticket called twice");
}

async fn priority_first_with_fairness_for_long_waits(backend: Backend) {
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T09:00:00Z")
        .await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let mut issued = Vec::new();
    for priority in [
        "normal", "normal", "priority", "priority", "priority", "priority", "priority", "priority",
    ] {
        time.set(time.now() + jiff::SignedDuration::from_secs(30));
        let ticket = issue(
            &app,
            &agents[0],
            "anfa",
            json!({"service": "residence", "priority": priority}),
        )
        .await;
        issued.push(ticket["number"].as_str().unwrap().to_owned());
    }
    let mut order = Vec::new();
    loop {
        let (status, ticket) = call_next(&app, &agents[0], "anfa-g1").await;
        if status == StatusCode::NO_CONTENT {
            break;
        }
        finish(&app, &agents[0], &ticket).await;
        order.push(ticket["number"].as_str().unwrap().to_owned());
    }
    // A001, A002 normal; A003…A008 priority. After three priority calls in a
    // row, the normal ticket that waited longer goes first (default rule).
    assert_eq!(
        order,
        [
            "A003", "A004", "A005", "A001", "A006", "A007", "A008", "A002"
        ]
    );
}

async fn out_of_order_call(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 2).await;
    let first = issue(&app, &agents[0], "anfa", json!({"service": "residence"})).await;
    let third = {
        issue(&app, &agents[0], "anfa", json!({"service": "residence"})).await;
        issue(&app, &agents[0], "anfa", json!({"service": "residence"})).await
    };
    let called = app
        .post(
            "/api/v1/counters/anfa-g1/call",
            Some(&agents[0]),
            json!({"ticket": third["id"]}),
        )
        .await;
    assert_eq!(called.status, StatusCode::OK, "{}", called.body);
    assert_eq!(
        (
            called.body["number"].as_str(),
            called.body["status"].as_str()
        ),
        (Some("A003"), Some("called"))
    );
    let busy = app
        .post(
            "/api/v1/counters/anfa-g1/call",
            Some(&agents[0]),
            json!({"ticket": first["id"]}),
        )
        .await;
    assert_eq!(
        (busy.status, busy.code()),
        (StatusCode::CONFLICT, "counter_busy")
    );
    let again = app
        .post(
            "/api/v1/counters/anfa-g2/call",
            Some(&agents[1]),
            json!({"ticket": third["id"]}),
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "not_waiting")
    );
    let (_, next) = call_next(&app, &agents[1], "anfa-g2").await;
    assert_eq!(next["number"], "A001", "the queue goes on in order");
    let unknown = app
        .post(
            "/api/v1/counters/anfa-g1/call",
            Some(&agents[0]),
            json!({"ticket": "nope"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

async fn transfer_keeps_number_and_place(backend: Backend) {
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T09:00:00Z")
        .await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let early = issue(&app, &agents[0], "anfa", json!({"service": "residence"})).await;
    time.set(time.now() + jiff::SignedDuration::from_mins(5));
    issue(&app, &agents[0], "anfa", json!({"service": "signature"})).await;
    let (_, called) = call_next(&app, &agents[0], "anfa-g1").await;
    assert_eq!(called["number"], "A001");
    let id = early["id"].as_str().unwrap();
    let moved = app
        .post(
            &format!("/api/v1/tickets/{id}/transfer"),
            Some(&agents[0]),
            json!({"service": "signature"}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["number"], "A001");
    assert_eq!(moved.body["service"], "signature");
    assert_eq!(moved.body["status"], "waiting");
    assert_eq!(
        moved.body["position"], 1,
        "it keeps its place in time, ahead of B001"
    );
    assert_eq!(moved.body["issued_at"], early["issued_at"]);
    let (_, next) = call_next(&app, &agents[0], "anfa-g1").await;
    assert_eq!(next["number"], "A001");
    let same = app
        .post(
            &format!("/api/v1/tickets/{id}/transfer"),
            Some(&agents[0]),
            json!({"service": "signature"}),
        )
        .await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    let nowhere = app
        .post(
            &format!("/api/v1/tickets/{id}/transfer"),
            Some(&agents[0]),
            json!({"service": "passport"}),
        )
        .await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn no_show_needs_the_minimum_recalls(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    app.patch(
        "/api/v1/sites/anfa",
        Some(&admin),
        json!({"min_recalls": 2}),
    )
    .await;
    issue(&app, &agents[0], "anfa", json!({"service": "residence"})).await;
    let (_, ticket) = call_next(&app, &agents[0], "anfa-g1").await;
    let id = ticket["id"].as_str().unwrap();
    let path = |action: &str| format!("/api/v1/tickets/{id}/{action}");
    let early = app
        .post(&path("no-show"), Some(&agents[0]), json!({}))
        .await;
    assert_eq!(
        (early.status, early.code()),
        (StatusCode::CONFLICT, "too_few_recalls")
    );
    assert_eq!(
        app.post(&path("recall"), Some(&agents[0]), json!({}))
            .await
            .body["recalls"],
        1
    );
    assert_eq!(
        app.post(&path("no-show"), Some(&agents[0]), json!({}))
            .await
            .status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.post(&path("recall"), Some(&agents[0]), json!({}))
            .await
            .body["recalls"],
        2
    );
    let gone = app
        .post(&path("no-show"), Some(&agents[0]), json!({}))
        .await;
    assert_eq!(
        (gone.status, gone.body["status"].as_str()),
        (StatusCode::OK, Some("no_show"))
    );
    let recalls: i64 = guichet_test_support::read!(&app.app.db, |c| {
        sqlx::query_scalar("SELECT COUNT(*) FROM site_events WHERE kind = 'ticket.recalled'")
            .fetch_one(c)
            .await
    })
    .unwrap();
    assert_eq!(recalls, 2, "each recall is kept with its time");
}

async fn numbers_restart_at_local_midnight(backend: Backend) {
    // Tokyo is UTC+9: local midnight is 15:00 UTC.
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T14:58:00Z")
        .await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "tokyo", "Asia/Tokyo", 1).await;
    let a = issue(&app, &agents[0], "tokyo", json!({"service": "residence"})).await;
    let b = issue(&app, &agents[0], "tokyo", json!({"service": "residence"})).await;
    assert_eq!(
        (a["number"].as_str(), b["number"].as_str()),
        (Some("A001"), Some("A002"))
    );
    assert_eq!(a["issued_at"], "2026-11-23T23:58:00+09:00");
    time.set("2026-11-23T15:00:30Z".parse().unwrap());
    let c = issue(&app, &agents[0], "tokyo", json!({"service": "residence"})).await;
    assert_eq!(c["number"], "A001", "a new local day starts a new sequence");
    assert_eq!(c["issued_at"], "2026-11-24T00:00:30+09:00");
}

async fn tickets_and_queue_never_show_personal_data(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let ticket = issue(
        &app,
        &agents[0],
        "anfa",
        json!({"service": "residence", "phone": "+212 612 345 678"}),
    )
    .await;
    assert!(ticket.get("phone").is_none());
    let id = ticket["id"].as_str().unwrap();
    let public = app.get(&format!("/api/v1/tickets/{id}"), None).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.body["position"], 1);
    assert!(public.body["estimated_wait_seconds"].as_i64().is_some());
    assert!(!public.body.to_string().contains("612"), "{}", public.body);
    call_next(&app, &agents[0], "anfa-g1").await;
    let queue = app.get("/api/v1/sites/anfa/queue", None).await;
    assert_eq!(queue.status, StatusCode::OK);
    let text = queue.body.to_string();
    assert!(
        !text.contains("612") && !text.contains(id) && !text.contains("agent1"),
        "{text}"
    );
    assert_eq!(queue.body["counters"][0]["current"]["number"], "A001");
    assert_eq!(queue.body["recent_calls"][0]["number"], "A001");
    assert_eq!(queue.body["recent_calls"][0]["counter_label"], "Guichet 1");
    assert!(queue.body["seq"].as_i64().unwrap() > 0);
}

async fn snapshot(app: &TestApp) -> (i64, i64) {
    (app.count("tickets").await, app.count("site_events").await)
}

async fn bad_input_changes_nothing(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let other = open_site(&app, &admin, "maarif", "Africa/Casablanca", 1).await;
    let ticket = issue(&app, &agents[0], "anfa", json!({"service": "residence"})).await;
    let before = snapshot(&app).await;
    let cases = [
        (json!({"service": "passport"}), "invalid_service"),
        (
            json!({"service": "residence", "phone": "0612345678"}),
            "invalid_phone",
        ),
        (
            json!({"service": "residence", "priority": "vip"}),
            "invalid_priority",
        ),
        (
            json!({"service": "residence", "priority": "appointment"}),
            "invalid_priority",
        ),
        (
            json!({"service": "residence", "lang": "de"}),
            "invalid_lang",
        ),
    ];
    for (body, code) in cases {
        let answer = app
            .post("/api/v1/sites/anfa/tickets", Some(&agents[0]), body.clone())
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{body}"
        );
    }
    let elsewhere = app
        .post(
            "/api/v1/sites/maarif/tickets",
            Some(&agents[0]),
            json!({"service": "residence"}),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    let wrong_counter = call_next(&app, &agents[0], "maarif-g1").await;
    assert_eq!(
        wrong_counter.0,
        StatusCode::FORBIDDEN,
        "an agent cannot call at another site's counter"
    );
    let display = app
        .post(
            "/api/v1/sites/anfa/devices",
            Some(&admin),
            json!({"kind": "display", "label": "TV"}),
        )
        .await;
    let display = display.body["token"].as_str().unwrap().to_owned();
    let by_display = app
        .post(
            "/api/v1/sites/anfa/tickets",
            Some(&display),
            json!({"service": "residence"}),
        )
        .await;
    assert_eq!(
        by_display.status,
        StatusCode::FORBIDDEN,
        "a display cannot issue tickets"
    );
    let id = ticket["id"].as_str().unwrap();
    let foreign = app
        .post(
            &format!("/api/v1/tickets/{id}/start"),
            Some(&other[0]),
            json!({}),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let not_called = app
        .post(
            &format!("/api/v1/tickets/{id}/complete"),
            Some(&agents[0]),
            json!({}),
        )
        .await;
    assert_eq!(
        (not_called.status, not_called.code()),
        (StatusCode::CONFLICT, "invalid_transition")
    );
    let anonymous = app
        .post(&format!("/api/v1/tickets/{id}/start"), None, json!({}))
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(snapshot(&app).await, before, "refusals write nothing");

    let (_, called) = call_next(&app, &agents[0], "anfa-g1").await;
    finish(&app, &agents[0], &called).await;
    let before = snapshot(&app).await;
    let twice = app
        .post(
            &format!("/api/v1/tickets/{id}/complete"),
            Some(&agents[0]),
            json!({}),
        )
        .await;
    assert_eq!(
        (twice.status, twice.code()),
        (StatusCode::CONFLICT, "invalid_transition")
    );
    let cancel_done = app
        .post(&format!("/api/v1/tickets/{id}/cancel"), None, json!({}))
        .await;
    assert_eq!(cancel_done.status, StatusCode::CONFLICT);
    assert_eq!(snapshot(&app).await, before);
    assert_eq!(
        app.get("/api/v1/tickets/nope", None).await.status,
        StatusCode::NOT_FOUND
    );

    // The holder cancels a waiting ticket with its id alone.
    let mine = issue(&app, &agents[0], "anfa", json!({"service": "residence"})).await;
    let path = format!("/api/v1/tickets/{}/cancel", mine["id"].as_str().unwrap());
    let cancelled = app.post(&path, None, json!({})).await;
    assert_eq!(
        (cancelled.status, cancelled.body["status"].as_str()),
        (StatusCode::OK, Some("cancelled"))
    );
}

async fn closed_office_and_appointment_only_services(backend: Backend) {
    // 2026-11-22 is a Sunday: the seeded office is closed.
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-22T10:00:00Z")
        .await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    // A device token, unlike a staff session, lasts across the days this test spans.
    let agent = kiosk(&app, &admin, "anfa").await;
    let sunday = app
        .post(
            "/api/v1/sites/anfa/tickets",
            Some(&agent),
            json!({"service": "residence"}),
        )
        .await;
    assert_eq!(
        (sunday.status, sunday.code()),
        (StatusCode::CONFLICT, "site_closed")
    );
    // Monday 08:05 local (UTC+0 in Casablanca since 2026-09-20): people queue before 08:30.
    time.set("2026-11-23T08:05:00Z".parse().unwrap());
    issue(&app, &agent, "anfa", json!({"service": "residence"})).await;
    // Monday 12:30: lunch closure.
    time.set("2026-11-23T12:30:00Z".parse().unwrap());
    let lunch = app
        .post(
            "/api/v1/sites/anfa/tickets",
            Some(&agent),
            json!({"service": "residence"}),
        )
        .await;
    assert_eq!(lunch.code(), "site_closed");
    // A closure date, a month later: the kiosk, unused since, is added again
    // (a device token expires after 30 days unused).
    time.set("2026-12-25T10:00:00Z".parse().unwrap());
    let agent = kiosk(&app, &app.admin().await, "anfa").await;
    let holiday = app
        .post(
            "/api/v1/sites/anfa/tickets",
            Some(&agent),
            json!({"service": "residence"}),
        )
        .await;
    assert_eq!(holiday.code(), "site_closed");
    time.set("2026-11-23T10:00:00Z".parse().unwrap());
    let admin = app.admin().await;
    app.patch(
        "/api/v1/sites/anfa/services/signature",
        Some(&admin),
        json!({"walk_in": false}),
    )
    .await;
    let booked_only = app
        .post(
            "/api/v1/sites/anfa/tickets",
            Some(&agent),
            json!({"service": "signature"}),
        )
        .await;
    assert_eq!(
        (booked_only.status, booked_only.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_service")
    );
    assert_eq!(app.count("tickets").await, 1);
}

async fn end_of_day_closes_out_what_is_left(backend: Backend) {
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T15:00:00Z")
        .await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "anfa").await;
    let agent = app.add_staff("amina", Role::Agent, "anfa").await;
    app.post("/api/v1/counters/anfa-g1/open", Some(&agent), json!({}))
        .await;
    for _ in 0..3 {
        issue(&app, &agent, "anfa", json!({"service": "residence"})).await;
    }
    let (_, called) = call_next(&app, &agent, "anfa-g1").await;
    // Still within the day: nothing is closed.
    assert_eq!(
        guichet::app::closeout::close_out(&app.app, "anfa")
            .await
            .unwrap(),
        0
    );
    let close = app
        .post("/api/v1/counters/anfa-g1/close", Some(&agent), json!({}))
        .await;
    assert_eq!(
        (close.status, close.code()),
        (StatusCode::CONFLICT, "counter_busy"),
        "finish the ticket first"
    );
    // Monday closes at 16:30; half an hour later the day is over.
    time.set("2026-11-23T17:05:00Z".parse().unwrap());
    assert_eq!(
        guichet::app::closeout::close_out(&app.app, "anfa")
            .await
            .unwrap(),
        3
    );
    let id = called["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/tickets/{id}"), None).await.body["status"],
        "no_show"
    );
    let queue = app.get("/api/v1/sites/anfa/queue", None).await;
    assert_eq!(queue.body["services"][0]["waiting"], 0);
    let cancelled: i64 = guichet_test_support::read!(&app.app.db, |c| {
        sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE status = 'cancelled' AND close_reason = 'end_of_day'")
            .fetch_one(c)
            .await
    })
    .unwrap();
    assert_eq!(cancelled, 2);
    assert_eq!(
        guichet::app::closeout::close_out(&app.app, "anfa")
            .await
            .unwrap(),
        0,
        "once only"
    );
}

async fn events_are_gap_free_under_concurrency(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 3).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let issuing = join_all((0..30).map(|_| {
        app.post(
            "/api/v1/sites/anfa/tickets",
            Some(&kiosk),
            json!({"service": "residence"}),
        )
    }));
    let calling = join_all(agents.iter().enumerate().map(|(i, a)| {
        let app = &app;
        async move {
            for _ in 0..5 {
                let (status, ticket) = call_next(app, a, &format!("anfa-g{}", i + 1)).await;
                if status == StatusCode::OK {
                    finish(app, a, &ticket).await;
                }
            }
        }
    }));
    let (issued, _) = tokio::join!(issuing, calling);
    assert!(issued.iter().all(|a| a.status == StatusCode::CREATED));
    let events = gap_free_events(&app, "anfa").await;
    let issued_events = events.iter().filter(|e| e.kind == "ticket.issued").count();
    assert_eq!(issued_events, 30);
}
