//! A video appointment's outcome: the agent who held the call records it
//! (through the API or the agents' page), from its start on, once for many
//! concurrent clicks; one left unrecorded is closed by the sweep long
//! after, and the agent may correct it; either way the phone may book that
//! service again.

use crate::support::office::{Office, office, phone, text};
use futures_util::future::join_all;
use guichet::app::reminders::sweep;
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Answer, Backend, STAFF_PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    an_agent_records_how_a_video_call_went,
    an_unrecorded_call_is_closed_long_after_and_may_be_corrected,
    the_agents_page_lists_the_calls_and_records_them,
);

const MONDAY_MORNING: &str = "2026-11-23T07:00:00Z";
const TUESDAY_9: &str = "2026-11-24T09:00:00+00:00";
const TUESDAY_10: &str = "2026-11-24T10:00:00+00:00";
const WEDNESDAY_9: &str = "2026-11-25T09:00:00+00:00";
const CSRF: &str = "video-outcome-csrf-token-0123456789";

async fn outcome(office: &Office, reference: &str, token: Option<&str>, said: &str) -> Answer {
    let path = format!("/api/v1/appointments/{reference}/outcome");
    office
        .app
        .post(&path, token, json!({"outcome": said}))
        .await
}

async fn status_of(office: &Office, agent: &str, reference: &str) -> String {
    let path = format!("/api/v1/appointments/{reference}");
    let answer = office.app.get(&path, Some(agent)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    text(&answer, "status").to_owned()
}

/// The office's agent, logged in now (a session ends after some hours).
async fn agent_now(office: &Office) -> String {
    office.app.login("agdal-agent", STAFF_PASSWORD).await
}

async fn book_video(office: &Office, start: &str, n: usize) -> String {
    let booked = office
        .book_with(json!({"start": start, "phone": phone(n), "mode": "video"}))
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    text(&booked, "reference").to_owned()
}

async fn an_agent_records_how_a_video_call_went(backend: Backend) {
    let office = office(backend, MONDAY_MORNING, "Africa/Casablanca", 3, false).await;
    let call = book_video(&office, TUESDAY_9, 1).await;
    let in_person = office.book(TUESDAY_10, &phone(2)).await;
    let in_person = text(&in_person, "reference").to_owned();
    let agent = office.agent.clone();

    // Not before the call has begun.
    let early = outcome(&office, &call, Some(&agent), "done").await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert_eq!(early.code(), "too_early");
    office.set_time("2026-11-24T09:10:00Z");
    let (agent, admin) = (agent_now(&office).await, office.app.admin().await);
    // Not by the citizen, not by another site's agent, not in other words.
    let citizen = outcome(&office, &call, None, "done").await;
    assert_eq!(citizen.status, StatusCode::UNAUTHORIZED);
    let elsewhere = office.app.post(
        "/api/v1/sites",
        Some(&admin),
        json!({"id": "fes-medina", "name": "Annexe Médina", "timezone": "Africa/Casablanca",
               "opening_hours": {"mon": [["08:00", "16:00"]]}}),
    );
    assert_eq!(elsewhere.await.status, StatusCode::CREATED);
    let stranger = office
        .app
        .add_staff("medina-agent", Role::Agent, "fes-medina")
        .await;
    let refused = outcome(&office, &call, Some(&stranger), "done").await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);
    let unclear = outcome(&office, &call, Some(&agent), "maybe").await;
    assert_eq!(unclear.status, StatusCode::UNPROCESSABLE_ENTITY);
    // An appointment at the office ends with its ticket.
    let office_visit = outcome(&office, &in_person, Some(&agent), "done").await;
    assert_eq!(office_visit.code(), "not_video");
    assert_eq!(status_of(&office, &agent, &call).await, "booked");
    assert_eq!(status_of(&office, &agent, &in_person).await, "booked");

    // While it is booked the phone holds its one appointment.
    let again = office
        .book_with(json!({"start": WEDNESDAY_9, "phone": phone(1), "mode": "video"}))
        .await;
    assert_eq!(again.code(), "already_booked");

    // Many clicks at once: one records it, the others are told it changed.
    let clicks = (0..12).map(|_| outcome(&office, &call, Some(&agent), "done"));
    let answers = join_all(clicks).await;
    let said: Vec<String> = answers
        .iter()
        .map(|a| format!("{} {}", a.status, a.body))
        .collect();
    let recorded = answers.iter().filter(|a| a.status == StatusCode::OK);
    assert_eq!(recorded.count(), 1, "{said:?}");
    assert!(
        answers
            .iter()
            .filter(|a| a.status != StatusCode::OK)
            .all(|a| a.code() == "not_booked"),
        "{said:?}"
    );
    assert_eq!(status_of(&office, &agent, &call).await, "done");

    // The call is over: the phone may book that service again.
    let again = office
        .book_with(json!({"start": WEDNESDAY_9, "phone": phone(1), "mode": "video"}))
        .await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
}

