//! The public figures of an office (`GET /api/v1/sites/{site}/public-stats`
//! and the page `/stats/{site}`) on eight scripted weeks with an injected
//! clock, in Casablanca across its move from UTC+1 to UTC+0: waits and
//! processing times equal the hand-computed medians, the coming days'
//! busiest and quietest hours match the scripted arrivals, and nothing
//! personal or per agent is ever shown.

use crate::support::browser::{Browser, PHONE};
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, STAFF_PASSWORD, TestApp};
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;

on_both_backends!(
    figures_match_the_scripted_weeks_and_show_nothing_personal,
    unknown_site_is_404,
);

const SITE: &str = "hay";
const ZONE: &str = "Africa/Casablanca";
const AGENT: &str = "agent-zed";
const TICKET_PHONE: &str = "+212699887766";
const REQUEST_PHONE: &str = "+212611223344";
/// The day the figures are read: a Monday morning, before opening.
const TODAY: &str = "2026-11-02T07:00";

/// One scripted step, at a local time of the office.
enum Step {
    /// A ticket taken; `key` names it for a later call.
    Issue {
        key: String,
        service: &'static str,
    },
    /// The ticket called at the counter, then served.
    Call {
        key: String,
    },
    /// A document request filed for `residence`.
    File {
        key: String,
    },
    Ready {
        key: String,
    },
}

fn at(local: &str) -> jiff::Timestamp {
    let zone = TimeZone::get(ZONE).expect("zone");
    local
        .parse::<DateTime>()
        .expect("a local time")
        .to_zoned(zone)
        .expect("a time that exists")
        .timestamp()
}

/// Eight Mondays (7 September – 26 October, across the offset change of
/// 20 September) of arrivals for `signature`, never called: 2 at 9 o'clock,
/// 3 (first four weeks) or 5 (last four) at 10, and 2 at 11 every other
/// week. Averages: 9h 2.0, 10h 4.0, 11h 1.0.
fn mondays(steps: &mut Vec<(String, Step)>) {
    let mondays = [
        "2026-09-07",
        "2026-09-14",
        "2026-09-21",
        "2026-09-28",
        "2026-10-05",
        "2026-10-12",
        "2026-10-19",
        "2026-10-26",
    ];
    for (week, day) in mondays.iter().enumerate() {
        let mut times = vec!["09:10".to_owned(), "09:40".to_owned()];
        let at_ten = if week < 4 { 3 } else { 5 };
        times.extend((0..at_ten).map(|i| format!("10:{:02}", i * 10)));
        if week % 2 == 1 {
            times.extend(["11:10".to_owned(), "11:40".to_owned()]);
        }
        for (i, time) in times.iter().enumerate() {
            let key = format!("{day}-{i}");
            let step = Step::Issue {
                key,
                service: "signature",
            };
            steps.push((format!("{day}T{time}"), step));
        }
    }
}

/// Tickets called after a known wait, on Tuesdays: for `residence` 11 in
/// the last 30 days (median 12 min, 90th percentile 30 min) and one of
/// 100 min on 29 September, before them; for `signature` only 3.
fn waits(steps: &mut Vec<(String, Step)>) {
    let days: [(&str, &str, &[i64]); 5] = [
        ("2026-09-29", "residence", &[100]),
        ("2026-10-06", "residence", &[3, 5, 7, 8, 10, 12]),
        ("2026-10-13", "residence", &[15, 20, 25, 30]),
        ("2026-10-20", "residence", &[45]),
        ("2026-10-27", "signature", &[1, 2, 3]),
    ];
    for (day, service, minutes) in days {
        let mut clock = at(&format!("{day}T09:00"));
        for (i, wait) in minutes.iter().enumerate() {
            let key = format!("{day}-{service}-{i}");
            let called = clock + jiff::SignedDuration::from_mins(*wait);
            steps.push((
                local(clock),
                Step::Issue {
                    key: key.clone(),
                    service,
                },
            ));
            steps.push((local(called), Step::Call { key }));
            clock = called + jiff::SignedDuration::from_mins(1);
        }
    }
}

