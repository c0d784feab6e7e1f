//! Site events: every kind a change of a site's queue or counters appends
//! to the site's log, with its payload (docs/api.md, "Site events").
//!
//! The log stores an event as its kind and its payload as JSON text
//! (`kind()` and `payload()`); subscribers get `{type, seq, at, …payload}`.
//! Payloads carry no name, phone or ticket id.

use super::ticket::{Action, Priority, Status};
use serde::Serialize;

/// One event, as a use case appends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type")]
pub enum SiteEvent {
    #[serde(rename = "ticket.issued")]
    TicketIssued {
        number: String,
        service: String,
        priority: Priority,
        /// The appointment's reference, for a check-in.
        #[serde(skip_serializing_if = "Option::is_none")]
        appointment: Option<String>,
    },
    #[serde(rename = "ticket.called")]
    TicketCalled {
        number: String,
        service: String,
        counter: String,
        counter_label: String,
    },
    #[serde(rename = "ticket.recalled")]
    TicketRecalled(TicketChange),
    #[serde(rename = "ticket.serving")]
    TicketServing(TicketChange),
    #[serde(rename = "ticket.done")]
    TicketDone(TicketChange),
    #[serde(rename = "ticket.no_show")]
    TicketNoShow(TicketChange),
    #[serde(rename = "ticket.cancelled")]
    TicketCancelled(TicketChange),
    #[serde(rename = "ticket.transferred")]
    TicketTransferred {
        number: String,
        /// The service it left.
        from: String,
        service: String,
    },
    /// A remote ticket's holder is at the office: it may now be called.
    #[serde(rename = "ticket.present")]
    TicketPresent { number: String, service: String },
    /// A remote ticket's turn came while its holder was away: it is held
    /// aside until they check in, or lapses after the site's grace.
    #[serde(rename = "ticket.held")]
    TicketHeld { number: String, service: String },
    #[serde(rename = "queue.changed")]
    QueueChanged { services: Vec<ServiceLoad> },
    #[serde(rename = "counter.changed")]
    CounterChanged { counter: CounterState },
}

/// A ticket recalled, being served, or ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketChange {
    pub number: String,
    pub service: String,
    /// Its status after the change.
    pub status: Status,
    /// The counter it is at, if any, and its label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter_label: Option<String>,
    /// Times called again, on a recall only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recalls: Option<i64>,
    /// Why the service ended it (`end_of_day`), when no one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

/// The load of one service's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ServiceLoad {
    pub id: String,
    pub waiting: i64,
    pub estimated_wait_seconds: i64,
}

/// A counter and its state, as `counter.changed` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounterState {
    pub id: String,
    pub label: String,
    /// `open`, `paused` or `closed`.
    pub state: String,
}

impl SiteEvent {
    /// The event of an agent's (or a holder's) `action` on a ticket; `None`
    /// for a transfer, which says where the ticket went
    /// (`TicketTransferred`).
    pub fn acted(action: Action, change: TicketChange) -> Option<Self> {
        Some(match action {
            Action::Recall => Self::TicketRecalled(change),
            Action::Start => Self::TicketServing(change),
            Action::Complete => Self::TicketDone(change),
            Action::NoShow => Self::TicketNoShow(change),
            Action::Cancel => Self::TicketCancelled(change),
            Action::Transfer => return None,
        })
    }

    /// The kind, as stored and sent in `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TicketIssued { .. } => "ticket.issued",
            Self::TicketCalled { .. } => "ticket.called",
            Self::TicketRecalled(_) => "ticket.recalled",
            Self::TicketServing(_) => "ticket.serving",
            Self::TicketDone(_) => "ticket.done",
            Self::TicketNoShow(_) => "ticket.no_show",
            Self::TicketCancelled(_) => "ticket.cancelled",
            Self::TicketTransferred { .. } => "ticket.transferred",
            Self::TicketPresent { .. } => "ticket.present",
            Self::TicketHeld { .. } => "ticket.held",
            Self::QueueChanged { .. } => "queue.changed",
            Self::CounterChanged { .. } => "counter.changed",
        }
    }

    /// The payload as stored: a JSON object of the kind's fields, keys in
    /// alphabetical order, without `type`.
    pub fn payload(&self) -> String {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(fields) = value.as_object_mut() {
            fields.remove("type");
        }
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(status: Status) -> TicketChange {
        TicketChange {
            number: "A001".into(),
            service: "cni".into(),
            status,
            counter: None,
            counter_label: None,
            recalls: None,
            reason: None,
        }
    }

    #[test]
    fn kind_is_the_serialized_tag() {
        let events = [
            SiteEvent::TicketIssued {
                number: "A001".into(),
                service: "cni".into(),
                priority: Priority::Normal,
                appointment: None,
            },
            SiteEvent::TicketCalled {
                number: "A001".into(),
                service: "cni".into(),
                counter: "g1".into(),
                counter_label: "Guichet 1".into(),
            },
            SiteEvent::TicketRecalled(change(Status::Called)),
            SiteEvent::TicketServing(change(Status::Serving)),
            SiteEvent::TicketDone(change(Status::Done)),
            SiteEvent::TicketNoShow(change(Status::NoShow)),
            SiteEvent::TicketCancelled(change(Status::Cancelled)),
            SiteEvent::TicketTransferred {
                number: "A001".into(),
                from: "cni".into(),
                service: "passport".into(),
            },
            SiteEvent::TicketPresent {
                number: "A001".into(),
                service: "cni".into(),
            },
            SiteEvent::TicketHeld {
                number: "A001".into(),
                service: "cni".into(),
            },
            SiteEvent::QueueChanged { services: vec![] },
            SiteEvent::CounterChanged {
                counter: CounterState {
                    id: "g1".into(),
                    label: "Guichet 1".into(),
                    state: "open".into(),
                },
            },
        ];
        for event in events {
            let value = serde_json::to_value(&event).unwrap();
            assert_eq!(value["type"], event.kind());
        }
    }

    #[test]
    fn payloads_keep_their_wire_format() {
        let issued = SiteEvent::TicketIssued {
            number: "A001".into(),
            service: "cni".into(),
            priority: Priority::Appointment,
            appointment: Some("RDV-1".into()),
        };
        assert_eq!(
            issued.payload(),
            r#"{"appointment":"RDV-1","number":"A001","priority":"appointment","service":"cni"}"#
        );
        let recalled = SiteEvent::TicketRecalled(TicketChange {
            counter: Some("g1".into()),
            counter_label: Some("Guichet 1".into()),
            recalls: Some(2),
            ..change(Status::Called)
        });
        assert_eq!(
            recalled.payload(),
            r#"{"counter":"g1","counter_label":"Guichet 1","number":"A001","recalls":2,"service":"cni","status":"called"}"#
        );
        let closed = SiteEvent::TicketNoShow(TicketChange {
            reason: Some("end_of_day"),
            ..change(Status::NoShow)
        });
        assert_eq!(
            closed.payload(),
            r#"{"number":"A001","reason":"end_of_day","service":"cni","status":"no_show"}"#
        );
        let changed = SiteEvent::QueueChanged {
            services: vec![ServiceLoad {
                id: "cni".into(),
                waiting: 3,
                estimated_wait_seconds: 540,
            }],
        };
        assert_eq!(
            changed.payload(),
            r#"{"services":[{"estimated_wait_seconds":540,"id":"cni","waiting":3}]}"#
        );
    }
}
