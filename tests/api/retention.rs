//! Retention of personal data: what has been closed for longer than the
//! retention loses its names, phones, e-mails and free text, what is open
//! or younger keeps them, citizens still read their status, the figures do
//! not move, and sweeps of two instances at once erase each row once.

use crate::support::desk::read_with_token;
use crate::support::office::{Office, SERVICE, office, phone};
use crate::support::tickets::{call_next, finish, issue, kiosk};
use guichet::app::reminders;
use guichet::app::retention::{Swept, sweep};
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Answer, Backend, STAFF_PASSWORD, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both_backends!(closed_items_past_the_retention_lose_their_personal_data);

const MONDAY: &str = "2026-11-23T08:00:00Z";
/// Four weeks later, a Monday: what closes now is young at the sweep.
const LATER: &str = "2026-12-21T09:00:00Z";
/// The sweep: 30 days back is 2026-11-26 08:00, after Monday's items and
/// the waitlist's range that ended on the 24th (a local day ends at most
/// 14 hours after its UTC day, so ranges count as ended a day later).
const SWEEP: &str = "2026-12-26T08:00:00Z";

async fn closed_items_past_the_retention_lose_their_personal_data(backend: Backend) {
    let mut office = office(backend, MONDAY, "Africa/Casablanca", 2, false).await;
    let (app, site) = (&office.app, office.site.as_str());
    let chief = app.add_staff("agdal-chief", Role::Supervisor, site).await;
    let kiosk = kiosk(app, &office.admin, site).await;

    // Monday: a visit with a phone, finished.
    issue(
        app,
        &kiosk,
        site,
        json!({"service": SERVICE, "phone": phone(1)}),
    )
    .await;
    let (called, ticket) = call_next(app, &office.agent, "agdal-g1").await;
    assert_eq!(called, StatusCode::OK, "{ticket}");
    finish(app, &office.agent, &ticket).await;
    // An appointment that will be past, one cancelled, one still to come.
    let past = booked(&office, "2026-11-24T09:00:00Z", 2, Some("amina@example.ma")).await;
    let cancelled = booked(&office, "2026-11-24T10:00:00Z", 3, None).await;
    let (reference, token) = (
        text_of(&cancelled, "reference"),
        text_of(&cancelled, "manage_token"),
    );
    let cancel = office
        .manage(Method::POST, reference, "/cancel", token, None)
        .await;
    assert_eq!(cancel.status, StatusCode::OK, "{}", cancel.body);
    let coming = booked(&office, "2026-12-28T09:00:00Z", 4, None).await;
    // A waitlist entry whose range will have passed, and one still open.
    for (n, from, to) in [
        (5, "2026-11-24", "2026-11-24"),
        (6, "2026-12-28", "2026-12-31"),
    ] {
        let path = format!("/api/v1/sites/{site}/services/{SERVICE}/waitlist");
        let body = json!({"phone": phone(n), "from": from, "to": to});
        let joined = app.post(&path, None, body).await;
        assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    }
    // A request delivered, one still submitted, one delivered only later.
    let delivered = filed_request(&office, 7).await;
    for status in ["ready", "delivered"] {
        request_status(&office, &delivered, status).await;
    }
    let submitted = filed_request(&office, 8).await;
    let late = filed_request(&office, 9).await;
    // A complaint answered, one still open.
    let answered = filed_complaint(&office, 10).await;
    let path = format!(
        "/api/v1/complaints/{}/answer",
        text_of(&answered, "reference")
    );
    let answer = json!({"answer": "Nous avons renforcé le guichet 2."});
    let done = app.post(&path, Some(&chief), answer).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let open_complaint = filed_complaint(&office, 11).await;
    settle(&office).await;

    // Four weeks later: a visit and a delivery, young at the sweep.
    office.set_time(LATER);
    // Staff sessions last a day: the agent and the admin log in again.
    office.agent = app.login("agdal-agent", STAFF_PASSWORD).await;
    issue(
        app,
        &kiosk,
        site,
        json!({"service": SERVICE, "phone": phone(12)}),
    )
    .await;
    let (called, young_ticket) = call_next(app, &office.agent, "agdal-g1").await;
    assert_eq!(called, StatusCode::OK, "{young_ticket}");
    finish(app, &office.agent, &young_ticket).await;
    for status in ["ready", "delivered"] {
        request_status(&office, &late, status).await;
    }
    settle(&office).await;

    office.set_time(SWEEP);
    office.admin = app.admin().await;
    // The past appointment is marked a no-show before the figures are read.
    reminders::sweep(&app.app).await.expect("appointment sweep");
    settle(&office).await;
    let figures_before = figures(&office).await;
    let other = TestApp::builder()
        .join(&app.database_url)
        .clock(office.time.clock())
        .spawn()
        .await;
    let (one, two) = tokio::join!(sweep(&app.app), sweep(&other.app));
    let (one, two) = (one.expect("a sweep"), two.expect("another sweep"));
    let both = |f: fn(&Swept) -> u64| f(&one) + f(&two);
    assert_eq!(
        both(|s| s.tickets),
        1,
        "Monday's ticket, once: {one:?} {two:?}"
    );
    assert_eq!(
        both(|s| s.appointments),
        2,
        "the past and the cancelled one"
    );
    assert_eq!(both(|s| s.requests), 1, "the request delivered on Monday");
    assert_eq!(both(|s| s.complaints), 1, "the answered complaint");
    assert_eq!(both(|s| s.waitlist), 1, "the entry whose range has passed");
    assert!(both(|s| s.messages) > 0, "Monday's sent messages");
    let again = sweep(&app.app).await.expect("a third sweep");
    assert_eq!(again, Swept::default(), "nothing is erased twice");

    // Statistics and the public figures did not move.
    assert_eq!(figures(&office).await, figures_before);

    // Citizens still read their status, without the personal fields.
    let read = appointment(&office, &past).await;
    assert_eq!(read.body["status"], "no_show", "{}", read.body);
    for field in ["name", "phone", "email"] {
        assert!(read.body[field].is_null(), "{field}: {}", read.body);
    }
    assert!(
        read.body["personal_data_erased_at"].is_string(),
        "{}",
        read.body
    );
    let read = appointment(&office, &cancelled).await;
    assert_eq!(read.body["status"], "cancelled");
    assert!(read.body["name"].is_null(), "{}", read.body);
    let read = appointment(&office, &coming).await;
    assert_eq!(
        read.body["name"], "Amina Alaoui",
        "still to come: {}",
        read.body
    );
    assert_eq!(read.body["phone"], phone(4).as_str());
    assert!(read.body.get("personal_data_erased_at").is_none());

    let read = request(&office, &delivered).await;
    assert_eq!(read.body["status"], "delivered", "{}", read.body);
    assert!(read.body["name"].is_null(), "{}", read.body);
    assert!(read.body["personal_data_erased_at"].is_string());
    assert_eq!(read.body["history"].as_array().map(Vec::len), Some(3));
    for young in [&submitted, &late] {
        let read = request(&office, young).await;
        assert_eq!(read.body["name"], "Amina Alaoui", "{}", read.body);
    }

    let read = complaint(&office, &answered).await;
    assert_eq!(read.body["status"], "answered", "{}", read.body);
    assert_eq!(read.body["body"], "");
    assert!(read.body["answer"].is_null());
    assert!(read.body["personal_data_erased_at"].is_string());
    let read = complaint(&office, &open_complaint).await;
    assert_eq!(read.body["status"], "received");
    assert!(
        read.body["body"]
            .as_str()
            .is_some_and(|b| b.contains("guichet 2"))
    );

    // What is left of the phones: the young ticket's, the open items'.
    let phones = stored_phones(&office).await;
    for n in [1, 2, 3, 5, 7] {
        assert!(
            !phones.contains(&phone(n)),
            "{} is still stored: {phones:?}",
            phone(n)
        );
    }
    for n in [4, 6, 8, 9, 10, 11, 12] {
        let kept = phones.contains(&phone(n));
        assert_eq!(kept, n != 10, "{} kept: {phones:?}", phone(n));
    }
    other.stop();
}

