//! The statistics page, its CSV and the monthly report over a scripted
//! day, and who may see them.

use crate::support::pages::{page, row};
use crate::support::sites::open_site;
use crate::support::tickets::{call_next, issue};
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, STAFF_PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(stats_and_report_show_a_scripted_day);

#[tokio::test]
async fn stats_pages_are_for_the_sites_staff_only() {
    let (app, _time) = TestApp::builder().spawn_at("2026-11-23T09:00:00Z").await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    open_site(&app, &admin, "maarif", "Africa/Casablanca", 1).await;
    let other = app
        .add_staff("maarif-chef", Role::Supervisor, "maarif")
        .await;
    let own = app.add_staff("anfa-chef", Role::Supervisor, "anfa").await;
    for path in [
        "/admin/stats/anfa",
        "/admin/stats/anfa/export.csv",
        "/admin/report/anfa",
    ] {
        let (status, _, _) = page(&app, path, Some(&own)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let (status, _, _) = page(&app, path, Some(&other)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        let (status, _, _) = page(&app, path, Some(&agents[0])).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        let (status, _, location) = page(&app, path, None).await;
        assert!(status.is_redirection(), "{path}: {status}");
        assert!(
            location.starts_with("/agent/login?next=%2Fadmin%2F"),
            "{location}"
        );
    }
}

/// POSTs an action on a ticket as `agent`.
async fn act(app: &TestApp, agent: &str, ticket: &serde_json::Value, action: &str) {
    let id = ticket["id"].as_str().expect("ticket id");
    let answer = app
        .post(
            &format!("/api/v1/tickets/{id}/{action}"),
            Some(agent),
            json!({}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{action}: {}", answer.body);
}

/// On Monday 23 November 2026 (Casablanca, UTC+1): A001 and A002 are
/// issued at 10:00 local; agent 1 calls A001 at 10:06, starts it at once
/// and completes it at 10:16; agent 2 calls A002 at 10:10, starts it and
/// completes it at 10:14. Waits 6 and 10 min (mean 8), services 10 and 4.
async fn stats_and_report_show_a_scripted_day(backend: Backend) {
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T09:00:00Z")
        .await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 2).await;
    let renamed = app
        .patch(
            "/api/v1/sites/anfa",
            Some(&admin),
            json!({"name_ar": "ملحقة أنفا"}),
        )
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    let supervisor = app.add_staff("anfa-chef", Role::Supervisor, "anfa").await;
    issue(&app, &agents[0], "anfa", json!({"service": "residence"})).await;
    issue(&app, &agents[0], "anfa", json!({"service": "residence"})).await;
    let at = |hm: &str| time.set(format!("2026-11-23T{hm}:00Z").parse().expect("instant"));
    at("09:06");
    let (_, first) = call_next(&app, &agents[0], "anfa-g1").await;
    act(&app, &agents[0], &first, "start").await;
    at("09:10");
    let (_, second) = call_next(&app, &agents[1], "anfa-g2").await;
    act(&app, &agents[1], &second, "start").await;
    at("09:14");
    act(&app, &agents[1], &second, "complete").await;
    at("09:16");
    act(&app, &agents[0], &first, "complete").await;

    let path = "/admin/stats/anfa?from=2026-11-23&to=2026-11-23";
    let (status, html, _) = page(&app, path, Some(&supervisor)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(html.matches("<svg").count(), 3, "three charts");
    for id in ["chart-waits", "chart-volume", "chart-service"] {
        assert!(
            html.contains(&format!("<title id=\"{id}-title\">")),
            "{id} named"
        );
    }
    let residence = row(&html, "stats-residence");
    for figure in [">2<", ">8<", ">6<", ">10<", ">7<"] {
        // issued, mean wait, median (nearest rank), p90, mean service.
        assert!(residence.contains(figure), "{figure} in {residence}");
    }
    assert!(
        row(&html, "agent-anfa-agent1").contains(">10<"),
        "10 min of service"
    );
    assert!(
        row(&html, "agent-anfa-agent2").contains(">4<"),
        "4 min of service"
    );
    // The waits chart has its bar at 10h local.
    let waits = &html[html.find("chart-waits").expect("chart")..];
    assert!(waits.contains("10h"));
    assert!(
        html.contains("/export.csv?from=2026-11-23&"),
        "the CSV link keeps the range"
    );

    // The CSV through the session; the same figures.
    let csv = "/admin/stats/anfa/export.csv?from=2026-11-23&to=2026-11-23";
    let client = reqwest::Client::new();
    let answer = client
        .get(format!("{}{csv}", app.base))
        .header("Cookie", format!("guichet_session={supervisor}"))
        .send()
        .await
        .expect("csv");
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/csv")
    );
    let text = answer.text().await.expect("csv text");
    assert!(text.starts_with("section"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("agent,") && l.contains("anfa-agent1")),
        "{text}"
    );

    // In Arabic: Arabic words, the same Western figures.
    let (_, html, _) = page(&app, &format!("{path}&lang=ar"), Some(&supervisor)).await;
    assert!(html.contains("الإحصائيات") && html.contains("متوسط الانتظار حسب ساعة الوصول"));
    assert!(row(&html, "stats-residence").contains(">8<"));

    // The monthly report, early in December: November by default.
    time.set("2026-12-02T08:00:00Z".parse().expect("instant"));
    // Sessions last a working day: log in again.
    let supervisor = app.login("anfa-chef", STAFF_PASSWORD).await;
    let admin = app.admin().await;
    let (status, html, _) = page(&app, "/admin/report/anfa", Some(&supervisor)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("novembre 2026")
            && html.contains("Annexe anfa")
            && html.contains("ملحقة أنفا")
    );
    assert!(html.contains("2026-11-01 → 2026-11-30"), "the whole month");
    let totals = &html[html.find("report-totals").expect("totals")..];
    assert!(totals.contains("<dd>2</dd>"), "two issued, two served");
    assert!(row(&html, "report-residence").contains(">8<"));
    assert_eq!(html.matches("<svg").count(), 1, "the daily volume chart");
    let (_, html, _) = page(
        &app,
        "/admin/report/anfa?month=2026-10&lang=ar",
        Some(&admin),
    )
    .await;
    assert!(html.contains("أكتوبر 2026"), "October in Arabic");
    assert!(html.contains("<dd>0</dd>"), "nothing in October");

    // Bad months and ranges: a 422 page with the form, nothing else.
    for bad in [
        "/admin/report/anfa?month=2026-13",
        "/admin/report/anfa?month=novembre",
        "/admin/stats/anfa?from=2026-02-30",
        "/admin/stats/anfa?from=2026-11-23&to=2026-11-01",
        "/admin/stats/anfa?from=2025-01-01&to=2026-11-30",
    ] {
        let (status, html, _) = page(&app, bad, Some(&supervisor)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(
            html.contains("class=\"form-error\"") && !html.contains("<svg"),
            "{bad}: {html}"
        );
        assert!(
            html.contains("aria-invalid=\"true\""),
            "{bad} marks its field"
        );
    }
}
