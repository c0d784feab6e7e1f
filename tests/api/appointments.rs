//! Booking against the real server: places decided by the database under
//! many concurrent citizens, managing with the token, and phone codes.

use crate::support::office::{casablanca_office, office, phone, text};
use futures_util::future::join_all;
use guichet_test_support::Backend;
use guichet_test_support::on_both_backends;
use reqwest::{Method, StatusCode};
use serde_json::json;

const MONDAY_MORNING: &str = "2026-11-23T07:00:00Z";
const TUESDAY_9: &str = "2026-11-24T09:00:00+00:00";
const TUESDAY_930: &str = "2026-11-24T09:30:00+00:00";
const TUESDAY_10: &str = "2026-11-24T10:00:00+00:00";

on_both_backends!(
    three_hundred_citizens_share_three_places,
    concurrent_moves_into_the_last_place,
    cancel_frees_the_place_for_the_next,
    one_active_appointment_per_phone,
    the_manage_token_guards_the_appointment,
    codes_prove_the_phone_once,
    one_client_cannot_send_codes_to_everyone,
    bad_bookings_change_nothing,
    video_appointments_meet_online,
);

async fn three_hundred_citizens_share_three_places(backend: Backend) {
    let office = office(backend, MONDAY_MORNING, "Africa/Casablanca", 3, false).await;
    let attempts = (0..300).map(|n| {
        let office = &office;
        async move { office.book(TUESDAY_9, &phone(n)).await }
    });
    let answers = join_all(attempts).await;
    let booked: Vec<_> = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .collect();
    let full = answers
        .iter()
        .filter(|a| a.status == StatusCode::CONFLICT && a.code() == "slot_full")
        .count();
    assert_eq!((booked.len(), full), (3, 297));
    assert_eq!(office.app.count("appointments").await, 3);
    let metrics = office.app.metrics().await;
    let conflicts = format!(
        r#"guichet_booking_conflicts_total{{site="{}",reason="slot_full"}} 297"#,
        office.site
    );
    assert!(metrics.contains(&conflicts), "{metrics}");
    assert_eq!(office.available(TUESDAY_9).await, 0);
    for answer in booked {
        assert_eq!(answer.body["status"], "booked");
        assert_eq!(answer.body["start"], TUESDAY_9);
        assert_eq!(answer.body["end"], TUESDAY_930);
        let reference = text(answer, "reference");
        let confirmations = office
            .messages(answer.body["phone"].as_str().unwrap())
            .await;
        assert_eq!(confirmations.len(), 1, "one confirmation SMS");
        assert!(confirmations[0].1.contains(reference));
        assert!(confirmations[0].1.contains("24/11/2026 09:00"));
    }
}

async fn concurrent_moves_into_the_last_place(backend: Backend) {
    let office = office(backend, MONDAY_MORNING, "Africa/Casablanca", 3, false).await;
    for n in 0..2 {
        assert_eq!(
            office.book(TUESDAY_10, &phone(n)).await.status,
            StatusCode::CREATED
        );
    }
    // Six citizens booked at 09:00 or 09:30 all try to move to 10:00,
    // which has one place left.
    let mut movers = Vec::new();
    for n in 10..16 {
        let start = if n % 2 == 0 { TUESDAY_9 } else { TUESDAY_930 };
        let answer = office.book(start, &phone(n)).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        movers.push((
            text(&answer, "reference").to_owned(),
            text(&answer, "manage_token").to_owned(),
            start,
        ));
    }
    let tries = movers.iter().map(|(reference, token, _)| {
        let body = json!({"start": TUESDAY_10});
        office.manage(Method::POST, reference, "/reschedule", token, Some(body))
    });
    let answers = join_all(tries).await;
    let moved = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let full = answers.iter().filter(|a| a.code() == "slot_full").count();
    assert_eq!((moved, full), (1, 5));
    assert_eq!(office.available(TUESDAY_10).await, 0);
    // Whoever did not move keeps their place; the one who moved freed theirs.
    for ((reference, token, start), answer) in movers.iter().zip(&answers) {
        let now = office.manage(Method::GET, reference, "", token, None).await;
        let expected = if answer.status == StatusCode::OK {
            TUESDAY_10
        } else {
            start
        };
        assert_eq!(now.body["start"], *expected);
    }
    let left_at_930 = office.available(TUESDAY_930).await;
    let left_at_9 = office.available(TUESDAY_9).await;
    assert_eq!(left_at_9 + left_at_930, 1, "both full, then one moved out");
}

