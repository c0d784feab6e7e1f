//! Site events after commit, to whoever follows a site live.
//!
//! In this process, a tokio broadcast channel. A receiver that falls more
//! than the channel's capacity behind loses events (`Lagged`) and must
//! resync from the event log: the log, not the bus, is the truth.

use crate::store::events::EventRow;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Events kept for slow receivers before they lag.
const CAPACITY: usize = 4096;

#[derive(Debug, Clone)]
pub struct Bus {
    sender: broadcast::Sender<Arc<EventRow>>,
}

impl Default for Bus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
        }
    }
}

impl Bus {
    /// Publishes committed events, in order. Nobody listening is fine.
    pub fn publish(&self, events: Vec<EventRow>) {
        for event in events {
            let _ = self.sender.send(Arc::new(event));
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<EventRow>> {
        self.sender.subscribe()
    }
}
