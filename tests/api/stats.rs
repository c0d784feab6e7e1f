//! Statistics: a scripted day of two agents and two services at known
//! times, whose figures are computed by hand; the CSV matches the JSON;
//! who may read them; bad ranges.

use crate::support::sites::open_site;
use crate::support::tickets::{issue, kiosk};
use guichet::clock::ManualTime;
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    a_scripted_day_gives_the_hand_computed_figures,
    only_the_sites_supervisors_and_admins_read_them,
    bad_ranges_are_refused,
);

/// Sets the clock to `hh:mm` of 2026-11-23 UTC (10:mm, 11:mm in Paris).
fn at(time: &ManualTime, hh_mm: &str) {
    time.set(format!("2026-11-23T{hh_mm}:00Z").parse().expect("a time"));
}

async fn act(app: &TestApp, token: Option<&str>, ticket: &Value, action: &str) {
    let id = ticket["id"].as_str().expect("an id");
    let answer = app
        .post(&format!("/api/v1/tickets/{id}/{action}"), token, json!({}))
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{action}: {}", answer.body);
}

async fn call(app: &TestApp, agent: &str, counter: &str, ticket: &Value) {
    let answer = app
        .post(
            &format!("/api/v1/counters/{counter}/call"),
            Some(agent),
            json!({"ticket": ticket["id"]}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "call: {}", answer.body);
}

/// The day, in UTC (Paris is an hour ahead in November):
/// R1 residence issued 08:00, called by agent 1 08:04 (wait 240 s), served 08:05–08:10 (300 s);
/// R2 residence 08:01, agent 2 08:03 (120 s), served 08:03–08:13 (600 s);
/// S1 signature 08:02, agent 1 08:12 (600 s), recalled, no-show 08:14;
/// R3 residence 08:05, cancelled by its holder 08:06, never called;
/// S2 signature 09:10, agent 2 09:30 (1,200 s > its 15-minute target), completed 09:40 unstarted;
/// R4 residence 09:20, agent 1 09:21 (60 s), served 09:21–09:29 (480 s).
/// Then one more ticket the next day, outside the range asked for.
async fn scripted_day(backend: Backend) -> (TestApp, String) {
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T07:00:00Z")
        .await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Europe/Paris", 2).await;
    let target = app
        .patch(
            "/api/v1/sites/anfa/services/signature",
            Some(&admin),
            json!({"target_wait_minutes": 15}),
        )
        .await;
    assert_eq!(target.status, StatusCode::OK, "{}", target.body);
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let (a1, a2) = (agents[0].as_str(), agents[1].as_str());
    let ticket = |service: &'static str| {
        let (app, kiosk) = (&app, &kiosk);
        async move { issue(app, kiosk, "anfa", json!({"service": service})).await }
    };
    at(&time, "08:00");
    let r1 = ticket("residence").await;
    at(&time, "08:01");
    let r2 = ticket("residence").await;
    at(&time, "08:02");
    let s1 = ticket("signature").await;
    at(&time, "08:03");
    call(&app, a2, "anfa-g2", &r2).await;
    act(&app, Some(a2), &r2, "start").await;
    at(&time, "08:04");
    call(&app, a1, "anfa-g1", &r1).await;
    at(&time, "08:05");
    let r3 = ticket("residence").await;
    act(&app, Some(a1), &r1, "start").await;
    at(&time, "08:06");
    act(&app, None, &r3, "cancel").await;
    at(&time, "08:10");
    act(&app, Some(a1), &r1, "complete").await;
    at(&time, "08:12");
    call(&app, a1, "anfa-g1", &s1).await;
    at(&time, "08:13");
    act(&app, Some(a2), &r2, "complete").await;
    act(&app, Some(a1), &s1, "recall").await;
    at(&time, "08:14");
    act(&app, Some(a1), &s1, "no-show").await;
    at(&time, "09:10");
    let s2 = ticket("signature").await;
    at(&time, "09:20");
    let r4 = ticket("residence").await;
    at(&time, "09:21");
    call(&app, a1, "anfa-g1", &r4).await;
    act(&app, Some(a1), &r4, "start").await;
    at(&time, "09:29");
    act(&app, Some(a1), &r4, "complete").await;
    at(&time, "09:30");
    call(&app, a2, "anfa-g2", &s2).await;
    at(&time, "09:40");
    act(&app, Some(a2), &s2, "complete").await;
    time.set("2026-11-24T10:00:00Z".parse().expect("a time"));
    ticket("residence").await;
    // The morning's session has expired by now.
    let admin = app.admin().await;
    (app, admin)
}

fn figures(v: &Value) -> Value {
    json!({
        "issued": v["issued"], "served": v["served"], "no_shows": v["no_shows"],
        "cancelled": v["cancelled"], "mean_wait_seconds": v["mean_wait_seconds"],
        "median_wait_seconds": v["median_wait_seconds"], "p90_wait_seconds": v["p90_wait_seconds"],
        "mean_service_seconds": v["mean_service_seconds"],
    })
}