async fn cancel_frees_the_place_for_the_next(backend: Backend) {
    let office = office(backend, MONDAY_MORNING, "Africa/Casablanca", 1, false).await;
    let first = office.book(TUESDAY_9, &phone(1)).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(office.book(TUESDAY_9, &phone(2)).await.code(), "slot_full");
    let (reference, token) = (text(&first, "reference"), text(&first, "manage_token"));
    let cancelled = office
        .manage(Method::POST, reference, "/cancel", token, None)
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "cancelled");
    assert_eq!(office.available(TUESDAY_9).await, 1);
    let again = office
        .manage(Method::POST, reference, "/cancel", token, None)
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "not_booked")
    );
    let second = office.book(TUESDAY_9, &phone(2)).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(office.available(TUESDAY_9).await, 0);
    let sms = office.messages(&phone(1)).await;
    let templates: Vec<&str> = sms.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(templates.len(), 2);
    assert!(
        templates.contains(&"appointment_booked") && templates.contains(&"appointment_cancelled")
    );
    assert_eq!(office.pending_after_sending().await, 0, "messages go out");
}

async fn one_active_appointment_per_phone(backend: Backend) {
    let office = office(backend, MONDAY_MORNING, "Africa/Casablanca", 3, false).await;
    let first = office.book(TUESDAY_9, &phone(1)).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let second = office.book(TUESDAY_10, &phone(1)).await;
    assert_eq!(
        (second.status, second.code()),
        (StatusCode::CONFLICT, "already_booked")
    );
    assert_eq!(office.available(TUESDAY_10).await, 3, "no place kept");
    // The same phone, concurrently: still one.
    let same = phone(2);
    let tries = (0..10).map(|_| office.book(TUESDAY_930, &same));
    let answers = join_all(tries).await;
    let booked = answers
        .iter()
        .filter(|a| a.status == StatusCode::CREATED)
        .count();
    assert_eq!(booked, 1);
    assert_eq!(office.available(TUESDAY_930).await, 2);
    let (reference, token) = (text(&first, "reference"), text(&first, "manage_token"));
    office
        .manage(Method::POST, reference, "/cancel", token, None)
        .await;
    assert_eq!(
        office.book(TUESDAY_10, &phone(1)).await.status,
        StatusCode::CREATED
    );
}

async fn the_manage_token_guards_the_appointment(backend: Backend) {
    let office = office(backend, MONDAY_MORNING, "Africa/Casablanca", 3, false).await;
    let booked = office.book(TUESDAY_9, &phone(1)).await;
    let (reference, token) = (text(&booked, "reference"), text(&booked, "manage_token"));
    let read = office.manage(Method::GET, reference, "", token, None).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["reference"], reference);
    assert!(
        read.body.get("manage_token").is_none(),
        "the token is shown once"
    );
    let wrong = format!("{}x", &token[..token.len() - 1]);
    for (method, action) in [
        (Method::GET, ""),
        (Method::POST, "/cancel"),
        (Method::POST, "/reschedule"),
    ] {
        let body = json!({"start": TUESDAY_10});
        let answer = office
            .manage(method, reference, action, &wrong, Some(body))
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{action}");
    }
    let without = office
        .app
        .get(&format!("/api/v1/appointments/{reference}"), None)
        .await;
    assert_eq!(without.status, StatusCode::NOT_FOUND);
    // The site's agent sees it without the token; an agent elsewhere does not.
    let path = format!("/api/v1/appointments/{reference}");
    let seen = office.app.get(&path, Some(&office.agent)).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.body["phone"], phone(1));
    let day = office
        .app
        .get(
            "/api/v1/sites/rabat-agdal/appointments?date=2026-11-24",
            Some(&office.agent),
        )
        .await;
    assert_eq!(day.body.as_array().map(Vec::len), Some(1));
    assert_eq!(
        office
            .manage(Method::GET, reference, "", token, None)
            .await
            .body["status"],
        "booked",
        "nothing changed by the wrong tries"
    );
}