/// Queues the messages that follow visits and sends everything queued, so
/// that each is sent at the time the test has set (5 s at most).
async fn settle(office: &Office) {
    let app = &office.app.app;
    guichet::app::visits::follow_up(app)
        .await
        .expect("visit messages");
    let sql =
        "SELECT COUNT(*) FROM notifications WHERE status IN ('pending', 'sending', 'retrying')";
    let within = std::time::Duration::from_secs(5);
    guichet_test_support::eventually(within, "every message sent", async || {
        guichet::app::outbox::send_due(app)
            .await
            .expect("messages sent");
        let unsent: i64 =
            guichet_test_support::read!(&app.db, |c| sqlx::query_scalar(sql).fetch_one(c).await)
                .expect("outbox read");
        unsent == 0
    })
    .await;
}

fn text_of<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {value}"))
}

/// Books a slot for `phone(n)`: the answer, with its manage token.
async fn booked(office: &Office, start: &str, n: usize, email: Option<&str>) -> Value {
    let mut body = json!({"start": start, "phone": phone(n)});
    if let Some(email) = email {
        body["email"] = json!(email);
    }
    let answer = office.book_with(body).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body
}

async fn appointment(office: &Office, booked: &Value) -> Answer {
    let (reference, token) = (
        text_of(booked, "reference"),
        text_of(booked, "manage_token"),
    );
    let read = office.manage(Method::GET, reference, "", token, None).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    read
}

