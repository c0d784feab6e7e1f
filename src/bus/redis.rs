//! Sharing site events between instances over Redis pub/sub.
//!
//! One channel per deployment (`guichet:{deployment}:site-events`, so that
//! deployments sharing a Redis never mix) carries every site's events as JSON, each tagged with the
//! instance that committed it, so an instance skips its own (it delivered
//! them already). Publishing goes through a bounded queue and one task, so
//! a slow or absent Redis never delays a request; the subscriber is another
//! task. Both reconnect with backoff after any failure.

use crate::store::events::EventRow;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

/// Events waiting to be published; past this they are dropped (the other
/// instances fill the gap from the log).
const OUTBOX: usize = 16_384;
/// Messages sent in one pipeline at most.
const PUBLISH_BATCH: usize = 512;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(2);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

#[derive(Serialize, Deserialize)]
struct Message {
    origin: String,
    #[serde(flatten)]
    event: EventRow,
}

#[derive(Debug)]
pub(super) struct Remote {
    origin: String,
    outbox: mpsc::Sender<String>,
    publishing: Arc<AtomicBool>,
    subscribed: Arc<AtomicBool>,
    reconnected: Arc<Notify>,
}

impl Remote {
    pub(super) fn start(
        url: &str,
        deployment: &str,
        incoming: mpsc::Sender<EventRow>,
        shutdown: CancellationToken,
    ) -> anyhow::Result<Self> {
        let client = ::redis::Client::open(url)
            .map_err(|e| anyhow::anyhow!("REDIS_URL is not a Redis URL: {e}"))?;
        let origin = crate::secrets::new_id();
        let channel = format!("guichet:{deployment}:site-events");
        let (outbox, queue) = mpsc::channel(OUTBOX);
        let remote = Self {
            origin: origin.clone(),
            outbox,
            publishing: Arc::default(),
            subscribed: Arc::default(),
            reconnected: Arc::default(),
        };
        tokio::spawn(publish_loop(
            client.clone(),
            channel.clone(),
            queue,
            remote.publishing.clone(),
            shutdown.clone(),
        ));
        tokio::spawn(subscribe_loop(
            client,
            channel,
            origin,
            incoming,
            remote.subscribed.clone(),
            remote.reconnected.clone(),
            shutdown,
        ));
        Ok(remote)
    }

    pub(super) fn publish(&self, event: &EventRow) {
        let message = Message {
            origin: self.origin.clone(),
            event: event.clone(),
        };
        let Ok(text) = serde_json::to_string(&message) else {
            return;
        };
        if self.outbox.try_send(text).is_err() {
            tracing::warn!(
                "Redis publish queue full: other instances will read the event from the log"
            );
        }
    }

    pub(super) fn is_connected(&self) -> bool {
        self.publishing.load(Ordering::Relaxed) && self.subscribed.load(Ordering::Relaxed)
    }

    pub(super) fn reconnected(&self) -> &Notify {
        &self.reconnected
    }
}

/// 100 ms, doubling up to `MAX_BACKOFF`.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(100u64.saturating_mul(1 << attempt.min(6))).min(MAX_BACKOFF)
}

async fn publish_loop(
    client: ::redis::Client,
    channel: String,
    mut queue: mpsc::Receiver<String>,
    up: Arc<AtomicBool>,
    shutdown: CancellationToken,
) {
    let mut batch = Vec::with_capacity(PUBLISH_BATCH);
    loop {
        let connect = || client.get_multiplexed_async_connection();
        let Some(mut connection) = connect_with_backoff("publishing", &shutdown, connect).await
        else {
            return;
        };
        up.store(true, Ordering::Relaxed);
        loop {
            // Everything queued goes in one pipeline: one round trip for a
            // burst, so publishing keeps up however busy the instance is.
            let taken = tokio::select! {
                _ = shutdown.cancelled() => return,
                taken = queue.recv_many(&mut batch, PUBLISH_BATCH) => taken,
            };
            if taken == 0 {
                return;
            }
            let mut pipeline = ::redis::pipe();
            for text in batch.drain(..) {
                pipeline.cmd("PUBLISH").arg(&channel).arg(text).ignore();
            }
            let publish = pipeline.query_async::<()>(&mut connection);
            match tokio::time::timeout(PUBLISH_TIMEOUT, publish).await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    tracing::warn!(%error, "Redis publish failed; reconnecting");
                    break;
                }
                Err(_) => {
                    tracing::warn!("Redis publish timed out; reconnecting");
                    break;
                }
            }
        }
        up.store(false, Ordering::Relaxed);
    }
}

async fn subscribe_loop(
    client: ::redis::Client,
    channel: String,
    origin: String,
    incoming: mpsc::Sender<EventRow>,
    up: Arc<AtomicBool>,
    reconnected: Arc<Notify>,
    shutdown: CancellationToken,
) {
    let mut ever_up = false;
    loop {
        let subscribe = || async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok(pubsub)
        };
        let Some(pubsub) = connect_with_backoff("subscribing", &shutdown, subscribe).await else {
            return;
        };
        up.store(true, Ordering::Relaxed);
        if ever_up {
            tracing::info!("Redis is back: reading missed events from the log");
            reconnected.notify_one();
        }
        ever_up = true;
        let mut messages = pubsub.into_on_message();
        loop {
            let message = tokio::select! {
                _ = shutdown.cancelled() => return,
                message = messages.next() => message,
            };
            let Some(message) = message else { break };
            let Ok(text) = message.get_payload::<String>() else {
                continue;
            };
            match serde_json::from_str::<Message>(&text) {
                Ok(m) if m.origin == origin => {}
                Ok(m) => {
                    if incoming.try_send(m.event).is_err() {
                        tracing::warn!(
                            "live event queue full: an event will be read back from the log"
                        );
                    }
                }
                Err(error) => tracing::warn!(%error, "unreadable message on the event channel"),
            }
        }
        up.store(false, Ordering::Relaxed);
        tracing::warn!("Redis subscription lost; reconnecting");
    }
}

/// Runs `connect` until it succeeds, waiting longer after each failure;
/// `None` when the service shuts down first.
async fn connect_with_backoff<T, F, Fut>(
    what: &str,
    shutdown: &CancellationToken,
    mut connect: F,
) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ::redis::RedisError>>,
{
    let mut attempt = 0;
    loop {
        let outcome = tokio::select! {
            _ = shutdown.cancelled() => return None,
            outcome = tokio::time::timeout(CONNECT_TIMEOUT, connect()) => outcome,
        };
        match outcome {
            Ok(Ok(value)) => return Some(value),
            Ok(Err(error)) => tracing::warn!(%error, "Redis unreachable for {what}; retrying"),
            Err(_) => tracing::warn!("Redis did not answer in time for {what}; retrying"),
        }
        wait(shutdown, backoff(attempt)).await;
        attempt += 1;
    }
}

async fn wait(shutdown: &CancellationToken, duration: Duration) {
    tokio::select! {
        _ = shutdown.cancelled() => {}
        _ = tokio::time::sleep(duration) => {}
    }
}