async fn codes_prove_the_phone_once(backend: Backend) {
    let office = office(backend, MONDAY_MORNING, "Africa/Casablanca", 3, true).await;
    let amina = phone(1);
    let missing = office.book(TUESDAY_9, &amina).await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_otp")
    );
    let sent = office
        .app
        .post("/api/v1/otp", None, json!({"phone": amina}))
        .await;
    assert_eq!(sent.status, StatusCode::ACCEPTED);
    let again = office
        .app
        .post("/api/v1/otp", None, json!({"phone": amina}))
        .await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(again.headers.contains_key("retry-after"));
    let code = code_in(&office.messages(&amina).await[0].1);
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let refused = office
        .book_with(json!({"start": TUESDAY_9, "phone": amina, "otp": wrong}))
        .await;
    assert_eq!(refused.code(), "invalid_otp");
    let booked = office
        .book_with(json!({"start": TUESDAY_9, "phone": amina, "otp": code}))
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    // The code is used up: it proves nothing for another booking.
    let reused = office
        .app
        .post(
            "/api/v1/sites/rabat-agdal/services/passport/waitlist",
            None,
            json!({"phone": amina, "from": "2026-11-24", "to": "2026-11-30", "otp": code}),
        )
        .await;
    assert_eq!(reused.code(), "invalid_otp");
    // A code expires after 10 minutes.
    let youssef = phone(2);
    office
        .app
        .post("/api/v1/otp", None, json!({"phone": youssef}))
        .await;
    let code = code_in(&office.messages(&youssef).await[0].1);
    office.set_time("2026-11-23T07:11:00Z");
    let late = office
        .book_with(json!({"start": TUESDAY_9, "phone": youssef, "otp": code}))
        .await;
    assert_eq!(late.code(), "invalid_otp");
    // Five wrong tries spend a code, even the right one after them.
    let karim = phone(3);
    office
        .app
        .post("/api/v1/otp", None, json!({"phone": karim}))
        .await;
    let code = code_in(&office.messages(&karim).await[0].1);
    let wrong = if code == "999999" { "999998" } else { "999999" };
    for _ in 0..5 {
        let answer = office
            .book_with(json!({"start": TUESDAY_9, "phone": karim, "otp": wrong}))
            .await;
        assert_eq!(answer.code(), "invalid_otp");
    }
    let locked = office
        .book_with(json!({"start": TUESDAY_9, "phone": karim, "otp": code}))
        .await;
    assert_eq!(locked.code(), "invalid_otp");
    assert_eq!(office.app.count("appointments").await, 1);
}

async fn one_client_cannot_send_codes_to_everyone(backend: Backend) {
    let office = office(backend, MONDAY_MORNING, "Africa/Casablanca", 3, true).await;
    let allowed = guichet::app::rate_limit::OTP_PER_IP.max as usize;
    let mut statuses = Vec::new();
    for n in 0..=allowed {
        let answer = office
            .app
            .post("/api/v1/otp", None, json!({"phone": phone(100 + n)}))
            .await;
        statuses.push(answer.status);
    }
    assert!(
        statuses[..allowed]
            .iter()
            .all(|s| *s == StatusCode::ACCEPTED)
    );
    assert_eq!(statuses[allowed], StatusCode::TOO_MANY_REQUESTS);
    assert!(
        office.messages(&phone(100 + allowed)).await.is_empty(),
        "nothing sent"
    );
    let bad = office
        .app
        .post("/api/v1/otp", None, json!({"phone": "hello"}))
        .await;
    assert_eq!(bad.code(), "invalid_phone");
}

/// The six digits of a code message.
fn code_in(message: &str) -> String {
    let digits: String = message
        .split(|c: char| !c.is_ascii_digit())
        .find(|word| word.len() == 6)
        .unwrap_or_else(|| panic!("no code in {message:?}"))
        .to_owned();
    digits
}

