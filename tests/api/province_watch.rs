//! A province account watches its offices read-only: from its province's
//! page, each office's live board (counters, queues, alerts) and its
//! statistics, in French and Arabic, with no form or button that changes
//! anything; the board's JSON for its own sites only; a site outside its
//! province is 404 (another province's page 403); what it posts is
//! refused; a site's supervisor never reaches `/province/…`.

use crate::support::forms::{open, send};
use crate::support::pages::row;
use crate::support::province::provinces;
use crate::support::tickets::{call_next, issue};
use guichet::domain::role::Role;
use guichet_test_support::{Backend, STAFF_PASSWORD, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    a_province_account_watches_its_offices_read_only,
    nobody_else_watches_through_the_province
);

/// The forms and buttons of `html` that are not the log-out's.
fn actions(html: &str) -> Vec<String> {
    let logout = html
        .find("<form method=\"post\" action=\"/agent/logout\"")
        .map(|at| {
            let end = html[at..].find("</form>").map_or(html.len(), |e| at + e);
            (at, end)
        });
    let outside = |at: usize| logout.is_none_or(|(start, end)| at < start || at > end);
    let mut found = Vec::new();
    for tag in ["<form", "<button", "<input", "<select", "<textarea"] {
        for (at, _) in html.match_indices(tag) {
            if outside(at) {
                let end = html[at..].find('>').map_or(html.len(), |e| at + e + 1);
                found.push(html[at..end].to_owned());
            }
        }
    }
    found
}

/// anfa with two tickets waiting, one called at its counter.
async fn a_busy_anfa(app: &TestApp) {
    let agent = app.add_staff("anfa-clerk", Role::Agent, "anfa").await;
    for _ in 0..3 {
        issue(app, &agent, "anfa", json!({"service": "residence"})).await;
    }
    let head_agent = app.login("anfa-agent1", STAFF_PASSWORD).await;
    let (status, called) = call_next(app, &head_agent, "anfa-g1").await;
    assert_eq!(status, StatusCode::OK, "{called}");
}