/// Requests for `residence` (promised in 3 working days; the office works
/// Mondays and Tuesdays) ready after 1, 2, 2, 3, 3 and 6 working days:
/// median 2.5, and the last one late (5 of 6 on time, 83 %).
fn requests(steps: &mut Vec<(String, Step)>) {
    let cases = [
        ("2026-10-05", "2026-10-06"),
        ("2026-10-05", "2026-10-12"),
        ("2026-10-12", "2026-10-19"),
        ("2026-10-12", "2026-10-20"),
        ("2026-10-19", "2026-10-27"),
        ("2026-10-05", "2026-10-26"),
    ];
    for (i, (filed, ready)) in cases.iter().enumerate() {
        let key = format!("request-{i}");
        steps.push((format!("{filed}T11:5{i}"), Step::File { key: key.clone() }));
        steps.push((format!("{ready}T08:3{i}"), Step::Ready { key }));
    }
}

fn local(at: jiff::Timestamp) -> String {
    at.to_zoned(TimeZone::get(ZONE).expect("zone"))
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

async fn office(app: &TestApp, admin: &str) {
    let body = json!({"id": SITE, "name": "Annexe Hay Riad", "name_ar": "ملحقة حي الرياض",
        "timezone": ZONE, "verify_phone": false, "closures": ["2026-11-03"],
        "opening_hours": {"mon": [["09:00", "12:00"]], "tue": [["09:00", "11:00"]]}});
    let created = app.post("/api/v1/sites", Some(admin), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    for (id, prefix, days) in [("residence", "A", 3), ("signature", "B", 0)] {
        let body = json!({"id": id, "prefix": prefix, "name": format!("Service {id}"),
            "name_ar": format!("خدمة {id}"), "service_minutes": 5, "processing_days": days});
        let answer = app
            .post(&format!("/api/v1/sites/{SITE}/services"), Some(admin), body)
            .await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    }
    let counter =
        json!({"id": "hay-g1", "label": "Guichet 1", "services": ["residence", "signature"]});
    let answer = app
        .post(
            &format!("/api/v1/sites/{SITE}/counters"),
            Some(admin),
            counter,
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
}

/// Runs the steps in time order; returns every ticket id and request
/// reference handed out, which the public figures must never show.
async fn play(
    app: &TestApp,
    time: &guichet::clock::ManualTime,
    mut steps: Vec<(String, Step)>,
) -> Vec<String> {
    steps.sort_by(|a, b| a.0.cmp(&b.0));
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut agent = (String::new(), String::new());
    for (when, step) in steps {
        time.set(at(&when));
        // Sessions last 12 hours: the agent logs in each day.
        let day = when[..10].to_owned();
        if agent.0 != day {
            let first = agent.0.is_empty();
            agent = (day, app.login(AGENT, STAFF_PASSWORD).await);
            if first {
                let opened = app
                    .post("/api/v1/counters/hay-g1/open", Some(&agent.1), json!({}))
                    .await;
                assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
            }
        }
        let token = Some(agent.1.as_str());
        match step {
            Step::Issue { key, service } => {
                let body = json!({"service": service, "phone": TICKET_PHONE});
                let answer = app
                    .post(&format!("/api/v1/sites/{SITE}/tickets"), token, body)
                    .await;
                assert_eq!(
                    answer.status,
                    StatusCode::CREATED,
                    "{when}: {}",
                    answer.body
                );
                ids.insert(key, text(&answer.body, "id"));
            }
            Step::Call { key } => {
                let id = &ids[&key];
                let called = app
                    .post("/api/v1/counters/hay-g1/call", token, json!({"ticket": id}))
                    .await;
                assert_eq!(called.status, StatusCode::OK, "{when}: {}", called.body);
                let done = app
                    .post(&format!("/api/v1/tickets/{id}/complete"), token, json!({}))
                    .await;
                assert_eq!(done.status, StatusCode::OK, "{when}: {}", done.body);
            }
            Step::File { key } => {
                let body = json!({"service": "residence", "name": "Amina Bennani", "phone": REQUEST_PHONE});
                let filed = app
                    .post(&format!("/api/v1/sites/{SITE}/requests"), None, body)
                    .await;
                assert_eq!(filed.status, StatusCode::CREATED, "{when}: {}", filed.body);
                ids.insert(key, text(&filed.body, "reference"));
            }
            Step::Ready { key } => {
                let path = format!("/api/v1/requests/{}/status", ids[&key]);
                let ready = app.post(&path, token, json!({"status": "ready"})).await;
                assert_eq!(ready.status, StatusCode::OK, "{when}: {}", ready.body);
            }
        }
    }
    ids.into_values().collect()
}

fn text(body: &Value, field: &str) -> String {
    body[field].as_str().unwrap_or_default().to_owned()
}

/// The office after its eight scripted weeks, on the morning of `TODAY`,
/// with the ticket ids and request references it handed out.
async fn scripted(backend: Backend) -> (TestApp, Vec<String>) {
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-09-07T06:00:00Z")
        .await;
    let admin = app.admin().await;
    office(&app, &admin).await;
    app.add_staff(AGENT, Role::Agent, SITE).await;
    let mut steps = Vec::new();
    mondays(&mut steps);
    waits(&mut steps);
    requests(&mut steps);
    let handed_out = play(&app, &time, steps).await;
    time.set(at(TODAY));
    (app, handed_out)
}

async fn figures_match_the_scripted_weeks_and_show_nothing_personal(backend: Backend) {
    let (app, handed_out) = scripted(backend).await;

    let answer = app
        .get(&format!("/api/v1/sites/{SITE}/public-stats"), None)
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let stats = &answer.body;
    assert_eq!(
        (stats["from"].as_str(), stats["to"].as_str()),
        (Some("2026-10-03"), Some("2026-11-01"))
    );
    let service = |id: &str| {
        stats["services"]
            .as_array()
            .and_then(|list| list.iter().find(|s| s["id"] == id))
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {stats}"))
    };
    // The 100-minute wait of 29 September is older than 30 days.
    let residence = service("residence");
    assert_eq!(residence["wait"]["tickets"], 11, "{residence}");
    assert_eq!(residence["wait"]["enough_data"], true);
    assert_eq!(residence["wait"]["median_minutes"], 12);
    assert_eq!(residence["wait"]["p90_minutes"], 30);
    let processing = &residence["processing"];
    assert_eq!(processing["requests"], 6, "{processing}");
    assert_eq!(processing["median_days"], 2.5);
    assert_eq!(processing["promised_days"], 3);
    assert_eq!(processing["on_time_percent"], 83);
    // Three called tickets are too few to say anything.
    let signature = service("signature");
    assert_eq!(signature["wait"]["tickets"], 3, "{signature}");
    assert_eq!(signature["wait"]["enough_data"], false);
    assert!(signature["wait"]["median_minutes"].is_null());
    assert!(signature["processing"].is_null(), "no requests for it");

    // Today Monday, then Tuesday 3 November is closed.
    let days = stats["coming_days"].as_array().expect("coming days");
    let dates: Vec<&str> = days.iter().filter_map(|d| d["date"].as_str()).collect();
    assert_eq!(
        dates,
        [
            "2026-11-02",
            "2026-11-09",
            "2026-11-10",
            "2026-11-16",
            "2026-11-17",
            "2026-11-23",
            "2026-11-24"
        ]
    );
    let monday = &days[0];
    let expected: Vec<(i64, f64)> = monday["hours"]
        .as_array()
        .expect("hours")
        .iter()
        .map(|h| {
            (
                h["hour"].as_i64().unwrap_or(-1),
                h["expected_arrivals"].as_f64().unwrap_or(-1.0),
            )
        })
        .collect();
    assert_eq!(expected, [(9, 2.0), (10, 4.0), (11, 1.0)], "{monday}");
    assert_eq!(monday["busiest_hour"], 10);
    assert_eq!(monday["quietest_hour"], 11);

    let mut pages = Vec::new();
    for lang in ["fr", "ar", "en"] {
        let page = app
            .http
            .get(format!("{}/stats/{SITE}?lang={lang}", app.base))
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), StatusCode::OK);
        pages.push(page.text().await.expect("page read"));
    }
    let (fr, ar) = (&pages[0], &pages[1]);
    assert!(
        fr.contains("En général 12 min d&#39;attente ; 9 personnes sur 10 moins de 30 min"),
        "{fr}"
    );
    assert!(
        fr.contains("Pas assez de données pour l&#39;attente : seulement 3 passages au guichet"),
        "{fr}"
    );
    assert!(
        fr.contains(
            "Document prêt en général en 2,5 jours ouvrables ; délai annoncé : 3 jours ouvrables"
        ),
        "{fr}"
    );
    assert!(fr.contains("lundi 2 novembre 2026"), "{fr}");
    assert!(
        fr.contains(r#"<tr class="busiest"><th scope="row"><bdi dir="ltr">10:00–11:00</bdi>"#),
        "{fr}"
    );
    assert!(
        fr.contains(r#"<tr class="quietest"><th scope="row"><bdi dir="ltr">11:00–12:00</bdi>"#),
        "{fr}"
    );
    assert!(ar.contains(r#"<html lang="ar" dir="rtl">"#));
    assert!(ar.contains("عادة 12 دقيقة من الانتظار"), "{ar}");
    assert!(ar.contains("ملحقة حي الرياض"), "{ar}");
    assert!(pages[2].contains("Usually a 12 min wait"), "{}", pages[2]);

    // Nothing personal, nothing per agent, anywhere.
    let json = answer.body.to_string();
    for text in std::iter::once(&json).chain(&pages) {
        for secret in [
            AGENT,
            TICKET_PHONE,
            "699887766",
            REQUEST_PHONE,
            "611223344",
            "Amina",
            "hay-g1",
            "Guichet 1",
        ] {
            assert!(!text.contains(secret), "{secret} shown");
        }
        for id in &handed_out {
            assert!(!text.contains(id.as_str()), "{id} shown");
        }
    }
    let openapi = app.get("/api/v1/openapi.json", None).await;
    assert!(
        openapi.body["paths"]["/api/v1/sites/{site}/public-stats"]["get"].is_object(),
        "the API documents it"
    );
    // The office's page links to its figures.
    let office = app
        .http
        .get(format!("{}/sites/{SITE}", app.base))
        .send()
        .await
        .expect("page");
    assert!(
        office
            .text()
            .await
            .expect("page read")
            .contains(&format!("href=\"/stats/{SITE}\""))
    );
}

async fn unknown_site_is_404(backend: Backend) {
    let (app, _) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-02T07:00:00Z")
        .await;
    let answer = app.get("/api/v1/sites/nowhere/public-stats", None).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
    assert_eq!(answer.code(), "not_found");
    let page = app
        .http
        .get(format!("{}/stats/nowhere?lang=ar", app.base))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

/// On a phone, in French and in Arabic: the page fits the screen's width,
/// the busiest hour's bar is longer than the quietest's, and in Arabic the
/// bars start from the right. Screenshots: `public-stats-{fr,ar}` and
/// `public-stats-{fr,ar}-hours`.
#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_page_reads_on_a_phone_in_french_and_arabic() {
    let _turn = crate::support::browser::turn().await;
    let (app, _) = scripted(Backend::Sqlite).await;
    let browser = Browser::open(PHONE).await;
    for lang in ["fr", "ar"] {
        browser
            .goto(&format!("{}/stats/{SITE}?lang={lang}", app.base))
            .await;
        let layout = browser
            .eval(
                "const box = s => document.querySelector(s).getBoundingClientRect();
                 return [box('.busiest .bar').width, box('.quietest .bar').width,
                         box('.busiest .bar').left - box('.busiest .count').left,
                         document.documentElement.scrollWidth];",
            )
            .await;
        let number = |i: usize| layout[i].as_f64().unwrap_or(f64::NAN);
        let (busiest, quietest, bar_after_count, page_width) =
            (number(0), number(1), number(2), number(3));
        assert!(busiest > quietest && quietest > 0.0, "{lang}: {layout}");
        assert!(page_width <= f64::from(PHONE.0), "{lang}: {layout}");
        if lang == "ar" {
            assert!(
                bar_after_count > 0.0,
                "the bar starts from the right: {layout}"
            );
        } else {
            assert!(
                bar_after_count < 0.0,
                "the bar starts from the left: {layout}"
            );
        }
        browser.screenshot(&format!("public-stats-{lang}")).await;
        browser
            .eval("document.getElementById('coming').scrollIntoView(); return null;")
            .await;
        browser
            .screenshot(&format!("public-stats-{lang}-hours"))
            .await;
    }
    browser.close().await;
}
