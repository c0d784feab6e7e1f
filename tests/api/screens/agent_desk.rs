//! The agent's desk in a real browser: "Absent" waits for the site's
//! recalls and says why, the transfer list chooses nothing for the agent,
//! and the requests page puts overdue ones first, marked, a page at a time.

use super::agent::{log_in, office};
use crate::support::browser::{Browser, DESKTOP};
use crate::support::desk::desk;
use guichet_test_support::{Backend, STAFF_PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const SOON: Duration = Duration::from_secs(5);

/// Whether the element `css` is disabled.
async fn disabled(browser: &Browser, css: &str) -> bool {
    let script = format!("return document.querySelector(\"{css}\").disabled");
    browser.eval(&script).await == Value::Bool(true)
}

/// Waits until the element `css` is enabled (or disabled, per `wanted`).
async fn wait_disabled(browser: &Browser, css: &str, wanted: bool) {
    let deadline = tokio::time::Instant::now() + SOON;
    while disabled(browser, css).await != wanted {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{css} disabled stays {}",
            !wanted
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn absent_waits_for_the_recalls_and_the_transfer_list_chooses_nothing() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (kiosk, agent) = office(&app).await;
    let admin = app.admin().await;
    let rule = json!({"min_recalls": 2});
    let patched = app.patch("/api/v1/sites/anfa", Some(&admin), rule).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let taken = app
        .post(
            "/api/v1/sites/anfa/tickets",
            Some(&kiosk),
            json!({"service": "residence"}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    let (ticket, number) = (
        taken.body["id"].as_str().expect("id").to_owned(),
        taken.body["number"].as_str().expect("number").to_owned(),
    );

    let browser = Browser::open(DESKTOP).await;
    log_in(&browser, &app).await;
    let console = format!("{}/agent/counters/anfa-g1", app.base);
    browser.goto(&console).await;
    browser.wait_for_text("#waiting", &number, SOON).await;
    browser.click("button[data-act='call-next']").await;
    browser
        .wait_for_text("#current-number", &number, SOON)
        .await;

    // Right after the call, "Absent" cannot work: it is disabled and says why.
    assert!(disabled(&browser, "#no-show").await);
    browser
        .wait_for_text("#no-show-why", "après encore 2 rappels.", SOON)
        .await;
    let described = browser
        .eval("return document.getElementById('no-show').getAttribute('aria-describedby')")
        .await;
    assert_eq!(described, "no-show-why");

    // The transfer list offers the other service but chooses none.
    let chosen = browser
        .eval("return document.getElementById('transfer-service').value")
        .await;
    assert_eq!(chosen, "", "no service is preselected");
    let offered = browser
        .eval("return Array.from(document.querySelectorAll('#transfer-service option')).map(o => o.value + (o.defaultSelected ? '*' : '')).join(',')")
        .await;
    assert_eq!(offered, "*,signature", "only the empty choice is selected");
    browser.click("button[data-act='transfer']").await;
    browser
        .wait_for_text("#message", "Choisissez d'abord le service", SOON)
        .await;
    let queue = app.get("/api/v1/sites/anfa/queue", Some(&agent)).await;
    assert_eq!(
        queue.body["counters"][0]["current"]["number"], number,
        "nothing was transferred: {}",
        queue.body
    );
    browser.screenshot("agent-absent-disabled-fr-desktop").await;

    browser.goto(&format!("{console}?lang=ar")).await;
    browser
        .wait_for_text("#no-show-why", "بعد إعادة المناداة مرتين أخريين", SOON)
        .await;
    assert!(disabled(&browser, "#no-show").await);
    browser.screenshot("agent-absent-disabled-ar-desktop").await;

    // One recall here: one more is needed.
    browser.click("button[data-act='recall']").await;
    browser
        .wait_for_text("#no-show-why", "بعد إعادة المناداة مرة أخرى.", SOON)
        .await;
    assert!(disabled(&browser, "#no-show").await);
    // The second one from elsewhere: the page enables "Absent" live.
    let marker = browser.eval("window.notReloaded = true; return 1").await;
    assert_eq!(marker, 1);
    let recalled = app
        .post(
            &format!("/api/v1/tickets/{ticket}/recall"),
            Some(&agent),
            json!({}),
        )
        .await;
    assert_eq!(recalled.status, StatusCode::OK, "{}", recalled.body);
    wait_disabled(&browser, "#no-show", false).await;
    assert_eq!(browser.eval("return window.notReloaded").await, true);
    let why = browser
        .eval("return document.getElementById('no-show-why') === null")
        .await;
    assert_eq!(why, true, "no reason once it may be used");
    browser.screenshot("agent-absent-enabled-ar-desktop").await;

    browser.goto(&format!("{console}?lang=fr")).await;
    wait_disabled(&browser, "#no-show", false).await;
    browser.screenshot("agent-absent-enabled-fr-desktop").await;
    browser.click("#no-show").await;
    browser
        .wait_for_text("#current-none", "Aucun ticket en cours", SOON)
        .await;
    let seen = app
        .get(&format!("/api/v1/tickets/{ticket}"), Some(&agent))
        .await;
    assert_eq!(seen.body["status"], "no_show", "{}", seen.body);
    browser.close().await;
}

/// Files a request at the desk for `name`; returns its reference.
async fn file(app: &TestApp, agent: &str, name: &str, n: usize) -> String {
    let body = json!({"service": "residence", "name": name,
        "phone": format!("+2126120{n:05}")});
    let filed = app
        .post("/api/v1/sites/rabat-agdal/requests", Some(agent), body)
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    filed.body["reference"]
        .as_str()
        .expect("reference")
        .to_owned()
}

async fn step(app: &TestApp, agent: &str, reference: &str, status: &str) {
    let mut body = json!({ "status": status });
    if status == "rejected" {
        body["reason"] = json!("Pièce manquante");
    }
    let path = format!("/api/v1/requests/{reference}/status");
    let moved = app.post(&path, Some(agent), body).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
}

/// The rows of the listed page: reference, status, overdue.
async fn rows(browser: &Browser) -> Vec<(String, String, bool)> {
    let listed = browser
        .eval("return Array.from(document.querySelectorAll('#requests tbody tr')).map(r => [r.id.slice(4), r.dataset.status, r.classList.contains('overdue') && r.querySelector('.tag.late') !== null])")
        .await;
    let listed = listed.as_array().expect("rows").clone();
    listed
        .iter()
        .map(|r| {
            let text = |i: usize| r[i].as_str().expect("text").to_owned();
            (text(0), text(1), r[2] == Value::Bool(true))
        })
        .collect()
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_requests_page_lists_overdue_first_marked_and_a_page_at_a_time() {
    let _turn = crate::support::browser::turn().await;
    let desk = desk(Backend::Sqlite, false).await;
    let (app, agent) = (&desk.app, desk.agent.as_str());
    // Ten filed on Thursday 26 November, due Wednesday 2 December.
    let mut early = Vec::new();
    for n in 0..10 {
        early.push(file(app, agent, &format!("Demandeur ancien {n}"), n).await);
    }
    step(app, agent, &early[0], "rejected").await;
    step(app, agent, &early[1], "rejected").await;
    step(app, agent, &early[2], "ready").await;
    step(app, agent, &early[2], "delivered").await;
    step(app, agent, &early[3], "ready").await;
    step(app, agent, &early[4], "processing").await;
    // Thirty-five more on Thursday 10 December, due later: by then six of
    // the first ones (early[4..]) are open past their day.
    desk.set_time("2026-12-10T09:00:00Z");
    let agent = app.login("agdal-agent", STAFF_PASSWORD).await;
    let agent = agent.as_str();
    for n in 10..45 {
        file(app, agent, &format!("Demandeur récent {n}"), n).await;
    }
    let overdue: Vec<&String> = early[4..].iter().collect();
    let closed: Vec<&String> = early[..3].iter().collect();

    let browser = Browser::open(DESKTOP).await;
    browser.goto(&format!("{}/agent/login", app.base)).await;
    browser.fill("#username", "agdal-agent").await;
    browser.fill("#password", STAFF_PASSWORD).await;
    browser.click("#login").await;
    browser
        .wait_for_text("h1", "Choisir un guichet", SOON)
        .await;
    browser.goto(&format!("{}/agent/requests", app.base)).await;
    browser
        .wait_for_text("#page-of", "Page 1 sur 3", SOON)
        .await;
    browser
        .wait_for_text("#overdue-count", "6 demandes ouvertes", SOON)
        .await;
    browser.wait_for_text("#filter-all", "(45)", SOON).await;
    let first = rows(&browser).await;
    assert_eq!(first.len(), 20, "{first:?}");
    // The overdue ones first, each marked; no other is.
    let marked: Vec<&String> = first.iter().filter(|r| r.2).map(|r| &r.0).collect();
    assert_eq!(marked.len(), 6, "{first:?}");
    assert!(first[..6].iter().all(|r| r.2), "{first:?}");
    for reference in &overdue {
        assert!(marked.contains(reference), "{reference} marked: {first:?}");
    }
    assert!(
        first.iter().all(|r| !closed.contains(&&r.0)),
        "no closed one on the first page: {first:?}"
    );
    let late_tag = browser
        .text(&format!("#req-{} .expected", overdue[0]))
        .await;
    assert!(late_tag.contains("En retard"), "{late_tag}");
    browser
        .screenshot("agent-requests-overdue-fr-desktop")
        .await;

    // The last page ends with the closed ones, after every open one.
    browser.click("#page-next").await;
    browser
        .wait_for_text("#page-of", "Page 2 sur 3", SOON)
        .await;
    let second = rows(&browser).await;
    assert_eq!(second.len(), 20, "{second:?}");
    browser.click("#page-next").await;
    browser
        .wait_for_text("#page-of", "Page 3 sur 3", SOON)
        .await;
    let third = rows(&browser).await;
    assert_eq!(third.len(), 5, "{third:?}");
    let all: Vec<_> = [first, second.clone(), third].concat();
    let firsts_closed = all
        .iter()
        .position(|r| r.1 == "delivered" || r.1 == "rejected")
        .expect("closed ones listed");
    assert_eq!(firsts_closed, 42, "the three closed ones last: {all:?}");
    assert!(all[firsts_closed..].iter().all(|r| closed.contains(&&r.0)));
    let mut seen: Vec<&String> = all.iter().map(|r| &r.0).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 45, "each request listed once");

    // A step taken on page 2 comes back to page 2.
    browser.click("#page-prev").await;
    browser
        .wait_for_text("#page-of", "Page 2 sur 3", SOON)
        .await;
    let moved = &second[0].0;
    browser
        .click(&format!("#req-{moved} button[value='processing']"))
        .await;
    browser
        .wait_for_text(&format!("#req-{moved} .status"), "En traitement", SOON)
        .await;
    browser
        .wait_for_text("#page-of", "Page 2 sur 3", SOON)
        .await;
    let seen = app
        .get(&format!("/api/v1/requests/{moved}"), Some(agent))
        .await;
    assert_eq!(seen.body["status"], "processing", "{}", seen.body);

    // One status at a time.
    browser.click("#filter-delivered").await;
    browser.wait_for_text("#h-list", "Remises", SOON).await;
    let delivered = rows(&browser).await;
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert_eq!(&delivered[0].0, closed[2]);

    browser
        .goto(&format!("{}/agent/requests?lang=ar", app.base))
        .await;
    browser
        .wait_for_text("#page-of", "الصفحة 1 من 3", SOON)
        .await;
    browser
        .wait_for_text(&format!("#req-{}", overdue[0]), "متأخرة", SOON)
        .await;
    browser
        .screenshot("agent-requests-overdue-ar-desktop")
        .await;
    browser.close().await;

    // Pages and statuses that are none: refused in clear, as the API does.
    for bad in ["page=0", "page=abc", "status=lost"] {
        let path = format!("{}/agent/requests?{bad}", app.base);
        let answer = app
            .http
            .get(path)
            .header("Cookie", format!("guichet_session={agent}"))
            .send()
            .await
            .expect("sent");
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let text = answer.text().await.expect("page");
        assert!(text.contains(bad.split('=').next().unwrap_or("")), "{text}");
    }
}