async fn a_province_account_watches_its_offices_read_only(backend: Backend) {
    let (app, _admin) = provinces(backend).await;
    a_busy_anfa(&app).await;
    let token = app.login("casa-head", STAFF_PASSWORD).await;
    let head = Some(token.as_str());

    // The province's page links each office's board and statistics.
    let page = open(&app, head, "/province/casa").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let anfa = row(&page.html, "office-anfa");
    assert!(
        anfa.contains("href=\"/province/casa/sites/anfa/live\""),
        "{anfa}"
    );
    assert!(
        anfa.contains("href=\"/province/casa/sites/anfa/stats\""),
        "{anfa}"
    );

    // The board: counters, queues, in French then Arabic; nothing to act.
    let board = "/province/casa/sites/anfa/live";
    let page = open(&app, head, &format!("{board}?lang=fr")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("Supervision en direct") || page.html.contains("id=\"board\""));
    let g1 = row(&page.html, "counter-anfa-g1");
    for seen in ["Guichet 1", "anfa-agent1", "A001"] {
        assert!(g1.contains(seen), "{seen} not in {g1}");
    }
    let residence = row(&page.html, "service-residence");
    assert!(residence.contains(">2<"), "two wait: {residence}");
    assert!(
        page.html
            .contains("data-panel=\"/province/casa/sites/anfa/live/panel\"")
    );
    assert_eq!(
        actions(&page.html),
        Vec::<String>::new(),
        "no form, no button"
    );
    assert!(
        !page.html.contains("/admin/"),
        "no link into the admin pages"
    );
    let arabic = open(&app, head, &format!("{board}?lang=ar")).await;
    assert_eq!(arabic.status, StatusCode::OK);
    assert!(arabic.html.contains("dir=\"rtl\""));
    assert!(arabic.html.contains("للاطلاع فقط"), "{}", arabic.html);
    assert!(row(&arabic.html, "service-residence").contains(">2<"));
    let panel = open(&app, head, &format!("{board}/panel")).await;
    assert_eq!(panel.status, StatusCode::OK);
    assert!(panel.html.contains("id=\"board\"") && !panel.html.contains("<html"));
    assert!(row(&panel.html, "service-residence").contains(">2<"));

    // The statistics: the figures, a range form that only reads (GET).
    let stats = open(&app, head, "/province/casa/sites/anfa/stats?lang=fr").await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.html);
    assert!(stats.html.contains("id=\"per-service\""), "{}", stats.html);
    let forms = actions(&stats.html);
    assert!(
        forms
            .iter()
            .all(|f| !f.starts_with("<form") || f.contains("method=\"get\"")),
        "{forms:?}"
    );
    assert!(!stats.html.contains("method=\"post\" action=\"/province"));
    let bad = open(&app, head, "/province/casa/sites/anfa/stats?from=hier").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let arabic = open(&app, head, "/province/casa/sites/anfa/stats?lang=ar").await;
    assert_eq!(arabic.status, StatusCode::OK);
    assert!(arabic.html.contains("dir=\"rtl\""));

    // The board's JSON: its own sites.
    let json = app.get("/api/v1/sites/anfa/live", head).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    let services = json.body["services"].as_array().expect("services");
    let residence = services
        .iter()
        .find(|s| s["id"] == "residence")
        .expect("residence");
    assert_eq!(residence["waiting"], 2);
    assert_eq!(json.body["counters"][0]["ticket"]["number"], "A001");
    let json = app.get("/api/v1/sites/maarif/live", head).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);

    // Outside its province: the site is 404 under its own province, and
    // another province's pages and the site's JSON are refused.
    for (path, status) in [
        ("/province/casa/sites/agdal/live", StatusCode::NOT_FOUND),
        (
            "/province/casa/sites/agdal/live/panel",
            StatusCode::NOT_FOUND,
        ),
        ("/province/casa/sites/agdal/stats", StatusCode::NOT_FOUND),
        ("/province/casa/sites/nowhere/live", StatusCode::NOT_FOUND),
        ("/province/rabat/sites/agdal/live", StatusCode::FORBIDDEN),
        ("/province/rabat/sites/agdal/stats", StatusCode::FORBIDDEN),
    ] {
        let page = open(&app, head, path).await;
        assert_eq!(page.status, status, "{path}");
        assert!(!page.html.contains("id=\"board\""), "{path}");
    }
    let json = app.get("/api/v1/sites/agdal/live", head).await;
    assert_eq!(json.status, StatusCode::FORBIDDEN, "{}", json.body);
    let doc = app.get("/api/v1/openapi.json", None).await.body;
    assert!(doc["paths"]["/api/v1/sites/{site}/live"]["get"].is_object());

    // Whatever it posts is refused and changes nothing.
    for path in [
        board,
        "/province/casa/sites/anfa/stats",
        "/admin/sites/anfa/report-recipients",
        "/admin/sites/anfa/announcements",
        "/admin/provinces/casa/report-recipients",
    ] {
        let page = send(
            &app,
            &token,
            path,
            &[("addresses", "x@example.ma"), ("text", "x")],
        )
        .await;
        assert!(
            [StatusCode::FORBIDDEN, StatusCode::METHOD_NOT_ALLOWED].contains(&page.status),
            "{path}: {}",
            page.status
        );
    }
    for (path, body) in [
        ("/api/v1/counters/anfa-g1/call-next", json!({})),
        ("/api/v1/counters/anfa-g1/pause", json!({})),
        (
            "/api/v1/sites/anfa/tickets",
            json!({"service": "residence"}),
        ),
    ] {
        let answer = app.post(path, head, body).await;
        assert_eq!(
            answer.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            answer.body
        );
    }
    let after = app.get("/api/v1/sites/anfa/live", head).await;
    assert_eq!(after.body["services"], json!(services), "nothing changed");
    assert_eq!(app.count("tickets").await, 3);
    assert_eq!(app.count("announcements").await, 0);
}

async fn nobody_else_watches_through_the_province(backend: Backend) {
    let (app, admin) = provinces(backend).await;
    let supervisor = app.add_staff("anfa-boss", Role::Supervisor, "anfa").await;
    let agent = app.add_staff("anfa-clerk", Role::Agent, "anfa").await;
    for token in [&supervisor, &agent] {
        for path in [
            "/province",
            "/province/casa",
            "/province/casa/sites/anfa/live",
            "/province/casa/sites/anfa/live/panel",
            "/province/casa/sites/anfa/stats",
        ] {
            let page = open(&app, Some(token), path).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
            assert!(!page.html.contains("id=\"board\""), "{path}");
        }
    }
    // Not logged in: sent to log in, and back after.
    let page = open(&app, None, "/province/casa/sites/anfa/live").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        page.location.starts_with("/agent/login?next="),
        "{}",
        page.location
    );
    let json = app.get("/api/v1/sites/anfa/live", None).await;
    assert_eq!(json.status, StatusCode::UNAUTHORIZED);
    // The board's JSON: the site's supervisor, not its agents.
    let json = app.get("/api/v1/sites/anfa/live", Some(&supervisor)).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    let json = app.get("/api/v1/sites/anfa/live", Some(&agent)).await;
    assert_eq!(json.status, StatusCode::FORBIDDEN);
    // An admin reads any province's offices; a site not in it is 404.
    let page = open(&app, Some(&admin), "/province/rabat/sites/agdal/live").await;
    assert_eq!(page.status, StatusCode::OK);
    let page = open(&app, Some(&admin), "/province/rabat/sites/anfa/live").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}
