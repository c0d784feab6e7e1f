//! The Content-Security-Policy as the browser enforces it: the lobby's
//! live socket (same host, `ws:`) is allowed, and what the policy forbids
//! is both blocked and seen by the watch every browser test relies on
//! (`Browser::close` fails a test on any violation).

use crate::support::browser::{Browser, TV};
use crate::support::sites::seed_site;
use guichet_test_support::{TestApp, until_some};
use std::time::Duration;

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_policy_allows_the_live_socket_and_blocks_other_hosts() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    seed_site(&app, &admin, "casa-maarif").await;
    let browser = Browser::open(TV).await;
    browser
        .goto(&format!("{}/display/casa-maarif", app.base))
        .await;
    // A socket to this host opens under `connect-src 'self'`.
    let opened = browser
        .eval(
            "var socket = new WebSocket(location.origin.replace('http', 'ws') + '/ws/sites/casa-maarif');
             window.__opened = null;
             socket.onopen = function () { window.__opened = true; socket.close(); };
             socket.onerror = function () { window.__opened = false; };
             return null;",
        )
        .await;
    assert!(opened.is_null());
    let opened = async || browser.eval("return window.__opened;").await;
    let state = until_some(
        Duration::from_secs(5),
        "the socket opened or refused",
        async || Some(opened().await).filter(|state| !state.is_null()),
    )
    .await;
    assert_eq!(
        state,
        serde_json::Value::Bool(true),
        "the same-host socket opens"
    );
    assert!(browser.policy_violations().await.is_empty());
    // Another host is refused, and the refusal is seen.
    browser
        .eval("try { new WebSocket('ws://192.0.2.1:9/'); } catch (e) {} return null;")
        .await;
    let violations = until_some(Duration::from_secs(5), "a violation seen", async || {
        Some(browser.policy_violations().await).filter(|seen| !seen.is_empty())
    })
    .await;
    assert!(
        violations.iter().any(|v| v.starts_with("connect-src")),
        "{violations:?}"
    );
    // Not `close()`: the violation here is the point.
}
