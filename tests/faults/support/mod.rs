//! What the fault tests share: private servers that a test may stop or
//! kill (`postgres`, `redis`), `guichet serve` processes (`guichet`), an
//! office set up through the API (`office`), the tally of a load's answers
//! (`tally`) and a lobby screen that reconnects like the display script
//! (`screen`). Every process started here is killed when its guard is
//! dropped, also when a test panics.

// Not every test uses every helper.
#![allow(dead_code)]

pub mod guichet;
pub mod office;
pub mod postgres;
pub mod redis;
pub mod screen;
pub mod tally;

use std::time::{Duration, Instant};

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Waits until `port` accepts connections, or panics after `within`.
pub async fn wait_for_port(port: u16, within: Duration, what: &str) {
    let deadline = Instant::now() + within;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "{what} did not start listening");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls `check` every 100 ms until it holds, or panics after `within`.
pub async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
