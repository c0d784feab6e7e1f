//! Tickets: their numbers, classes and lifecycle.
//!
//! `waiting → called → serving → done`, with `no_show` and `cancelled` as
//! the other ends. A transfer sends a called or serving ticket back to
//! `waiting` in another service, keeping its number and issue time.

use super::Invalid;
use serde::{Deserialize, Serialize};

/// The visible number: the service's prefix and a sequence of at least three
/// digits (`A001` … `A999`, then `A1000` rather than wrapping into a duplicate).
pub fn format_number(prefix: &str, sequence: i64) -> String {
    format!("{prefix}{sequence:03}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Waiting,
    Called,
    Serving,
    Done,
    NoShow,
    Cancelled,
}

impl Status {
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "waiting" => Self::Waiting,
            "called" => Self::Called,
            "serving" => Self::Serving,
            "done" => Self::Done,
            "no_show" => Self::NoShow,
            "cancelled" => Self::Cancelled,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Called => "called",
            Self::Serving => "serving",
            Self::Done => "done",
            Self::NoShow => "no_show",
            Self::Cancelled => "cancelled",
        }
    }
}

/// Queue class: appointment check-ins that are due go first, then
/// priority (elderly, disabled, pregnant), then everyone else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Normal,
    Priority,
    Appointment,
}

impl Priority {
    pub fn parse(value: &str) -> Result<Self, Invalid> {
        match value {
            "normal" => Ok(Self::Normal),
            "priority" => Ok(Self::Priority),
            "appointment" => Ok(Self::Appointment),
            _ => Err(Invalid::new("priority", "normal or priority")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Priority => "priority",
            Self::Appointment => "appointment",
        }
    }
}

/// What an agent does to a ticket once it has been called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Recall,
    Start,
    Complete,
    NoShow,
    Cancel,
    Transfer,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Self::Recall => "recall",
            Self::Start => "start",
            Self::Complete => "complete",
            Self::NoShow => "no-show",
            Self::Cancel => "cancel",
            Self::Transfer => "transfer",
        }
    }
}

/// Why a transition is refused (a 409 for the client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    WrongState(Status),
    TooFewRecalls { needed: i64 },
}

/// The status after `action`, or why it may not happen. `recalls` is how
/// many times the ticket has been recalled; `min_recalls` the site's rule
/// before a no-show.
pub fn transition(
    from: Status,
    action: Action,
    recalls: i64,
    min_recalls: i64,
) -> Result<Status, Refusal> {
    use Status::*;
    match (action, from) {
        (Action::Recall, Called) => Ok(Called),
        (Action::Start, Called) => Ok(Serving),
        (Action::Complete, Called | Serving) => Ok(Done),
        (Action::NoShow, Called) if recalls < min_recalls => Err(Refusal::TooFewRecalls {
            needed: min_recalls,
        }),
        (Action::NoShow, Called) => Ok(NoShow),
        (Action::Cancel, Waiting | Called) => Ok(Cancelled),
        (Action::Transfer, Called | Serving) => Ok(Waiting),
        (_, state) => Err(Refusal::WrongState(state)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_never_wrap() {
        assert_eq!(format_number("A", 1), "A001");
        assert_eq!(format_number("A", 42), "A042");
        assert_eq!(format_number("A", 999), "A999");
        assert_eq!(format_number("A", 1000), "A1000");
    }

    #[test]
    fn lifecycle() {
        use Action::*;
        assert_eq!(transition(Status::Called, Start, 0, 1), Ok(Status::Serving));
        assert_eq!(
            transition(Status::Serving, Complete, 0, 1),
            Ok(Status::Done)
        );
        assert_eq!(transition(Status::Called, Recall, 3, 1), Ok(Status::Called));
        assert_eq!(
            transition(Status::Serving, Transfer, 0, 1),
            Ok(Status::Waiting)
        );
        assert_eq!(
            transition(Status::Waiting, Cancel, 0, 1),
            Ok(Status::Cancelled)
        );
        assert_eq!(
            transition(Status::Done, Complete, 0, 1),
            Err(Refusal::WrongState(Status::Done))
        );
        assert_eq!(
            transition(Status::Waiting, Start, 0, 1),
            Err(Refusal::WrongState(Status::Waiting))
        );
        assert_eq!(
            transition(Status::Serving, Cancel, 0, 1),
            Err(Refusal::WrongState(Status::Serving))
        );
        assert_eq!(
            transition(Status::Serving, Recall, 0, 1),
            Err(Refusal::WrongState(Status::Serving))
        );
    }

    #[test]
    fn no_show_needs_the_minimum_recalls() {
        assert_eq!(
            transition(Status::Called, Action::NoShow, 1, 2),
            Err(Refusal::TooFewRecalls { needed: 2 })
        );
        assert_eq!(
            transition(Status::Called, Action::NoShow, 2, 2),
            Ok(Status::NoShow)
        );
        assert_eq!(
            transition(Status::Called, Action::NoShow, 0, 0),
            Ok(Status::NoShow)
        );
    }

    #[test]
    fn statuses_round_trip() {
        for s in [
            Status::Waiting,
            Status::Called,
            Status::Serving,
            Status::Done,
            Status::NoShow,
            Status::Cancelled,
        ] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert!(Priority::parse("vip").is_err());
    }
}
