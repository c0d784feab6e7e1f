//! The coming days' hours on `/stats/{site}` at an office open around the
//! clock: only hours with enough expected arrivals are listed (no rows of
//! zeros, no "calmest: 00:00–01:00"), and without any history "not enough
//! data" is said once; in Arabic the period reads from its first day.
//! Screenshots: `public-stats-hours-{fr,ar}-phone`.

use crate::support::browser::{Browser, PHONE};
use guichet::domain::role::Role;
use guichet_test_support::{STAFF_PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::json;

const SITE: &str = "sidi";
const AGENT: &str = "sidi-agent";
/// Monday 2 November 2026, 07:00 UTC: the figures are read then.
const TODAY: &str = "2026-11-02T07:00:00Z";

/// An office open every day, all day, in UTC, with one counter.
async fn office(app: &TestApp) {
    let admin = app.admin().await;
    let hours = guichet_test_support::around_the_clock();
    let site = json!({"id": SITE, "name": "Annexe Sidi Maârouf", "name_ar": "ملحقة سيدي معروف",
        "timezone": "UTC", "opening_hours": hours, "verify_phone": false});
    let created = app.post("/api/v1/sites", Some(&admin), site).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let service = json!({"id": "residence", "prefix": "A", "name": "Certificat de résidence",
        "name_ar": "شهادة السكنى", "service_minutes": 5});
    let created = app
        .post(
            &format!("/api/v1/sites/{SITE}/services"),
            Some(&admin),
            service,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let counter = json!({"id": "sidi-g1", "label": "Guichet 1", "services": ["residence"]});
    let created = app
        .post(
            &format!("/api/v1/sites/{SITE}/counters"),
            Some(&admin),
            counter,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    app.add_staff(AGENT, Role::Agent, SITE).await;
}

/// Eight past Mondays with two arrivals at 10 o'clock and one at 11.
async fn history(app: &TestApp, time: &guichet::clock::ManualTime) {
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
    for day in mondays {
        time.set(format!("{day}T09:00:00Z").parse().expect("time"));
        let agent = app.login(AGENT, STAFF_PASSWORD).await;
        for clock in ["10:10", "10:40", "11:20"] {
            time.set(format!("{day}T{clock}:00Z").parse().expect("time"));
            let body = json!({"service": "residence"});
            let answer = app
                .post(&format!("/api/v1/sites/{SITE}/tickets"), Some(&agent), body)
                .await;
            assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        }
    }
    time.set(TODAY.parse().expect("time"));
}

async fn page(app: &TestApp, lang: &str) -> String {
    let page = app
        .http
        .get(format!("{}/stats/{SITE}?lang={lang}", app.base))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    page.text().await.expect("page read")
}

#[tokio::test]
async fn without_history_not_enough_data_is_said_once_and_no_hour_is_listed() {
    let (app, _) = TestApp::builder().spawn_at(TODAY).await;
    office(&app).await;
    let fr = page(&app, "fr").await;
    let said = fr.matches("Pas encore assez de données").count();
    assert_eq!(said, 1, "{fr}");
    assert!(!fr.contains(r#"<th scope="row">"#), "{fr}");
    assert!(!fr.contains("Plus calme"), "{fr}");
    let ar = page(&app, "ar").await;
    assert_eq!(ar.matches("لا توجد بعد معطيات كافية").count(), 1, "{ar}");
}

#[tokio::test]
async fn only_hours_with_arrivals_are_listed() {
    let (app, time) = TestApp::builder().spawn_at("2026-09-07T06:00:00Z").await;
    office(&app).await;
    history(&app, &time).await;
    let fr = page(&app, "fr").await;
    // Monday, the one day with a history: 10 h (2 expected) and 11 h (1).
    let rows: Vec<&str> = fr
        .split(r#"<th scope="row"><bdi dir="ltr">"#)
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap_or(""))
        .collect();
    assert_eq!(rows, ["10:00–11:00", "11:00–12:00"], "{fr}");
    assert!(
        fr.contains(r#"Plus calme : <bdi dir="ltr">11:00–12:00</bdi>"#),
        "{fr}"
    );
    assert!(!fr.contains("00:00–01:00"), "{fr}");
    assert!(!fr.contains("Pas encore assez de données"), "{fr}");
    assert!(!fr.contains(r#"<span class="count">0</span>"#), "{fr}");
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_hours_read_on_a_phone_and_the_period_from_its_first_day() {
    let _turn = crate::support::browser::turn().await;
    let (app, time) = TestApp::builder().spawn_at("2026-09-07T06:00:00Z").await;
    office(&app).await;
    history(&app, &time).await;
    let browser = Browser::open(PHONE).await;
    for lang in ["fr", "ar"] {
        browser
            .goto(&format!("{}/stats/{SITE}?lang={lang}", app.base))
            .await;
        let seen = browser
            .eval(
                "const f = document.querySelector('#period .from').getClientRects()[0];
                 const t = document.querySelector('#period .to').getClientRects()[0];
                 const rtl = document.documentElement.dir === 'rtl';
                 const first = Math.abs(f.top - t.top) < 2
                     ? (rtl ? f.left > t.left : f.left < t.left) : f.top < t.top;
                 return [first, [f.left, f.top, t.left, t.top], document.querySelectorAll('.hour-bars tbody tr').length,
                         [...document.querySelectorAll('.hour-bars .count')].map(c => c.textContent)]",
            )
            .await;
        assert_eq!(
            seen[0], true,
            "{lang}: the period reads from its first day: {seen}"
        );
        assert_eq!(seen[2], 2, "{lang}: {seen}");
        assert_eq!(seen[3], json!(["2", "1"]), "{lang}: {seen}");
        browser
            .eval("document.getElementById('coming').scrollIntoView(); return null;")
            .await;
        browser
            .screenshot(&format!("public-stats-hours-{lang}-phone"))
            .await;
    }
    browser.close().await;
}
