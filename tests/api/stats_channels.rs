//! Statistics by channel: tickets from the kiosk, the desk, a phone (remote
//! join) and an appointment's check-in, served at known times on a manual
//! clock; the JSON, the CSV and the statistics page give each channel's
//! hand-computed counts and waits, the remote tickets' wait at home and in
//! the lobby and the lapsed one. The public figures then say how long
//! people waited from home and in the lobby, once ten remote tickets did.

use crate::support::desk::code_of;
use crate::support::office::{Office, casablanca_office};
use crate::support::pages::{page, row};
use crate::support::tickets::{issue, kiosk};
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    each_channel_has_its_counts_and_waits,
    public_figures_tell_the_wait_at_home_and_in_the_lobby,
);

const DAY: &str = "2026-11-23";

/// Casablanca is on UTC all year now: local times are UTC.
fn at(office: &Office, hh_mm: &str) {
    office.set_time(&format!("{DAY}T{hh_mm}:00Z"));
}

/// A phone joins the passport queue from the portal, with its code.
async fn join(office: &Office, phone: &str) -> Value {
    let code = code_of(&office.app, phone).await;
    let path = format!("/api/v1/sites/{}/queue/join", office.site);
    let body = json!({"service": "passport", "phone": phone, "otp": code});
    let joined = office.app.post(&path, None, body).await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    joined.body
}

/// A ticket for `passport` from the kiosk, or the desk (an agent).
async fn walk_in(office: &Office, token: &str) -> Value {
    let body = json!({"service": "passport"});
    issue(&office.app, token, &office.site, body).await
}

/// The kiosk checks a remote ticket in.
async fn present(app: &TestApp, kiosk: &str, ticket: &Value) {
    let id = ticket["id"].as_str().expect("an id");
    let path = format!("/api/v1/tickets/{id}/present");
    let answer = app.post(&path, Some(kiosk), json!({})).await;
    assert_eq!(answer.status, StatusCode::OK, "present: {}", answer.body);
}

/// The agent calls this very ticket, and serves it at once.
async fn serve(office: &Office, ticket: &Value) {
    let (app, agent) = (&office.app, office.agent.as_str());
    let called = app
        .post(
            "/api/v1/counters/agdal-g1/call",
            Some(agent),
            json!({"ticket": ticket["id"]}),
        )
        .await;
    assert_eq!(called.status, StatusCode::OK, "call: {}", called.body);
    let id = ticket["id"].as_str().expect("an id");
    let done = app
        .post(
            &format!("/api/v1/tickets/{id}/complete"),
            Some(agent),
            json!({}),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "complete: {}", done.body);
}

async fn with_remote_open(office: &Office) {
    let path = format!("/api/v1/sites/{}/services/passport", office.site);
    let body = json!({"remote_share_percent": 100});
    let patched = office.app.patch(&path, Some(&office.admin), body).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
}

fn phone(i: usize) -> String {
    format!("+2126123456{i:02}")
}

