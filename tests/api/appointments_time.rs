//! Appointments in time: slots in the office's local time across offset
//! changes, notice and horizon, check-in windows, reminders, no-shows, and
//! the waitlist.

use crate::support::office::{SERVICE, casablanca_office, office, phone, text};
use crate::support::tickets::{call_next, finish, issue, kiosk};
use futures_util::future::join_all;
use guichet::app::reminders::sweep;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, STAFF_PASSWORD, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

const MONDAY_MORNING: &str = "2026-11-23T07:00:00Z";

on_both_backends!(
    slots_in_casablanca_after_its_change_are_at_utc,
    slots_across_a_clock_change_carry_each_side_offset,
    notice_horizon_and_closures_are_honoured,
    check_in_inside_the_window_goes_ahead_of_walk_ins,
    check_in_late_or_on_another_day,
    each_reminder_goes_out_once_from_two_instances,
    a_freed_place_is_offered_to_the_first_waiting,
);

fn starts(slots: &[serde_json::Value]) -> Vec<&str> {
    slots.iter().map(|s| s["start"].as_str().unwrap()).collect()
}

async fn slots_in_casablanca_after_its_change_are_at_utc(backend: Backend) {
    let office = casablanca_office(backend, MONDAY_MORNING).await;
    let answer = office
        .slot_answer("2026-11-24", "2026-11-24", "in_person")
        .await;
    assert_eq!(answer.body["timezone"], "Africa/Casablanca");
    let slots = answer.body["slots"].as_array().unwrap();
    assert_eq!(slots.len(), 16, "08:00 to 16:00 in half hours");
    assert_eq!(slots[0]["start"], "2026-11-24T08:00:00+00:00");
    assert_eq!(slots[0]["end"], "2026-11-24T08:30:00+00:00");
    assert_eq!(slots[15]["start"], "2026-11-24T15:30:00+00:00");
    assert!(slots.iter().all(|s| s["available"] == 2));
    // The same instant written in UTC books the same slot.
    let booked = office.book("2026-11-24T08:00:00Z", &phone(1)).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    assert_eq!(booked.body["start"], "2026-11-24T08:00:00+00:00");
    assert_eq!(office.available("2026-11-24T08:00:00+00:00").await, 1);
}

