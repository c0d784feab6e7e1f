//! What this instance has done, counted for Prometheus: the site events it
//! committed (calls, no-shows, …), the bookings refused because a slot or
//! a phone was taken, the outcomes of its message sends, the live
//! sockets it refused because a cap was reached, and how its tickets'
//! steps were written. Counters are
//! per instance and only grow; summed over instances they count each thing
//! once, since an event is published by the instance that committed it.

use super::live::places::Refused;
use crate::store::events::EventRow;
use crate::store::queue::Way;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    site: String,
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConflictLabels {
    site: String,
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SendLabels {
    channel: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RefusedLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StepLabels {
    way: &'static str,
}

/// Cheap to clone: the families are shared handles.
#[derive(Clone, Debug, Default)]
pub struct Activity {
    events: Family<EventLabels, Counter>,
    booking_conflicts: Family<ConflictLabels, Counter>,
    sends: Family<SendLabels, Counter>,
    live_refused: Family<RefusedLabels, Counter>,
    steps: Family<StepLabels, Counter>,
}

impl Activity {
    /// Adds these counters to a registry (with its `guichet_` prefix).
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "site_events",
            "Site events committed by this instance, by kind (ticket.called is a call, ticket.no_show a no-show)",
            self.events.clone(),
        );
        registry.register(
            "booking_conflicts",
            "Bookings and reschedules refused because the slot was full or the phone already booked",
            self.booking_conflicts.clone(),
        );
        registry.register(
            "outbox_sends",
            "Message send attempts by channel and outcome (sent, retry, dead)",
            self.sends.clone(),
        );
        // Both reasons are listed from the start, at 0.
        for reason in [Refused::Address, Refused::Instance] {
            let _ = self.live_refused.get_or_create(&RefusedLabels {
                reason: reason.as_str(),
            });
        }
        registry.register(
            "live_refused",
            "Live socket upgrades refused because the client's address (address) or this instance (instance) held all the sockets it may",
            self.live_refused.clone(),
        );
        registry.register(
            "queue_steps",
            "Ticket steps (recall, start, complete, no-show, cancel) by how they were written: in a transaction (transaction, SQLite), without one on PostgreSQL (unlocked), or again in one because the ticket changed or the step needed more (retried)",
            self.steps.clone(),
        );
    }

    /// A ticket's step (start, complete…) written, and how.
    pub fn step(&self, way: Way) {
        self.steps
            .get_or_create(&StepLabels { way: way.as_str() })
            .inc();
    }

    pub fn live_refused(&self, reason: Refused) {
        self.live_refused
            .get_or_create(&RefusedLabels {
                reason: reason.as_str(),
            })
            .inc();
    }

    pub fn events(&self, events: &[EventRow]) {
        for event in events {
            self.events
                .get_or_create(&EventLabels {
                    site: event.site_id.clone(),
                    kind: event.kind.clone(),
                })
                .inc();
        }
    }

    pub fn booking_conflict(&self, site: &str, reason: &str) {
        self.booking_conflicts
            .get_or_create(&ConflictLabels {
                site: site.to_owned(),
                reason: reason.to_owned(),
            })
            .inc();
    }
}

impl crate::notify::worker::SendCounts for Activity {
    fn sent(&self, channel: &str, outcome: &str) {
        self.sends
            .get_or_create(&SendLabels {
                channel: channel.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }
}