/// The day, local (= UTC):
/// K1 kiosk 08:00, called 08:05 (300 s); K2 kiosk 08:01, called 08:11 (600 s);
/// D1 desk 08:02, called 08:22 (1,200 s);
/// R1 joined 08:00, present 08:18 (home 1,080 s), called 08:26 (lobby 480 s, 1,560 s):
/// held aside when K1 was called at 08:05, it came within the 15 minutes' grace;
/// R2 joined 08:01, present 08:10 (home 540 s), called 08:14 (lobby 240 s, 780 s);
/// R3 joined 08:00, never came: held once K2 was called, lapsed after the grace;
/// A1 booked for 08:30, checked in at the kiosk 08:20, called 08:30 (600 s).
async fn each_channel_has_its_counts_and_waits(backend: Backend) {
    let office = casablanca_office(backend, &format!("{DAY}T07:55:00Z")).await;
    with_remote_open(&office).await;
    let app = &office.app;
    let kiosk = kiosk(app, &office.admin, &office.site).await;
    let booked = office
        .book(&format!("{DAY}T08:30:00+00:00"), &phone(90))
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let reference = booked.body["reference"].as_str().expect("reference");

    at(&office, "08:00");
    let r3 = join(&office, &phone(3)).await;
    let k1 = walk_in(&office, &kiosk).await;
    let r1 = join(&office, &phone(1)).await;
    at(&office, "08:01");
    let k2 = walk_in(&office, &kiosk).await;
    let r2 = join(&office, &phone(2)).await;
    at(&office, "08:02");
    let d1 = walk_in(&office, &office.agent).await;
    at(&office, "08:05");
    serve(&office, &k1).await;
    at(&office, "08:10");
    present(app, &kiosk, &r2).await;
    at(&office, "08:11");
    serve(&office, &k2).await;
    at(&office, "08:14");
    serve(&office, &r2).await;
    at(&office, "08:18");
    // By its number this time, as a kiosk does from the SMS.
    let number = r1["number"].as_str().expect("a number");
    let checked = office.check_in(&kiosk, number).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.body);
    at(&office, "08:20");
    let path = format!("/api/v1/appointments/{reference}/check-in");
    let checked_in = app.post(&path, Some(&kiosk), json!({})).await;
    assert_eq!(
        checked_in.status,
        StatusCode::CREATED,
        "{}",
        checked_in.body
    );
    let a1 = checked_in.body;
    at(&office, "08:22");
    serve(&office, &d1).await;
    at(&office, "08:26");
    serve(&office, &r1).await;
    at(&office, "08:30");
    serve(&office, &a1).await;
    lapse(&office, &r3).await;

    let path = format!("/api/v1/sites/{}/stats?from={DAY}&to={DAY}", office.site);
    let answer = app.get(&path, Some(&office.admin)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let stats = answer.body;
    let channel = |issued: i64, served: i64, no_shows: i64, waits: [Option<f64>; 3]| {
        json!({"issued": issued, "served": served, "no_shows": no_shows, "cancelled": 0,
            "waited": served, "mean_wait_seconds": waits[0],
            "median_wait_seconds": waits[1], "p90_wait_seconds": waits[2]})
    };
    let expected = [
        (
            "kiosk",
            channel(2, 2, 0, [Some(450.0), Some(300.0), Some(600.0)]),
        ),
        ("desk", channel(1, 1, 0, [Some(1200.0); 3])),
        (
            "remote",
            channel(3, 2, 1, [Some(1170.0), Some(780.0), Some(1560.0)]),
        ),
        ("appointment", channel(1, 1, 0, [Some(600.0); 3])),
    ];
    let channels = stats["channels"].as_array().expect("channels");
    assert_eq!(channels.len(), 4, "{channels:?}");
    for ((name, mut want), got) in expected.into_iter().zip(channels) {
        want["channel"] = json!(name);
        assert_eq!(got, &want, "{name}");
    }
    assert_eq!(
        stats["remote"],
        json!({"issued": 3, "present": 2, "lapsed": 1, "no_show_share": 0.333,
            "from_home": {"tickets": 2, "median_seconds": 540.0, "p90_seconds": 1080.0},
            "in_lobby": {"tickets": 2, "median_seconds": 240.0, "p90_seconds": 480.0}})
    );
    // Every ticket of the day is in one channel.
    assert_eq!(stats["totals"]["issued"], 7);

    // The CSV says the same.
    let csv = app
        .http
        .get(format!("{}{path}&format=csv", app.base))
        .bearer_auth(&office.admin)
        .send()
        .await
        .expect("CSV answered");
    assert_eq!(csv.status(), StatusCode::OK);
    let (columns, rows) = crate::support::forms::csv_table(&csv.text().await.expect("CSV"));
    let cell = |section: &str, key: &str, column: &str| -> String {
        let i = columns.iter().position(|c| c == column).expect(column);
        let row = rows
            .iter()
            .find(|r| r[0] == section && r[1] == key)
            .unwrap_or_else(|| panic!("no {section} {key} row"));
        row[i].clone()
    };
    assert_eq!(cell("channel", "remote", "issued"), "3");
    assert_eq!(cell("channel", "remote", "median_wait_seconds"), "780");
    assert_eq!(cell("channel", "remote", "lapsed"), "1");
    assert_eq!(cell("channel", "remote", "no_show_share"), "0.333");
    assert_eq!(cell("channel", "desk", "p90_wait_seconds"), "1200");
    assert_eq!(cell("channel", "appointment", "waited"), "1");
    assert_eq!(cell("channel", "kiosk", "lapsed"), "");
    assert_eq!(cell("remote_wait", "home", "median_wait_seconds"), "540");
    assert_eq!(cell("remote_wait", "lobby", "p90_wait_seconds"), "480");
    assert_eq!(cell("remote_wait", "lobby", "waited"), "2");

    // The statistics page, in French and in Arabic: minutes with a comma.
    let path = format!("/admin/stats/{}?from={DAY}&to={DAY}", office.site);
    let (status, html, _) = page(app, &path, Some(&office.admin)).await;
    assert_eq!(status, StatusCode::OK);
    let remote = row(&html, "channel-remote");
    assert!(remote.contains("À distance"), "{remote}");
    assert!(remote.contains(">13<"), "median 780 s: {remote}");
    assert!(remote.contains(">26<"), "p90 1,560 s: {remote}");
    let home = row(&html, "remote-home");
    assert!(home.contains(">9<") && home.contains(">18<"), "{home}");
    let lobby = row(&html, "remote-lobby");
    assert!(lobby.contains(">4<") && lobby.contains(">8<"), "{lobby}");
    assert!(html.contains("id=\"remote-lapsed\">1<"), "lapsed shown");
    assert!(html.contains("33,3 %"), "the no-show share");
    let (_, arabic, _) = page(app, &format!("{path}&lang=ar"), Some(&office.admin)).await;
    assert!(row(&arabic, "channel-remote").contains("عن بعد"));
    assert!(row(&arabic, "channel-appointment").contains("موعد"));
}

