//! Two provinces and a small stored history of their offices, for the
//! province's view (`province`, `screens::province`).

use crate::support::sites::open_site;
use guichet::store::Db;
use guichet_test_support::{Backend, STAFF_PASSWORD, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Milliseconds of `2026-11-DD hh:mm` UTC (Casablanca is UTC+0 then).
fn at(day: u8, hh_mm: &str) -> i64 {
    format!("2026-11-{day:02}T{hh_mm}:00Z")
        .parse::<jiff::Timestamp>()
        .expect("an instant")
        .as_millisecond()
}

pub async fn put(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> guichet_test_support::Answer {
    app.call(Method::PUT, path, token, Some(body)).await
}

async fn exec(app: &TestApp, sql: &str) {
    match &app.app.db {
        Db::Sqlite { write, .. } => sqlx::query(sql).execute(write).await.map(|_| ()),
        Db::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A ticket of `site`'s `residence` on 3 November, `n`-th of the day.
async fn ticket(app: &TestApp, site: &str, n: i64, status: &str, times: [Option<i64>; 4]) {
    let cell = |v: Option<i64>| v.map_or_else(|| "NULL".to_owned(), |v| v.to_string());
    let [issued, called, serving, finished] = times.map(cell);
    exec(
        app,
        &format!(
            "INSERT INTO tickets (id, site_id, service_id, origin_service_id, local_day, number,
                sequence, priority, source, status, counter_id, agent, recalls, close_reason,
                issued_at, called_at, serving_at, finished_at)
             VALUES ('{site}-t{n}', '{site}', 'residence', 'residence', '2026-11-03', 'A{n:03}',
                {n}, 'normal', 'kiosk', '{status}', NULL, NULL, 0, NULL,
                {issued}, {called}, {serving}, {finished})"
        ),
    )
    .await;
}

/// Province `casa`: `anfa` and `maarif`; province `rabat`: `agdal`. An
/// admin, and a province account `casa-head` for `casa`.
pub async fn provinces(backend: Backend) -> (TestApp, String) {
    let (app, _time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-20T10:00:00Z")
        .await;
    let admin = app.admin().await;
    provinces_in(&app, &admin).await;
    (app, admin)
}

/// The provinces, sites and account of [`provinces`] on a running `app`.
pub async fn provinces_in(app: &TestApp, admin: &str) {
    for site in ["anfa", "maarif", "agdal"] {
        open_site(app, admin, site, "Africa/Casablanca", 1).await;
    }
    for (id, name, sites) in [
        ("casa", "Préfecture de Casablanca", &["anfa", "maarif"][..]),
        ("rabat", "Préfecture de Rabat", &["agdal"][..]),
    ] {
        let body = json!({"name": name, "name_ar": "عمالة"});
        let saved = put(app, &format!("/api/v1/provinces/{id}"), Some(admin), body).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        for site in sites {
            let path = format!("/api/v1/provinces/{id}/sites/{site}");
            let added = put(app, &path, Some(admin), json!({})).await;
            assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        }
    }
    guichet::app::auth::add_province_user(&app.app, "casa-head", "casa", STAFF_PASSWORD)
        .await
        .expect("a province account");
}

/// On 3 November:
///
/// anfa: T1 09:00, called 09:04 (wait 240 s), served 09:05–09:10 (300 s);
/// T2 09:01, called 09:03 (120 s), served 09:03–09:13 (600 s); T3 09:02,
/// called 09:12 (600 s), no-show 09:14; T4 09:05, cancelled, never called.
/// Requests: one promised the 5th, ready the 4th (on time); one promised
/// the 4th, ready the 6th (late). Complaints: one due the 10th, answered
/// the 4th; one due the 4th, answered the 6th (late). Feedback 5 and 2,
/// and one never answered. Appointments: one honoured, one missed.
///
/// maarif: M1 10:00, called 10:01 (60 s), served 10:01–10:03 (120 s);
/// one appointment honoured. agdal (the other province): one ticket.
pub async fn history(app: &TestApp) {
    let t = |h: &str| Some(at(3, h));
    ticket(
        app,
        "anfa",
        1,
        "done",
        [t("09:00"), t("09:04"), t("09:05"), t("09:10")],
    )
    .await;
    ticket(
        app,
        "anfa",
        2,
        "done",
        [t("09:01"), t("09:03"), t("09:03"), t("09:13")],
    )
    .await;
    ticket(
        app,
        "anfa",
        3,
        "no_show",
        [t("09:02"), t("09:12"), None, t("09:14")],
    )
    .await;
    ticket(
        app,
        "anfa",
        4,
        "cancelled",
        [t("09:05"), None, None, t("09:06")],
    )
    .await;
    ticket(
        app,
        "maarif",
        1,
        "done",
        [t("10:00"), t("10:01"), t("10:01"), t("10:03")],
    )
    .await;
    ticket(
        app,
        "agdal",
        1,
        "done",
        [t("10:00"), t("11:00"), t("11:00"), t("11:30")],
    )
    .await;
    let filed = at(3, "09:00");
    for (id, promised, ready) in [
        ("r1", "2026-11-05", at(4, "10:00")),
        ("r2", "2026-11-04", at(6, "10:00")),
    ] {
        exec(app, &format!(
            "INSERT INTO document_requests (id, site_id, service_id, reference, token_hash, status,
                expected_ready_on, created_at, updated_at)
             VALUES ('{id}', 'anfa', 'residence', 'DEM-{id}', 'x{id}', 'ready', '{promised}', {filed}, {ready})"
        )).await;
        exec(app, &format!(
            "INSERT INTO request_history (request_id, step, status, at, actor)
             VALUES ('{id}', 0, 'submitted', {filed}, 'test'), ('{id}', 1, 'ready', {ready}, 'test')"
        )).await;
    }
    for (id, due, answered) in [
        ("c1", "2026-11-10", at(4, "12:00")),
        ("c2", "2026-11-04", at(6, "12:00")),
    ] {
        exec(app, &format!(
            "INSERT INTO complaints (id, site_id, reference, token_hash, subject, body, status, answer,
                answer_due_on, created_at, answered_at)
             VALUES ('{id}', 'anfa', 'REC-{id}', 'x{id}', 'Attente', 'Trop long', 'answered', 'Merci',
                '{due}', {filed}, {answered})"
        )).await;
    }
    for (token, rating) in [("f1", "5"), ("f2", "2"), ("f3", "NULL")] {
        exec(app, &format!(
            "INSERT INTO feedback (token_hash, site_id, service_id, agent, rating, created_at, answered_at)
             VALUES ('{token}', 'anfa', 'residence', NULL, {rating}, {filed}, NULL)"
        )).await;
    }
    for (id, site, status, checked) in [
        ("a1", "anfa", "done", "1"),
        ("a2", "anfa", "no_show", "NULL"),
        ("a3", "maarif", "done", "1"),
    ] {
        let start = at(3, "11:00");
        let checked = if checked == "1" {
            start.to_string()
        } else {
            checked.to_owned()
        };
        exec(
            app,
            &format!(
            "INSERT INTO appointments (id, site_id, service_id, mode, start_at, end_at, local_day,
                reference, manage_token_hash, status, created_at, updated_at, checked_in_at)
             VALUES ('{id}', '{site}', 'residence', 'in_person', {start}, {start} + 900000,
                '2026-11-03', 'RDV-{id}', 'x{id}', '{status}', {filed}, {filed}, {checked})"
        ),
        )
        .await;
    }
}