async fn filed_request(office: &Office, n: usize) -> Value {
    let path = format!("/api/v1/sites/{}/requests", office.site);
    let body = json!({"service": SERVICE, "name": "Amina Alaoui", "phone": phone(n)});
    let filed = office.app.post(&path, None, body).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    filed.body
}

async fn request_status(office: &Office, request: &Value, status: &str) {
    let path = format!("/api/v1/requests/{}/status", text_of(request, "reference"));
    let body = json!({"status": status});
    let changed = office.app.post(&path, Some(&office.agent), body).await;
    assert_eq!(changed.status, StatusCode::OK, "{status}: {}", changed.body);
}

async fn request(office: &Office, filed: &Value) -> Answer {
    let path = format!("/api/v1/requests/{}", text_of(filed, "reference"));
    let read = read_with_token(&office.app, &path, None, Some(text_of(filed, "token"))).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    read
}

async fn filed_complaint(office: &Office, n: usize) -> Value {
    let path = format!("/api/v1/sites/{}/complaints", office.site);
    let body = json!({"subject": "Attente", "phone": phone(n),
        "body": "Trois heures d'attente au guichet 2 pour un certificat."});
    let filed = office.app.post(&path, None, body).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    filed.body
}

async fn complaint(office: &Office, filed: &Value) -> Answer {
    let path = format!("/api/v1/complaints/{}", text_of(filed, "reference"));
    let read = read_with_token(&office.app, &path, None, Some(text_of(filed, "token"))).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    read
}

/// The site's statistics over the whole period and its public figures,
/// the latter read past their cache.
async fn figures(office: &Office) -> (Value, Value) {
    let path = format!(
        "/api/v1/sites/{}/stats?from=2026-11-23&to=2026-12-24",
        office.site
    );
    let stats = office.app.get(&path, Some(&office.admin)).await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    let today = &SWEEP[..10];
    office
        .app
        .app
        .caches
        .public_stats
        .forget(&format!("{}/{today}", office.site));
    let path = format!("/api/v1/sites/{}/public-stats", office.site);
    let public = office.app.get(&path, None).await;
    assert_eq!(public.status, StatusCode::OK, "{}", public.body);
    (stats.body, public.body)
}

/// Every phone still stored anywhere a citizen's phone is kept.
async fn stored_phones(office: &Office) -> Vec<String> {
    let sql = "SELECT phone FROM tickets WHERE phone IS NOT NULL
        UNION SELECT phone FROM appointments WHERE phone IS NOT NULL
        UNION SELECT phone FROM document_requests WHERE phone IS NOT NULL
        UNION SELECT phone FROM complaints WHERE phone IS NOT NULL
        UNION SELECT phone FROM waitlist
        UNION SELECT recipient FROM notifications";
    guichet_test_support::read!(&office.app.app.db, |c| sqlx::query_scalar::<_, String>(sql)
        .fetch_all(c)
        .await)
    .expect("phones read")
}