async fn an_unrecorded_call_is_closed_long_after_and_may_be_corrected(backend: Backend) {
    let office = office(backend, MONDAY_MORNING, "Africa/Casablanca", 3, false).await;
    let call = book_video(&office, TUESDAY_9, 3).await;
    // The same evening nobody has recorded it: it waits for the agent.
    office.set_time("2026-11-24T18:00:00Z");
    let agent = agent_now(&office).await;
    sweep(&office.app.app).await.expect("sweep");
    assert_eq!(status_of(&office, &agent, &call).await, "booked");
    // Twelve hours after its end it counts as not held.
    office.set_time("2026-11-24T21:31:00Z");
    let swept = sweep(&office.app.app).await.expect("sweep");
    assert_eq!(swept.no_shows, 1);
    assert_eq!(status_of(&office, &agent, &call).await, "no_show");
    // The agent knows better.
    let corrected = outcome(&office, &call, Some(&agent), "done").await;
    assert_eq!(corrected.status, StatusCode::OK, "{}", corrected.body);
    assert_eq!(status_of(&office, &agent, &call).await, "done");
    let again = outcome(&office, &call, Some(&agent), "no_show").await;
    assert_eq!(again.code(), "not_booked");
}

async fn the_agents_page_lists_the_calls_and_records_them(backend: Backend) {
    let office = office(backend, MONDAY_MORNING, "Africa/Casablanca", 3, false).await;
    let call = book_video(&office, TUESDAY_9, 4).await;
    let later = book_video(&office, "2026-11-24T14:00:00+00:00", 5).await;
    office.book(TUESDAY_10, &phone(6)).await;
    office.set_time("2026-11-24T09:15:00Z");
    let agent = agent_now(&office).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let cookie = format!("guichet_session={agent}; guichet_csrf={CSRF}");
    let page = |path: String| {
        client
            .get(format!("{}{path}", office.app.base))
            .header("Cookie", cookie.clone())
            .send()
    };
    let html = page("/agent/video".to_owned())
        .await
        .expect("sent")
        .text()
        .await
        .expect("page");
    // The two calls of the day, with their links; not the office visit.
    assert!(html.contains(&format!("id=\"call-{call}\"")), "{html}");
    assert!(html.contains(&format!("id=\"call-{later}\"")), "{html}");
    assert_eq!(html.matches("<tr id=\"call-").count(), 2, "{html}");
    assert!(html.contains("https://meet.jit.si/guichet-"));
    // The call that has begun may be recorded; the later one not yet.
    assert!(html.contains(&format!("action=\"/agent/video/{call}/outcome\"")));
    assert!(!html.contains(&format!("action=\"/agent/video/{later}/outcome\"")));

    let post = |reference: &str| {
        client
            .post(format!(
                "{}/agent/video/{reference}/outcome",
                office.app.base
            ))
            .header("Cookie", cookie.clone())
            .form(&[
                ("outcome", "no_show"),
                ("site", office.site.as_str()),
                ("date", "2026-11-24"),
                ("csrf", CSRF),
            ])
            .send()
    };
    let done = post(&call).await.expect("sent");
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let to = done.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        to.starts_with("/agent/video?site=rabat-agdal&date=2026-11-24"),
        "{to}"
    );
    assert_eq!(status_of(&office, &agent, &call).await, "no_show");
    let early = post(&later).await.expect("sent");
    assert_eq!(early.status(), StatusCode::CONFLICT);
    let said = early.text().await.expect("page");
    assert!(said.contains("pas encore commencé"), "{said}");
    assert_eq!(status_of(&office, &agent, &later).await, "booked");
    let html = page(to).await.expect("sent").text().await.expect("page");
    assert!(html.contains(&format!("<tr id=\"call-{call}\" data-status=\"no_show\"")));
}
