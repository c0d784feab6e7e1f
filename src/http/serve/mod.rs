//! Serving HTTP/1.1 connections: the accept loop in front of the router,
//! with the limits that keep a slow or greedy client from holding the
//! instance's connections:
//!
//! - at most `max_connections` open at once (WebSockets included); one more
//!   is closed as soon as it is accepted, not queued;
//! - a request's head must arrive within the header timeout, and a
//!   kept-alive connection may sit idle between requests for the idle
//!   timeout (`watch`);
//! - a request must be answered within the request timeout, else 408
//!   (`http::timeout`, a layer of the router), and its answer sent within
//!   that time again, else the connection is cut (a client that stops
//!   reading). An upgraded WebSocket has left all of them: its own pings
//!   and silences govern it (`http::live`).
//!
//! Each cut is counted in `/metrics` (`counts`). At shutdown the loop stops
//! accepting, idle connections close, and requests in flight finish; the
//! sockets are closed by their own tasks (`App::sockets`).

mod counts;
mod watch;

pub use counts::{ConnectionCounts, Cut};

use crate::config::Config;
use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;
use watch::{Guarded, Watch, Watched};

/// The connection limits of one instance.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header: Duration,
    pub request: Duration,
    /// The request bound of a capsule's upload.
    pub upload: Duration,
    pub idle: Duration,
    pub max_connections: usize,
}

impl Limits {
    pub fn of(config: &Config) -> Self {
        Self {
            header: Duration::from_secs(config.header_timeout_secs),
            request: Duration::from_secs(config.request_timeout_secs),
            upload: Duration::from_secs(config.upload_timeout_secs),
            idle: Duration::from_secs(config.idle_timeout_secs),
            max_connections: config.max_connections as usize,
        }
    }
}

/// Serves `router` on `listener` until `shutdown`, then waits for the
/// connections to finish; `counts` are the cuts `/metrics` reports. `tune` adjusts each accepted socket.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    counts: ConnectionCounts,
    limits: Limits,
    tune: fn(&mut TcpStream),
    shutdown: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let connections = TaskTracker::new();
    loop {
        let (mut stream, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    not_accepted(error, &shutdown).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            counts.cut(Cut::OverCapacity);
            tracing::debug!(%peer, "connection refused: too many open");
            continue;
        };
        tune(&mut stream);
        let connection = Connection {
            peer,
            limits,
            counts: counts.clone(),
            router: router.clone(),
        };
        connections.spawn(connection.run(stream, slot, shutdown.clone()));
    }
    drop(listener);
    connections.close();
    connections.wait().await;
}

/// Failing to accept is mostly the peer's doing (it left already); running
/// out of file descriptors is not, and waiting a moment lets some close.
async fn not_accepted(error: std::io::Error, shutdown: &CancellationToken) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!(%error, "could not accept a connection; trying again in a second");
    tokio::select! {
        _ = shutdown.cancelled() => {}
        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
    }
}

/// One accepted connection.
struct Connection {
    peer: SocketAddr,
    limits: Limits,
    counts: ConnectionCounts,
    router: Router,
}

impl Connection {
    /// Serves the connection's requests until it closes, is cut, or is
    /// upgraded to a WebSocket (which then goes on in its own task).
    async fn run(self, stream: TcpStream, slot: OwnedSemaphorePermit, stop: CancellationToken) {
        let Self {
            peer,
            limits,
            counts,
            router,
        } = self;
        let watch = Arc::new(Watch::new(limits.header, limits.idle));
        let io = TokioIo::new(Watched::new(stream, watch.clone(), counts.clone(), slot));
        let requests = watch.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let busy = requests.request_started();
            let answer = router.clone().oneshot(request);
            let requests = requests.clone();
            async move {
                let answer = answer.await?;
                requests.answering(limits.request);
                Ok::<_, Infallible>(answer.map(|body| Guarded { body, _busy: busy }))
            }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .serve_connection(io, service)
            .with_upgrades();
        tokio::pin!(connection);
        let mut closing = false;
        loop {
            let deadline = watch.deadline();
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(error) = served {
                        tracing::debug!(%peer, %error, "connection ended with an error");
                    }
                    return;
                }
                _ = stop.cancelled(), if !closing => {
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
                _ = sleep_until(deadline) => {
                    if let Some(reason) = watch.expired() {
                        counts.cut(reason);
                        tracing::debug!(%peer, reason = reason.as_str(), "connection cut");
                        return;
                    }
                }
                _ = watch.changed() => {}
            }
        }
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
