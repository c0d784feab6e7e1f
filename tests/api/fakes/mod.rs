//! Stand-ins for what lives outside the machine, and only that: Twilio's SMS
//! API, an SMTP relay, and a third party receiving Guichet's webhooks. Each
//! listens on 127.0.0.1 on a port of its own, records everything it receives,
//! can be scripted to fail, and stops when dropped.

// Shared by many test files; not every file uses every method or field.
#![allow(dead_code)]

pub mod receiver;
pub mod smtp;
pub mod twilio;

use std::net::SocketAddr;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Serves `app` on a fresh local port until `stop` is cancelled.
async fn serve_http(app: axum::Router, stop: CancellationToken) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("fake: bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("fake: local address");
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await
            .ok();
    });
    addr
}

/// Calls `current` again and again until it yields at least `n` items or `within`
/// has passed, and returns its last answer (which may be short).
async fn poll_until<T>(n: usize, within: Duration, current: impl Fn() -> Vec<T>) -> Vec<T> {
    guichet_test_support::holds_within(within, async || current().len() >= n).await;
    current()
}
