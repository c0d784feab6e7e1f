//! The supervision pages with a real server and an injected clock: the
//! live board (counters, tickets, minutes, alerts, its fragment), the
//! statistics page with its charts and CSV, the monthly report, and who
//! may see them.

use crate::support::pages::{page, row};
use crate::support::sites::open_site;
use guichet_test_support::{Backend, TestApp};
mod stats_pages;

use crate::support::tickets::{call_next, issue};
use guichet::domain::role::Role;
use guichet_test_support::on_both_backends;
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::json;

/// The text of the page's alerts (empty without any).
fn alerts(html: &str) -> String {
    html.split("role=\"alert\"")
        .skip(1)
        .map(|part| part.split("</div>").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

on_both_backends!(the_board_follows_counters_queues_and_the_clock,);

async fn the_board_follows_counters_queues_and_the_clock(backend: Backend) {
    let (app, time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T09:00:00Z")
        .await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 2).await;
    let supervisor = app.add_staff("anfa-chef", Role::Supervisor, "anfa").await;
    // A001 at 09:00:00, A002 at 09:00:10, B001 at 09:00:20.
    for service in ["residence", "residence", "signature"] {
        issue(&app, &agents[0], "anfa", json!({"service": service})).await;
        time.set(time.now() + SignedDuration::from_secs(10));
    }
    time.set("2026-11-23T09:02:00Z".parse().expect("instant"));
    let (status, first) = call_next(&app, &agents[0], "anfa-g1").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["number"], "A001");
    time.set(time.now() + SignedDuration::from_mins(3));

    let (status, html, _) = page(&app, "/admin/live/anfa", Some(&supervisor)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let g1 = row(&html, "counter-anfa-g1");
    for seen in ["Guichet 1", "anfa-agent1", "A001", "appelé", ">3 min<"] {
        assert!(g1.contains(seen), "{seen} not in {g1}");
    }
    let g2 = row(&html, "counter-anfa-g2");
    assert!(g2.contains("anfa-agent2") && !g2.contains("A00"), "{g2}");
    let residence = row(&html, "service-residence");
    assert!(residence.contains(">1<"), "one waits: {residence}");
    assert!(
        residence.contains(">4 min<"),
        "A002 waited 4 min 50: {residence}"
    );
    assert!(residence.contains(">30 min<"), "the target: {residence}");
    assert!(
        alerts(&html).is_empty(),
        "nothing late yet: {}",
        alerts(&html)
    );
    assert!(html.contains("admin-supervision.js") && !html.contains("<script>"));

    // The fragment changes when the second counter calls.
    let (status, before, _) = page(&app, "/admin/live/anfa/panel", Some(&supervisor)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!before.contains("<html"), "a fragment: {before}");
    let (_, second) = call_next(&app, &agents[1], "anfa-g2").await;
    assert_eq!(second["number"], "A002");
    let (_, after, _) = page(&app, "/admin/live/anfa/panel", Some(&supervisor)).await;
    assert_ne!(before, after);
    assert!(row(&after, "counter-anfa-g2").contains("A002"), "{after}");
    assert!(row(&after, "service-residence").contains(">0<"), "{after}");

    // B001 has waited 29 min 40 of its 30 minutes target: not past it.
    time.set("2026-11-23T09:30:00Z".parse().expect("instant"));
    let (_, html, _) = page(&app, "/admin/live/anfa", Some(&supervisor)).await;
    let text = alerts(&html);
    assert!(!text.contains("objectif"), "{text}");
    // A001 has been called 28 minutes without being started.
    assert!(
        text.contains("A001") && text.contains("est appelé depuis"),
        "{text}"
    );
    assert!(text.contains("منادى عليها"), "in Arabic too: {text}");

    // 31 min 40: past it.
    time.set("2026-11-23T09:32:00Z".parse().expect("instant"));
    let (_, html, _) = page(&app, "/admin/live/anfa/panel", Some(&admin)).await;
    let text = alerts(&html);
    assert!(
        text.contains("Service signature") && text.contains("(\u{2068}31\u{2069} min) dépasse"),
        "{text}"
    );
    assert!(text.contains("تجاوز الهدف"), "in Arabic too: {text}");
    assert!(row(&html, "service-signature").contains("over-target"));

    // In Arabic, the page names everything in Arabic, numbers unchanged.
    let (_, html, _) = page(&app, "/admin/live/anfa?lang=ar", Some(&supervisor)).await;
    assert!(html.contains("المراقبة المباشرة") && html.contains("dir=\"rtl\""));
    assert!(row(&html, "counter-anfa-g1").contains(">30 د<"), "{html}");
}

#[tokio::test]
async fn supervision_pages_are_for_the_sites_staff_only() {
    let (app, _time) = TestApp::builder().spawn_at("2026-11-23T09:00:00Z").await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    open_site(&app, &admin, "maarif", "Africa/Casablanca", 1).await;
    let other = app
        .add_staff("maarif-chef", Role::Supervisor, "maarif")
        .await;
    let own = app.add_staff("anfa-chef", Role::Supervisor, "anfa").await;
    for path in ["/admin/live/anfa", "/admin/live/anfa/panel"] {
        let (status, _, _) = page(&app, path, Some(&own)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let (status, html, _) = page(&app, path, Some(&other)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(
            !html.contains("anfa-g1"),
            "{path} shows nothing of the site"
        );
        let (status, _, _) = page(&app, path, Some(&agents[0])).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        let (status, _, location) = page(&app, path, None).await;
        assert!(status.is_redirection(), "{path}: {status}");
        assert!(
            location.starts_with("/agent/login?next=%2Fadmin%2F"),
            "{location}"
        );
    }
    let (status, _, _) = page(&app, "/admin/live/nowhere", Some(&admin)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
