//! Site events after commit, carried to every instance's live subscribers.
//!
//! Every event committed on this instance is handed at once to its own hub
//! (`app::live`), which orders it and fans it out to sockets. With Redis,
//! each event is also published on one channel for the other instances, and
//! theirs come in the same way. Redis pub/sub may drop messages and
//! instances publish in no agreed order: `order` puts each site's events
//! back in sequence and the hub fills any gap from the event log, which is
//! the truth. If Redis goes away, this instance's own subscribers are still
//! served; the bus reconnects with backoff and says it is degraded.

pub mod order;
mod redis;

use crate::store::events::EventRow;
use std::sync::Mutex;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

/// Events waiting for the hub; past this, new ones are dropped with a
/// warning and later filled from the log.
const INCOMING: usize = 65_536;

#[derive(Debug)]
pub struct Bus {
    incoming: mpsc::Sender<EventRow>,
    receiver: Mutex<Option<mpsc::Receiver<EventRow>>>,
    remote: Option<redis::Remote>,
}

/// What `/readyz` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusState {
    InProcess,
    Connected,
    /// Redis unreachable: only this instance's subscribers see its events.
    Degraded,
}

impl BusState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProcess => "in-process",
            Self::Connected => "redis",
            Self::Degraded => "degraded",
        }
    }
}

impl Default for Bus {
    fn default() -> Self {
        Self::in_process()
    }
}

impl Bus {
    /// Events stay in this process.
    pub fn in_process() -> Self {
        let (incoming, receiver) = mpsc::channel(INCOMING);
        Self {
            incoming,
            receiver: Mutex::new(Some(receiver)),
            remote: None,
        }
    }

    /// Events are shared through Redis with the other instances of the
    /// same deployment. Connects in the background (and again after any
    /// failure) until `shutdown`.
    pub fn redis(url: &str, deployment: &str, shutdown: CancellationToken) -> anyhow::Result<Self> {
        let (incoming, receiver) = mpsc::channel(INCOMING);
        let remote = redis::Remote::start(url, deployment, incoming.clone(), shutdown)?;
        Ok(Self {
            incoming,
            receiver: Mutex::new(Some(receiver)),
            remote: Some(remote),
        })
    }

    /// Publishes committed events, in order. Never waits: a full queue
    /// drops the event here, and the log fills the gap later.
    pub fn publish(&self, events: Vec<EventRow>) {
        for event in events {
            if let Some(remote) = &self.remote {
                remote.publish(&event);
            }
            if self.incoming.try_send(event).is_err() {
                tracing::warn!("live event queue full: an event will be read back from the log");
            }
        }
    }

    /// The events for this instance's hub; there is one taker.
    pub fn take_incoming(&self) -> Option<mpsc::Receiver<EventRow>> {
        crate::sync::lock(&self.receiver).take()
    }

    pub fn state(&self) -> BusState {
        match &self.remote {
            None => BusState::InProcess,
            Some(remote) if remote.is_connected() => BusState::Connected,
            Some(_) => BusState::Degraded,
        }
    }

    /// Whether events of other instances come through here (and so may be
    /// lost on the way).
    pub fn is_shared(&self) -> bool {
        self.remote.is_some()
    }

    /// Notified when Redis comes back after an outage: what was published
    /// meanwhile must be read from the log.
    pub fn reconnected(&self) -> Option<&Notify> {
        self.remote.as_ref().map(|r| r.reconnected())
    }
}