/// Lets the absent remote ticket's grace run out (15 minutes from being
/// held, at 08:30 at the latest) and the queue's sweep lapse it.
async fn lapse(office: &Office, ticket: &Value) {
    office.sweep().await;
    at(office, "09:00");
    office.sweep().await;
    let id = ticket["id"].as_str().expect("an id");
    let read = office.app.get(&format!("/api/v1/tickets/{id}"), None).await;
    assert_eq!(read.body["status"], "no_show", "{}", read.body);
}

/// Ten remote tickets on a Monday and three kiosk tickets, read the next
/// morning: at home 20, 22, …, 38 minutes (median 29), in the lobby 40,
/// 42, …, 58 (median 49); everyone in the lobby: those ten and the kiosk's
/// three of 110 minutes (median of 13: the 7th, 52).
async fn public_figures_tell_the_wait_at_home_and_in_the_lobby(backend: Backend) {
    let office = casablanca_office(backend, &format!("{DAY}T07:55:00Z")).await;
    with_remote_open(&office).await;
    let app = &office.app;
    let kiosk = kiosk(app, &office.admin, &office.site).await;
    let mut remote = Vec::new();
    let mut walk_ins = Vec::new();
    for i in 0..10 {
        at(&office, &format!("08:{i:02}"));
        remote.push(join(&office, &phone(i)).await);
        if i < 3 {
            walk_ins.push(issue(app, &kiosk, &office.site, json!({"service": "passport"})).await);
        }
    }
    for (i, ticket) in remote.iter().enumerate() {
        // Joined at 08:0i, present at 08:(20 + 3i): after 20 + 2i minutes.
        let minutes = 20 + 3 * i;
        at(&office, &format!("08:{minutes:02}"));
        present(app, &kiosk, ticket).await;
    }
    for (i, ticket) in remote.iter().enumerate() {
        // Called at 09:00 + 5i: in the lobby 40 + 2i minutes.
        at(&office, &format!("09:{:02}", 5 * i));
        serve(&office, ticket).await;
    }
    for (i, ticket) in walk_ins.iter().enumerate() {
        at(&office, &format!("09:{:02}", 50 + i));
        serve(&office, ticket).await;
    }

    office.set_time("2026-11-24T07:00:00Z");
    let path = format!("/api/v1/sites/{}/public-stats", office.site);
    let answer = app.get(&path, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(
        answer.body["home_and_lobby"],
        json!({"remote_tickets": 10, "enough_data": true, "remote_home_median_minutes": 29,
            "remote_lobby_median_minutes": 49, "lobby_median_minutes": 52})
    );
    let html = app
        .http
        .get(format!("{}/stats/{}", app.base, office.site))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    let start = html.find("id=\"home-and-lobby\"").expect("the section");
    let end = start + html[start..].find("</section>").expect("its end");
    let section = &html[start..end];
    assert!(
        section.contains("Chez soi : en général 29 min"),
        "{section}"
    );
    assert!(section.contains(" : en général 49 min"), "{section}");
    assert!(section.contains("de 52 min"), "{section}");
    assert!(
        section.contains("Tickets pris à distance : 10."),
        "{section}"
    );
}