async fn bad_bookings_change_nothing(backend: Backend) {
    let office = office(backend, MONDAY_MORNING, "Africa/Casablanca", 3, false).await;
    let cases = [
        (
            json!({"start": TUESDAY_9, "phone": phone(1), "persons": 5}),
            "invalid_persons",
        ),
        (
            json!({"start": TUESDAY_9, "phone": phone(1), "persons": 0}),
            "invalid_persons",
        ),
        (
            json!({"start": TUESDAY_9, "phone": phone(1), "mode": "phone"}),
            "invalid_mode",
        ),
        (
            json!({"start": "2026-11-24T09:10:00+00:00", "phone": phone(1)}),
            "invalid_start",
        ),
        (
            json!({"start": "2026-11-24 09:00", "phone": phone(1)}),
            "invalid_start",
        ),
        (
            json!({"start": "2026-11-22T09:00:00+00:00", "phone": phone(1)}),
            "invalid_start",
        ),
        (
            json!({"start": "2026-12-25T09:00:00+00:00", "phone": phone(1)}),
            "invalid_start",
        ),
        (
            json!({"start": "2027-03-01T09:00:00+00:00", "phone": phone(1)}),
            "invalid_start",
        ),
        (
            json!({"start": TUESDAY_9, "phone": "0612345678"}),
            "invalid_phone",
        ),
        (
            json!({"start": TUESDAY_9, "phone": phone(1), "email": "not-an-address"}),
            "invalid_email",
        ),
        (
            json!({"start": TUESDAY_9, "phone": phone(1), "name": " "}),
            "invalid_name",
        ),
        (
            json!({"start": TUESDAY_9, "phone": phone(1), "service": "nothing"}),
            "invalid_service",
        ),
        (
            json!({"start": TUESDAY_9, "phone": phone(1), "extra": 1}),
            "invalid_body",
        ),
    ];
    for (body, code) in cases {
        let answer = office.book_with(body.clone()).await;
        assert_eq!(
            (answer.status, answer.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{body}: {}",
            answer.body
        );
    }
    let nowhere = office
        .app
        .post(
            "/api/v1/sites/nowhere/appointments",
            None,
            json!({"service": "passport", "start": TUESDAY_9, "name": "A", "phone": phone(1)}),
        )
        .await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    let too_long = office
        .slot_answer("2026-11-24", "2027-01-24", "in_person")
        .await;
    assert_eq!(too_long.code(), "invalid_to");
    assert_eq!(office.app.count("appointments").await, 0);
    assert_eq!(office.app.count("notifications").await, 0);
    assert_eq!(office.available(TUESDAY_9).await, 3);
}

async fn video_appointments_meet_online(backend: Backend) {
    let office = casablanca_office(backend, MONDAY_MORNING).await;
    let video = office
        .book_with(json!({"start": TUESDAY_9, "phone": phone(1), "mode": "video"}))
        .await;
    assert_eq!(video.status, StatusCode::CREATED, "{}", video.body);
    let url = text(&video, "video_url");
    assert!(url.starts_with("https://meet.jit.si/guichet-") && url.len() > 50);
    let other = office
        .book_with(json!({"start": TUESDAY_9, "phone": phone(2), "mode": "video"}))
        .await;
    assert_ne!(text(&other, "video_url"), url, "each meeting has its room");
    // In person and video share the slot's places: the same agents serve both.
    assert_eq!(office.available(TUESDAY_9).await, 0);
    let in_person = office.book(TUESDAY_10, &phone(3)).await;
    assert!(in_person.body.get("video_url").is_none());
    let sms = office.messages(&phone(1)).await;
    assert!(sms[0].1.contains(url), "the link is in the confirmation");
    let path = format!("/api/v1/appointments/{}", text(&video, "reference"));
    let agent_view = office.app.get(&path, Some(&office.agent)).await;
    assert_eq!(agent_view.body["video_url"], url);
    let check_in = office
        .app
        .post(&format!("{path}/check-in"), Some(&office.agent), json!({}))
        .await;
    assert_eq!(check_in.code(), "video_appointment");
}
