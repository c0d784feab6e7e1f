//! The province's page in a real browser: a province account logs in and
//! lands on its province; the table ranks by a column through its header's
//! link (no script); the chart's labels are readable; French and Arabic
//! (right to left), with screenshots.

use crate::support::browser::{Browser, DESKTOP};
use crate::support::province::{history, provinces};
use guichet_test_support::{Backend, STAFF_PASSWORD};
use std::time::Duration;

const SOON: Duration = Duration::from_secs(5);

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_province_account_lands_on_its_comparison_and_ranks_by_a_column() {
    let _turn = crate::support::browser::turn().await;
    let (app, _admin) = provinces(Backend::Sqlite).await;
    history(&app).await;
    let browser = Browser::open(DESKTOP).await;
    browser
        .goto(&format!("{}/agent/login?lang=fr", app.base))
        .await;
    browser.fill("#username", "casa-head").await;
    browser.fill("#password", STAFF_PASSWORD).await;
    browser.click("#login").await;
    browser
        .wait_for_text("#province-title", "Préfecture de Casablanca", SOON)
        .await;
    let url = browser.eval("return location.pathname").await;
    assert_eq!(
        url, "/province/casa",
        "a province account lands on its province"
    );

    let page = format!("{}/province/casa?from=2026-11-02&to=2026-11-08", app.base);
    for lang in ["fr", "ar"] {
        browser.goto(&format!("{page}&lang={lang}")).await;
        browser.wait_for_text("#comparison", "", SOON).await;
        let dir = browser.eval("return document.documentElement.dir").await;
        assert_eq!(dir, if lang == "ar" { "rtl" } else { "ltr" });
        // Ranked by median wait through the header's link: maarif first.
        browser.click("#comparison thead th:nth-child(3) a").await;
        browser.wait_for_text("#comparison", "", SOON).await;
        let order = browser
            .eval(
                "return Array.from(document.querySelectorAll('#comparison tbody tr')).map(r => r.id)",
            )
            .await;
        assert_eq!(
            order,
            serde_json::json!(["office-maarif", "office-anfa"]),
            "{lang}"
        );
        let sorted = browser
            .eval("return document.querySelector('th[aria-sort]').getAttribute('aria-sort')")
            .await;
        assert_eq!(sorted, "ascending");
        let period = browser.text("#period").await;
        assert!(period.contains("2026-11-02"), "{period}");
        // Every label of the chart at least 12 px on screen.
        let sizes = browser
            .eval(
                "return Array.from(document.querySelectorAll('figure.chart svg')).flatMap(svg => \
                 Array.from(svg.querySelectorAll('text')).map(t => \
                 [t.textContent.trim(), parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a]))",
            )
            .await;
        let sizes = sizes.as_array().expect("texts").clone();
        assert!(!sizes.is_empty(), "a chart with labels");
        for size in sizes {
            let px = size[1].as_f64().expect("a size");
            assert!(px >= 12.0, "{lang}: {size} under 12 px");
        }
        browser
            .screenshot(&format!("province-comparison-{lang}"))
            .await;
    }
    browser.close().await;
}

/// From the province's page to an office's live board, which follows the
/// queue as the supervisors' does (a ticket issued shows without a reload)
/// and has nothing to act with; then its statistics; French and Arabic.
#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_province_account_watches_an_office_live_read_only() {
    let _turn = crate::support::browser::turn().await;
    let (app, _admin) = provinces(Backend::Sqlite).await;
    let agent = app
        .add_staff("anfa-clerk", guichet::domain::role::Role::Agent, "anfa")
        .await;
    let browser = Browser::open(DESKTOP).await;
    browser
        .goto(&format!("{}/agent/login?lang=fr", app.base))
        .await;
    browser.fill("#username", "casa-head").await;
    browser.fill("#password", STAFF_PASSWORD).await;
    browser.click("#login").await;
    browser
        .wait_for_text("#province-title", "Préfecture de Casablanca", SOON)
        .await;
    let waiting = "#service-residence td:nth-of-type(1)";
    for (lang, issued) in [("fr", "1"), ("ar", "2")] {
        browser
            .goto(&format!("{}/province/casa?lang={lang}", app.base))
            .await;
        browser.click("#live-anfa").await;
        let before = if lang == "fr" { "0" } else { "1" };
        browser.wait_for_text(waiting, before, SOON).await;
        let path = browser.eval("return location.pathname").await;
        assert_eq!(path, "/province/casa/sites/anfa/live");
        let dir = browser.eval("return document.documentElement.dir").await;
        assert_eq!(dir, if lang == "ar" { "rtl" } else { "ltr" });
        let acting = browser
            .eval("return document.querySelectorAll('main form, main button, main input, nav form').length")
            .await;
        assert_eq!(acting, 0, "{lang}: nothing to act with");
        // Let the page's stream connect, then a ticket is issued elsewhere.
        tokio::time::sleep(Duration::from_millis(500)).await;
        crate::support::tickets::issue(
            &app,
            &agent,
            "anfa",
            serde_json::json!({"service": "residence"}),
        )
        .await;
        browser.wait_for_text(waiting, issued, SOON).await;
        browser
            .screenshot(&format!("province-office-live-{lang}"))
            .await;
        browser.click("nav.site-nav a:nth-of-type(3)").await;
        browser.wait_for_text("#totals", "", SOON).await;
        let path = browser.eval("return location.pathname").await;
        assert_eq!(path, "/province/casa/sites/anfa/stats");
        browser
            .screenshot(&format!("province-office-stats-{lang}"))
            .await;
    }
    browser.close().await;
}