fn expected(counts: [i64; 4], waits: [Option<f64>; 3], service: Option<f64>) -> Value {
    json!({
        "issued": counts[0], "served": counts[1], "no_shows": counts[2], "cancelled": counts[3],
        "mean_wait_seconds": waits[0], "median_wait_seconds": waits[1], "p90_wait_seconds": waits[2],
        "mean_service_seconds": service,
    })
}

async fn a_scripted_day_gives_the_hand_computed_figures(backend: Backend) {
    let (app, admin) = scripted_day(backend).await;
    let path = "/api/v1/sites/anfa/stats?from=2026-11-23&to=2026-11-23";
    let answer = app.get(path, Some(&admin)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let stats = answer.body;
    assert_eq!(
        (
            &stats["site"],
            &stats["timezone"],
            &stats["from"],
            &stats["to"]
        ),
        (
            &json!("anfa"),
            &json!("Europe/Paris"),
            &json!("2026-11-23"),
            &json!("2026-11-23")
        )
    );
    // Waits 60, 120, 240, 600, 1200: mean 444, median (rank 3) 240, p90 (rank 5) 1200.
    // Service times 300, 600, 480: mean 460.
    let total = expected(
        [6, 4, 1, 1],
        [Some(444.0), Some(240.0), Some(1200.0)],
        Some(460.0),
    );
    assert_eq!(figures(&stats["totals"]), total);

    let services = stats["services"].as_array().expect("services");
    assert_eq!(services.len(), 2);
    let residence = &services[0];
    assert_eq!(residence["service"], "residence");
    assert_eq!(residence["name"], "Service residence");
    // Waits 60, 120, 240: median rank 2, p90 rank 3.
    assert_eq!(
        figures(residence),
        expected(
            [4, 3, 0, 1],
            [Some(140.0), Some(120.0), Some(240.0)],
            Some(460.0)
        )
    );
    assert_eq!(
        (&residence["target_wait_minutes"], &residence["over_target"]),
        (&json!(30), &json!(0))
    );
    let signature = &services[1];
    assert_eq!(signature["service"], "signature");
    assert_eq!(
        figures(signature),
        expected([2, 1, 1, 0], [Some(900.0), Some(600.0), Some(1200.0)], None)
    );
    assert_eq!(
        (&signature["target_wait_minutes"], &signature["over_target"]),
        (&json!(15), &json!(1))
    );

    // The holder's cancellation belongs to no agent.
    let agents = stats["agents"].as_array().expect("agents");
    let names: Vec<&str> = agents.iter().filter_map(|a| a["agent"].as_str()).collect();
    assert_eq!(names, ["anfa-agent1", "anfa-agent2"]);
    assert_eq!(
        figures(&agents[0]),
        expected(
            [3, 2, 1, 0],
            [Some(300.0), Some(240.0), Some(600.0)],
            Some(390.0)
        )
    );
    assert_eq!(
        figures(&agents[1]),
        expected(
            [2, 2, 0, 0],
            [Some(660.0), Some(120.0), Some(1200.0)],
            Some(600.0)
        )
    );

    // Local hours: 08:xx UTC is 09:xx in Paris.
    let hours = stats["hours"].as_array().expect("hours");
    assert_eq!(hours.len(), 24);
    for hour in hours {
        let h = hour["hour"].as_i64().expect("an hour");
        let want = match h {
            9 => json!({"hour": 9, "issued": 4, "served": 2, "mean_wait_seconds": 320.0}),
            10 => json!({"hour": 10, "issued": 2, "served": 2, "mean_wait_seconds": 630.0}),
            _ => json!({"hour": h, "issued": 0, "served": 0, "mean_wait_seconds": null}),
        };
        assert_eq!(hour, &want);
    }
    assert_eq!(
        stats["days"],
        json!([{"day": "2026-11-23", "issued": 6, "served": 4, "no_shows": 1, "mean_wait_seconds": 444.0}])
    );
    assert_eq!(stats["appointments"]["booked"], 0);
    assert_eq!(stats["appointments"]["no_show_rate"], Value::Null);
    assert_eq!(stats["feedback"]["mean_rating"], Value::Null);
    assert_eq!(stats["complaints"]["received"], 0);

    // The default range: the 30 local days ending today, the 24th.
    let recent = app.get("/api/v1/sites/anfa/stats", Some(&admin)).await;
    assert_eq!(recent.status, StatusCode::OK, "{}", recent.body);
    assert_eq!(
        (&recent.body["from"], &recent.body["to"]),
        (&json!("2026-10-26"), &json!("2026-11-24"))
    );
    let days = recent.body["days"].as_array().expect("days");
    assert_eq!(days.len(), 30);
    assert_eq!(days[29]["issued"], 1);
    assert_eq!(days[28]["issued"], 6);
    assert_eq!(days[0]["issued"], 0);
    assert_eq!(recent.body["totals"]["issued"], 7);

    csv_matches_json(&app, &admin, path, &stats).await;
}

/// The CSV parses, has one row per group, and each cell equals the JSON.
async fn csv_matches_json(app: &TestApp, admin: &str, path: &str, stats: &Value) {
    let response = app
        .http
        .get(format!("{}{path}&format=csv", app.base))
        .bearer_auth(admin)
        .send()
        .await
        .expect("CSV answered");
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| crate::support::forms::header(&response, name);
    assert_eq!(header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header("content-disposition"),
        "attachment; filename=\"stats-anfa-2026-11-23-2026-11-23.csv\""
    );
    let text = response.text().await.expect("CSV body");
    let (columns, rows) = crate::support::forms::csv_table(&text);
    let cell = |row: &[String], column: &str| -> Value {
        let i = columns.iter().position(|c| c == column).expect(column);
        let text = &row[i];
        if text.is_empty() {
            Value::Null
        } else {
            // Numbers as f64, so that `444` in the CSV equals `444.0` in the JSON.
            text.parse::<f64>()
                .map(|n| json!(n))
                .unwrap_or_else(|_| Value::String(text.clone()))
        }
    };
    let number = |value: &Value| value.as_f64().map_or(value.clone(), |n| json!(n));
    let find = |section: &str, key: &str| -> Vec<String> {
        rows.iter()
            .find(|r| r[0] == section && r[1] == key)
            .unwrap_or_else(|| panic!("no {section} {key} row"))
            .clone()
    };
    let numbers = [
        "issued",
        "served",
        "no_shows",
        "cancelled",
        "mean_wait_seconds",
        "median_wait_seconds",
        "p90_wait_seconds",
        "mean_service_seconds",
    ];
    let same = |row: &[String], json: &Value| {
        for column in numbers {
            assert_eq!(
                cell(row, column),
                number(&json[column]),
                "{column} of {row:?}"
            );
        }
    };
    same(&find("total", ""), &stats["totals"]);
    for service in stats["services"].as_array().expect("services") {
        let row = find("service", service["service"].as_str().expect("id"));
        same(&row, service);
        assert_eq!(cell(&row, "name"), service["name"]);
        assert_eq!(cell(&row, "over_target"), number(&service["over_target"]));
    }
    for agent in stats["agents"].as_array().expect("agents") {
        same(
            &find("agent", agent["agent"].as_str().expect("name")),
            agent,
        );
    }
    for hour in stats["hours"].as_array().expect("hours") {
        let row = find("hour", &hour["hour"].to_string());
        for column in ["issued", "served", "mean_wait_seconds"] {
            assert_eq!(cell(&row, column), number(&hour[column]), "hour {column}");
        }
    }
    for day in stats["days"].as_array().expect("days") {
        let row = find("day", day["day"].as_str().expect("day"));
        for column in ["issued", "served", "no_shows", "mean_wait_seconds"] {
            assert_eq!(cell(&row, column), number(&day[column]), "day {column}");
        }
    }
    // And the document requests' total and services (none made ready),
    // the four channels and the remote tickets' two waits.
    let expected_rows = 1 + 2 + 2 + 24 + 1 + 1 + 2 + 4 + 2;
    assert_eq!(rows.len(), expected_rows);
}

async fn only_the_sites_supervisors_and_admins_read_them(backend: Backend) {
    let (app, _) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T07:00:00Z")
        .await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    open_site(&app, &admin, "maarif", "Africa/Casablanca", 0).await;
    let supervisor = app.add_staff("chef-anfa", Role::Supervisor, "anfa").await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let stats = |site: &str| format!("/api/v1/sites/{site}/stats");
    let status = |answer: guichet_test_support::Answer| (answer.status, answer.code().to_owned());
    assert_eq!(
        app.get(&stats("anfa"), Some(&supervisor)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&stats("maarif"), Some(&admin)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        status(app.get(&stats("maarif"), Some(&supervisor)).await),
        (StatusCode::FORBIDDEN, "forbidden".to_owned())
    );
    assert_eq!(
        app.get(&stats("anfa"), Some(&agents[0])).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&stats("anfa"), Some(&kiosk)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&stats("anfa"), None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get(&stats("nowhere"), Some(&admin)).await.status,
        StatusCode::NOT_FOUND
    );
}

async fn bad_ranges_are_refused(backend: Backend) {
    let (app, _) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T07:00:00Z")
        .await;
    let admin = app.admin().await;
    open_site(&app, &admin, "anfa", "Africa/Casablanca", 0).await;
    for (query, code) in [
        ("from=2026-11-02&to=2026-11-01", "invalid_range"),
        ("from=2025-01-01&to=2026-01-02", "invalid_range"),
        ("from=2026-13-01&to=2026-11-01", "invalid_from"),
        ("from=2026-11-01&to=tomorrow", "invalid_to"),
        ("from=2026-11-01&to=2026-11-30&format=xml", "invalid_format"),
        ("since=2026-11-01", "invalid_query"),
    ] {
        let answer = app
            .get(&format!("/api/v1/sites/anfa/stats?{query}"), Some(&admin))
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{query}: {}",
            answer.body
        );
    }
    let year = app
        .get(
            "/api/v1/sites/anfa/stats?from=2026-01-01&to=2027-01-01",
            Some(&admin),
        )
        .await;
    assert_eq!(year.status, StatusCode::OK, "366 days: {}", year.body);
    assert_eq!(year.body["days"].as_array().map(Vec::len), Some(366));
}
