//! Document requests: the certificate a citizen asked for, from filing to
//! handing over.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Submitted,
    Processing,
    Ready,
    Delivered,
    Rejected,
}

impl RequestStatus {
    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "submitted" => Self::Submitted,
            "processing" => Self::Processing,
            "ready" => Self::Ready,
            "delivered" => Self::Delivered,
            "rejected" => Self::Rejected,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Processing => "processing",
            Self::Ready => "ready",
            Self::Delivered => "delivered",
            Self::Rejected => "rejected",
        }
    }

    /// Whether a request may move from `self` to `next`: forward along
    /// `submitted → processing → ready → delivered` (a simple certificate
    /// may be ready at once), or to `rejected` before it is ready.
    pub fn may_become(self, next: Self) -> bool {
        use RequestStatus::*;
        matches!(
            (self, next),
            (Submitted, Processing)
                | (Submitted | Processing, Ready)
                | (Ready, Delivered)
                | (Submitted | Processing, Rejected)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::RequestStatus::{self, *};

    #[test]
    fn requests_move_forward_or_are_rejected_before_ready() {
        let all = [Submitted, Processing, Ready, Delivered, Rejected];
        let allowed: Vec<(RequestStatus, RequestStatus)> = all
            .iter()
            .flat_map(|a| all.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a.may_become(*b))
            .collect();
        assert_eq!(
            allowed,
            [
                (Submitted, Processing),
                (Submitted, Ready),
                (Submitted, Rejected),
                (Processing, Ready),
                (Processing, Rejected),
                (Ready, Delivered)
            ]
        );
        for s in all {
            assert_eq!(RequestStatus::parse(s.as_str()), Some(s));
        }
    }
}
