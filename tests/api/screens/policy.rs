//! The Content-Security-Policy as the browser enforces it: the lobby's
//! live socket (same host, `ws:`) is allowed, and what the policy forbids
//! is both blocked and seen by the watch every browser test relies on
//! (`Browser::close` fails a test on any violation).

use crate::browser::{Browser, TV};
use crate::helpers::{Backend, spawn_app};
use std::time::{Duration, Instant};

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_policy_allows_the_live_socket_and_blocks_other_hosts() {
    let _turn = crate::browser::turn().await;
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.admin().await;
    app.seed_site(&admin, "casa-maarif").await;
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
    let started = Instant::now();
    let mut state = serde_json::Value::Null;
    while state.is_null() && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        state = browser.eval("return window.__opened;").await;
    }
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
    let started = Instant::now();
    let mut violations = Vec::new();
    while violations.is_empty() && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        violations = browser.policy_violations().await;
    }
    assert!(
        violations.iter().any(|v| v.starts_with("connect-src")),
        "{violations:?}"
    );
    // Not `close()`: the violation here is the point.
}
