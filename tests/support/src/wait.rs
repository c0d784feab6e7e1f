//! Waiting for something to happen: poll a condition until it holds or a
//! deadline passes, never a sleep that guesses how long it takes.

use std::time::{Duration, Instant};

/// How often a condition is looked at again.
const POLL: Duration = Duration::from_millis(50);

/// Polls `check` until it holds, or panics after `within` saying `what`
/// did not happen.
pub async fn eventually(within: Duration, what: &str, check: impl AsyncFnMut() -> bool) {
    assert!(
        holds_within(within, check).await,
        "{what}: not within {within:?}"
    );
}

/// Polls `check` until it holds (true) or `within` has passed (false), for
/// a test that says more than [`eventually`] when it does not.
pub async fn holds_within(within: Duration, mut check: impl AsyncFnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Polls `read` until it gives a value, and returns it; panics after
/// `within` saying `what` never came.
pub async fn until_some<T>(
    within: Duration,
    what: &str,
    mut read: impl AsyncFnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(value) = read().await {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(POLL).await;
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Waits until `port` accepts connections, or panics after `within`.
pub async fn wait_for_port(port: u16, within: Duration, what: &str) {
    eventually(within, &format!("{what} listening"), async || {
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
    })
    .await;
}

/// Checks `check` again and again for the whole of `during`, and panics
/// saying `what` at the first time it does not hold. For what must *not*
/// happen (no second send, no retry before its time) a window is the
/// subject of the test: this is the one wait that lasts its full length.
pub async fn throughout(during: Duration, what: &str, mut check: impl AsyncFnMut() -> bool) {
    let end = Instant::now() + during;
    loop {
        assert!(check().await, "{what}");
        if Instant::now() >= end {
            return;
        }
        tokio::time::sleep(POLL).await;
    }
}
