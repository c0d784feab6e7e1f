//! The figures an office head reads, in a real browser: the statistics
//! charts with labels one can read and the legend off the data, numbers in
//! the language's format on the admin and public pages alike, and the
//! audit log in words at the office's local time.

use crate::support::browser::{Browser, DESKTOP};
use crate::support::sites::open_site;
use guichet_test_support::{ADMIN_PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const SOON: Duration = Duration::from_secs(5);
/// The audited office's zone: four hours ahead of UTC, without summer time.
const ZONE: &str = "Asia/Dubai";

/// Logs the browser in as the admin, whose password is `password`.
async fn log_in(browser: &Browser, app: &TestApp, password: &str) {
    browser
        .goto(&format!("{}/agent/login?next=/admin&lang=fr", app.base))
        .await;
    browser.fill("#username", "admin").await;
    browser.fill("#password", password).await;
    browser.click("#login").await;
    browser.wait_for_text("h1", "Annexes", SOON).await;
}

/// The figures with a decimal in the text of `css`: `(with a comma, with
/// a point)`.
async fn decimals(browser: &Browser, css: &str) -> (Vec<String>, Vec<String>) {
    let script = format!(
        "const t = document.querySelector(\"{css}\").innerText; \
         return [t.match(/\\d+,\\d+/g) || [], t.match(/\\d+\\.\\d+/g) || []]"
    );
    let found = browser.eval(&script).await;
    let list = |v: &Value| -> Vec<String> {
        v.as_array()
            .expect("a list")
            .iter()
            .map(|s| s.as_str().expect("text").to_owned())
            .collect()
    };
    (list(&found[0]), list(&found[1]))
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn charts_read_well_and_numbers_follow_the_language_on_admin_and_public_pages() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let seeded = guichet::app::demo::seed(&app.app).await.expect("seeded");
    let seeded = seeded.expect("a new demo office");
    let (_, _, password) = seeded
        .accounts
        .iter()
        .find(|(name, _, _)| name == "admin")
        .expect("the demo's admin");
    let browser = Browser::open(DESKTOP).await;
    log_in(&browser, &app, password).await;

    let stats = format!("{}/admin/stats/casa-anfa", app.base);
    for lang in ["fr", "ar"] {
        browser.goto(&format!("{stats}?lang={lang}")).await;
        browser.wait_for_text("#chart-volume", "", SOON).await;
        browser
            .eval("document.getElementById('chart-volume').scrollIntoView(); return 1")
            .await;
        browser
            .screenshot(&format!("admin-stats-charts-{lang}-desktop"))
            .await;
        // Every text of every chart, as large on screen as the page's own
        // small print at least.
        let sizes = browser
            .eval(
                "return Array.from(document.querySelectorAll('figure.chart svg')).flatMap(svg => \
                 Array.from(svg.querySelectorAll('text')).map(t => \
                 [t.textContent.trim(), parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a]))",
            )
            .await;
        let sizes = sizes.as_array().expect("texts").clone();
        assert!(sizes.len() > 20, "the charts have labels: {sizes:?}");
        for size in &sizes {
            let px = size[1].as_f64().expect("a size");
            assert!(px >= 12.0, "{lang}: {size} is drawn at {px:.1} px");
        }
        // The legend sits off the lines and their points (drawn in the
        // series' colours; the legend's own marks are thicker), above all
        // of them.
        let (issued, served) = match lang {
            "fr" => ("Tickets délivrés", "Servis"),
            _ => ("التذاكر المسلمة", "المخدومون"),
        };
        let placed = browser
            .client
            .execute(
                "const svg = document.getElementById('chart-volume'); \
                 const texts = Array.from(svg.querySelectorAll('text')); \
                 const legend = texts.filter(t => t.textContent.trim() === arguments[0] || t.textContent.trim() === arguments[1]); \
                 const data = Array.from(svg.querySelectorAll('polyline, circle')).filter(d => /#(0B5394|B45309)/i.test((d.getAttribute('stroke') || '') + (d.getAttribute('fill') || ''))).filter(d => d.getAttribute('stroke-width') !== '3'); \
                 const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom; \
                 return [legend.length, data.length, \
                   legend.flatMap(l => data.filter(d => hit(l.getBoundingClientRect(), d.getBoundingClientRect()))).length, \
                   Math.max(...legend.map(l => l.getBoundingClientRect().bottom)), \
                   Math.min(...data.map(d => d.getBoundingClientRect().top))]",
                vec![json!(issued), json!(served)],
            )
            .await
            .expect("measured");
        assert_eq!(placed[0], 2, "{lang}: both series named: {placed}");
        assert!(
            placed[1].as_i64().unwrap_or(0) > 2,
            "{lang}: lines drawn: {placed}"
        );
        assert_eq!(placed[2], 0, "{lang}: the legend covers no data: {placed}");
        let (bottom, top) = (
            placed[3].as_f64().expect("bottom"),
            placed[4].as_f64().expect("top"),
        );
        assert!(
            bottom <= top,
            "{lang}: the legend is above the data: {placed}"
        );

        // Figures with a decimal comma, none with a point.
        let (comma, point) = decimals(&browser, "main").await;
        assert!(!comma.is_empty(), "{lang}: some figure has a decimal");
        assert!(point.is_empty(), "{lang}: no decimal point: {point:?}");
    }

    // The public page writes its figures the same way, and English its own.
    let public = format!("{}/stats/casa-anfa", app.base);
    for (lang, comma_expected) in [("fr", true), ("ar", true), ("en", false)] {
        browser.goto(&format!("{public}?lang={lang}")).await;
        browser.wait_for_text("main", "", SOON).await;
        let (comma, point) = decimals(&browser, "main").await;
        match comma_expected {
            true => {
                assert!(!comma.is_empty(), "{lang}: a decimal figure shown");
                assert!(point.is_empty(), "{lang}: no decimal point: {point:?}");
            }
            false => {
                assert!(!point.is_empty(), "{lang}: a decimal figure shown");
                assert!(comma.is_empty(), "{lang}: no decimal comma: {comma:?}");
            }
        }
        browser
            .screenshot(&format!("public-stats-numbers-{lang}-desktop"))
            .await;
    }
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_audit_log_says_what_happened_at_the_office_s_local_time() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    // A zone hours away from UTC all year round.
    let agents = open_site(&app, &admin, "anfa", ZONE, 1).await;
    let kiosk = crate::support::tickets::kiosk(&app, &admin, "anfa").await;
    let taken = app
        .post(
            "/api/v1/sites/anfa/tickets",
            Some(&kiosk),
            json!({"service": "residence"}),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    let called = app
        .post(
            "/api/v1/counters/anfa-g1/call-next",
            Some(&agents[0]),
            json!({}),
        )
        .await;
    assert_eq!(called.status, StatusCode::OK, "{}", called.body);

    let log = app
        .get("/api/v1/audit?actor=anfa-agent1", Some(&admin))
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    let entry = log.body["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["action"] == "POST /api/v1/counters/{counter}/call-next")
        .expect("the call recorded")
        .clone();
    let id = entry["id"].as_i64().expect("id");
    let at: jiff::Timestamp = entry["at"].as_str().expect("at").parse().expect("a time");
    let local = at
        .to_zoned(jiff::tz::TimeZone::get(ZONE).expect("zone"))
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    let utc = at
        .to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%Y-%m-%d %H:%M")
        .to_string();
    assert_ne!(local, utc, "the zone is not UTC");

    let browser = Browser::open(DESKTOP).await;
    log_in(&browser, &app, ADMIN_PASSWORD).await;
    browser
        .goto(&format!("{}/admin/audit?lang=fr", app.base))
        .await;
    let row = format!("#audit-{id}");
    browser
        .wait_for_text(&row, "Appel du suivant au anfa-g1", SOON)
        .await;
    let when = browser.text(&format!("{row} .when")).await;
    assert_eq!(when, local, "the site's local time");
    let action = browser.text(&format!("{row} .action")).await;
    assert!(!action.contains("/api/v1"), "{action}");
    // The admin's own login has no site: its time says it is UTC.
    let login = browser
        .eval("return Array.from(document.querySelectorAll('#audit tbody tr')).filter(r => r.querySelector('.action').innerText.trim() === 'Connexion' && r.cells[1].innerText.startsWith('admin ')).map(r => r.querySelector('.when').innerText)")
        .await;
    let login = login.as_array().expect("rows").clone();
    assert!(!login.is_empty(), "the admin's login is listed");
    assert!(
        login
            .iter()
            .all(|w| w.as_str().is_some_and(|w| w.ends_with("UTC"))),
        "{login:?}"
    );
    browser.screenshot("admin-audit-fr-desktop").await;

    browser
        .goto(&format!("{}/admin/audit?lang=ar", app.base))
        .await;
    browser
        .wait_for_text(&row, "نداء التالي في الشباك anfa-g1", SOON)
        .await;
    assert_eq!(browser.text(&format!("{row} .when")).await, local);
    browser.screenshot("admin-audit-ar-desktop").await;
    browser.close().await;
}