async fn slots_across_a_clock_change_carry_each_side_offset(backend: Backend) {
    let office = office(backend, "2026-03-20T08:00:00Z", "Europe/Paris", 2, false).await;
    let slots = office.slots("2026-03-27", "2026-03-30").await;
    let days = starts(&slots);
    assert!(days.contains(&"2026-03-27T08:00:00+01:00"));
    assert!(days.contains(&"2026-03-28T15:30:00+01:00"));
    assert!(days.contains(&"2026-03-30T08:00:00+02:00"));
    assert!(
        !days.iter().any(|s| s.starts_with("2026-03-29")),
        "closed on Sunday"
    );
    // Open on the night of the change: 02:00 and 02:30 do not exist.
    let hours = json!({"opening_hours": {"sun": [["01:00", "04:00"]]}});
    let patched = office
        .app
        .patch(
            &format!("/api/v1/sites/{}", office.site),
            Some(&office.admin),
            hours,
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let night = office.slots("2026-03-29", "2026-03-29").await;
    assert_eq!(
        starts(&night),
        [
            "2026-03-29T01:00:00+01:00",
            "2026-03-29T01:30:00+01:00",
            "2026-03-29T03:00:00+02:00",
            "2026-03-29T03:30:00+02:00"
        ]
    );
    assert_eq!(
        night[1]["end"], "2026-03-29T03:00:00+02:00",
        "30 real minutes"
    );
    let booked = office.book("2026-03-29T03:00:00+02:00", &phone(1)).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
}

async fn notice_horizon_and_closures_are_honoured(backend: Backend) {
    let office = office(
        backend,
        "2026-11-23T09:10:00Z",
        "Africa/Casablanca",
        2,
        false,
    )
    .await;
    let service = format!("/api/v1/sites/{}/services/{SERVICE}", office.site);
    let patched = office
        .app
        .patch(
            &service,
            Some(&office.admin),
            json!({"min_notice_minutes": 120, "horizon_days": 7}),
        )
        .await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let today = office.slots("2026-11-20", "2026-11-23").await;
    assert_eq!(starts(&today)[0], "2026-11-23T11:30:00+00:00");
    let soon = office.book("2026-11-23T11:00:00+00:00", &phone(1)).await;
    assert_eq!(soon.code(), "invalid_start");
    let ok = office.book("2026-11-23T11:30:00+00:00", &phone(1)).await;
    assert_eq!(ok.status, StatusCode::CREATED);
    let week = office.slots("2026-11-23", "2026-12-10").await;
    let last = *starts(&week).last().unwrap();
    assert!(
        last.starts_with("2026-11-30"),
        "7 days ahead at most: {last}"
    );
    let far = office.book("2026-12-01T09:00:00+00:00", &phone(2)).await;
    assert_eq!(far.code(), "invalid_start");
    let patched = office
        .app
        .patch(&service, Some(&office.admin), json!({"horizon_days": 60}))
        .await;
    assert_eq!(patched.status, StatusCode::OK);
    let christmas = office.slots("2026-12-24", "2026-12-26").await;
    assert!(
        !starts(&christmas)
            .iter()
            .any(|s| s.starts_with("2026-12-25"))
    );
    assert!(
        starts(&christmas)
            .iter()
            .any(|s| s.starts_with("2026-12-24"))
    );
}

async fn check_in_inside_the_window_goes_ahead_of_walk_ins(backend: Backend) {
    let office = casablanca_office(backend, MONDAY_MORNING).await;
    let kiosk = kiosk(&office.app, &office.admin, &office.site).await;
    let booked = office.book("2026-11-23T10:00:00+00:00", &phone(1)).await;
    let path = format!(
        "/api/v1/appointments/{}/check-in",
        text(&booked, "reference")
    );
    office.set_time("2026-11-23T09:40:00Z");
    let early = office.app.post(&path, Some(&kiosk), json!({})).await;
    assert_eq!(
        (early.status, early.code()),
        (StatusCode::CONFLICT, "too_early")
    );
    office.set_time("2026-11-23T09:50:00Z");
    let walk_in = issue(
        &office.app,
        &kiosk,
        &office.site,
        json!({"service": SERVICE}),
    )
    .await;
    let ticket = office.app.post(&path, Some(&kiosk), json!({})).await;
    assert_eq!(ticket.status, StatusCode::CREATED, "{}", ticket.body);
    assert_eq!(ticket.body["priority"], "appointment");
    assert_eq!(ticket.body["number"], "P002");
    let twice = office.app.post(&path, Some(&kiosk), json!({})).await;
    assert_eq!(twice.code(), "already_checked_in");
    // Before its time, the appointment waits like the others.
    office.set_time("2026-11-23T09:55:00Z");
    let (_, first) = call_next(&office.app, &office.agent, "agdal-g1").await;
    assert_eq!(first["number"], walk_in["number"]);
    finish(&office.app, &office.agent, &first).await;
    issue(
        &office.app,
        &kiosk,
        &office.site,
        json!({"service": SERVICE}),
    )
    .await;
    // Once due, it goes ahead of the walk-in who came earlier.
    office.set_time("2026-11-23T10:00:00Z");
    let (_, second) = call_next(&office.app, &office.agent, "agdal-g1").await;
    assert_eq!(second["number"], "P002");
    finish(&office.app, &office.agent, &second).await;
    let reference = text(&booked, "reference");
    let seen = office
        .app
        .get(
            &format!("/api/v1/appointments/{reference}"),
            Some(&office.agent),
        )
        .await;
    assert_eq!(seen.body["status"], "done");
    assert_eq!(seen.body["checked_in_at"], "2026-11-23T09:50:00+00:00");
}

async fn check_in_late_or_on_another_day(backend: Backend) {
    let office = casablanca_office(backend, MONDAY_MORNING).await;
    let late = office.book("2026-11-23T11:00:00+00:00", &phone(1)).await;
    let tomorrow = office.book("2026-11-24T09:00:00+00:00", &phone(2)).await;
    let missed = office.book("2026-11-23T08:00:00+00:00", &phone(3)).await;
    let check_in = |answer: &guichet_test_support::Answer| {
        format!(
            "/api/v1/appointments/{}/check-in",
            text(answer, "reference")
        )
    };
    // 45 minutes late, past the 30-minute window: a walk-in ticket.
    office.set_time("2026-11-23T11:45:00Z");
    let ticket = office
        .app
        .post(&check_in(&late), Some(&office.agent), json!({}))
        .await;
    assert_eq!(ticket.status, StatusCode::CREATED, "{}", ticket.body);
    assert_eq!(ticket.body["priority"], "normal");
    let early = office
        .app
        .post(&check_in(&tomorrow), Some(&office.agent), json!({}))
        .await;
    assert_eq!(early.code(), "too_early");
    // The sweep marks the 08:00 appointment a no-show; they may still come today.
    sweep(&office.app.app).await.unwrap();
    let reference = text(&missed, "reference");
    let token = text(&missed, "manage_token");
    let status = office.manage(Method::GET, reference, "", token, None).await;
    assert_eq!(status.body["status"], "no_show");
    let still_today = office
        .app
        .post(&check_in(&missed), Some(&office.agent), json!({}))
        .await;
    assert_eq!(
        still_today.status,
        StatusCode::CREATED,
        "{}",
        still_today.body
    );
    office.set_time("2026-11-25T08:00:00Z");
    // A new working day, a new session.
    let agent = office.app.login("agdal-agent", STAFF_PASSWORD).await;
    let gone = office
        .app
        .post(&check_in(&tomorrow), Some(&agent), json!({}))
        .await;
    assert_eq!(gone.code(), "appointment_missed");
    let unknown = office
        .app
        .post(
            "/api/v1/appointments/AAAA-BBBB/check-in",
            Some(&agent),
            json!({}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let anonymous = office.app.post(&check_in(&tomorrow), None, json!({})).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

async fn each_reminder_goes_out_once_from_two_instances(backend: Backend) {
    let office = casablanca_office(backend, MONDAY_MORNING).await;
    let other = TestApp::builder()
        .join(&office.app.database_url)
        .clock(office.time.clock())
        .spawn()
        .await;
    let wednesday = office.book("2026-11-25T10:00:00+00:00", &phone(1)).await;
    assert_eq!(wednesday.status, StatusCode::CREATED);
    let today = office.book("2026-11-23T12:00:00+00:00", &phone(2)).await;
    assert_eq!(today.status, StatusCode::CREATED);
    let soon = office.book("2026-11-23T10:00:00+00:00", &phone(3)).await;
    assert_eq!(soon.status, StatusCode::CREATED);
    let sweeps = |n: usize| {
        let instances = [&office.app.app, &other.app];
        join_all((0..n).map(move |i| sweep(instances[i % 2])))
    };
    for at in [
        "2026-11-23T09:30:00Z",
        "2026-11-24T11:00:00Z",
        "2026-11-24T11:01:00Z",
        "2026-11-25T08:00:00Z",
    ] {
        office.set_time(at);
        for done in sweeps(6).await {
            done.expect("sweep");
        }
    }
    let templates = |messages: Vec<(String, String)>| {
        let mut names: Vec<String> = messages.into_iter().map(|(t, _)| t).collect();
        names.sort();
        names
    };
    assert_eq!(
        templates(office.messages(&phone(1)).await),
        ["appointment_booked", "reminder_day", "reminder_hours"]
    );
    // Booked the same morning: no day-before reminder, one a few hours before.
    assert_eq!(
        templates(office.messages(&phone(2)).await),
        ["appointment_booked", "reminder_hours"]
    );
    // Booked three hours before: the reminder would follow the
    // confirmation at once, and is not sent.
    assert_eq!(
        templates(office.messages(&phone(3)).await),
        ["appointment_booked"]
    );
    let reminder = &office.messages(&phone(1)).await;
    let text_of = |name: &str| reminder.iter().find(|(t, _)| t == name).unwrap().1.clone();
    assert!(text_of("reminder_day").contains("25/11/2026 10:00"));
    let (reference, token) = (text(&today, "reference"), text(&today, "manage_token"));
    let missed = office.manage(Method::GET, reference, "", token, None).await;
    assert_eq!(missed.body["status"], "no_show");
}

async fn a_freed_place_is_offered_to_the_first_waiting(backend: Backend) {
    let office = office(backend, MONDAY_MORNING, "Africa/Casablanca", 1, false).await;
    let waitlist = format!("/api/v1/sites/{}/services/{SERVICE}/waitlist", office.site);
    let booked = office.book("2026-11-24T09:00:00+00:00", &phone(1)).await;
    for (n, from, to, at) in [
        (2, "2026-11-24", "2026-11-25", "2026-11-23T07:01:00Z"),
        (3, "2026-11-24", "2026-11-24", "2026-11-23T07:02:00Z"),
        (4, "2026-11-26", "2026-11-26", "2026-11-23T07:03:00Z"),
    ] {
        office.set_time(at);
        let joined = office
            .app
            .post(
                &waitlist,
                None,
                json!({"phone": phone(n), "from": from, "to": to}),
            )
            .await;
        assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    }
    for (body, code) in [
        (
            json!({"phone": phone(5), "from": "2026-11-25", "to": "2026-11-24"}),
            "invalid_to",
        ),
        (
            json!({"phone": phone(5), "from": "2026-11-20", "to": "2026-11-24"}),
            "invalid_from",
        ),
        (
            json!({"phone": "12", "from": "2026-11-24", "to": "2026-11-24"}),
            "invalid_phone",
        ),
    ] {
        assert_eq!(office.app.post(&waitlist, None, body).await.code(), code);
    }
    let (reference, token) = (text(&booked, "reference"), text(&booked, "manage_token"));
    let cancelled = office
        .manage(Method::POST, reference, "/cancel", token, None)
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let offer = office.messages(&phone(2)).await;
    assert_eq!(offer.len(), 1);
    assert_eq!(offer[0].0, "waitlist_offer");
    assert!(offer[0].1.contains("24/11/2026 09:00"));
    assert!(office.messages(&phone(3)).await.is_empty());
    // The next place freed that day goes to the next in line.
    let second = office.book("2026-11-24T09:30:00+00:00", &phone(6)).await;
    let (reference, token) = (text(&second, "reference"), text(&second, "manage_token"));
    office
        .manage(Method::POST, reference, "/cancel", token, None)
        .await;
    assert_eq!(office.messages(&phone(3)).await.len(), 1);
    assert_eq!(office.messages(&phone(2)).await.len(), 1, "offered once");
    assert!(office.messages(&phone(4)).await.is_empty(), "another day");
}
