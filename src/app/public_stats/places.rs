//! Where people waited: remote tickets' time at home (joining to check-in)
//! and in the lobby (check-in to the call), and everyone's time in the
//! lobby (a remote ticket's check-in, anyone else's ticket, to the call).
//! Published only when at least `MIN_TICKETS` remote tickets were checked
//! in and called: the same small-count rule as the waits per service.

use super::MIN_TICKETS;
use crate::store::public_stats::PlaceRow;
use serde::Serialize;
use utoipa::ToSchema;

/// Minutes spent waiting at home and in the lobby over the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct PlaceFigures {
    /// Remote tickets checked in and called: what the figures rest on.
    pub remote_tickets: i64,
    /// Whether there were at least `min_tickets`; the figures are left out
    /// otherwise.
    pub enough_data: bool,
    /// Remote tickets: the median time from joining to check-in, to the
    /// nearest minute.
    pub remote_home_median_minutes: Option<i64>,
    /// Remote tickets: the median time from check-in to the call.
    pub remote_lobby_median_minutes: Option<i64>,
    /// Everyone called: the median time in the lobby before the call.
    pub lobby_median_minutes: Option<i64>,
}

/// The figures from the store's medians per place.
pub fn figures(rows: &[PlaceRow]) -> PlaceFigures {
    let row = |place: &str| rows.iter().find(|r| r.place == place);
    let remote_tickets = row("lobby").map_or(0, |r| r.tickets);
    let enough = remote_tickets >= MIN_TICKETS;
    let median = |place: &str| {
        row(place)
            .filter(|_| enough)
            .map(|r| ((r.median_low_ms + r.median_high_ms) / 2 + 30_000).div_euclid(60_000))
    };
    PlaceFigures {
        remote_tickets,
        enough_data: enough,
        remote_home_median_minutes: median("home"),
        remote_lobby_median_minutes: median("lobby"),
        lobby_median_minutes: median("everyone"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(place: &str, tickets: i64, low: i64, high: i64) -> PlaceRow {
        PlaceRow {
            place: place.to_owned(),
            tickets,
            median_low_ms: low,
            median_high_ms: high,
        }
    }

    #[test]
    fn medians_in_minutes_once_there_are_enough_remote_tickets() {
        let rows = [
            row("everyone", 30, 600_000, 660_000),
            row("home", 12, 1_500_000, 1_500_000),
            row("lobby", MIN_TICKETS, 240_000, 290_000),
        ];
        assert_eq!(
            figures(&rows),
            PlaceFigures {
                remote_tickets: MIN_TICKETS,
                enough_data: true,
                remote_home_median_minutes: Some(25),
                // 265 s, four minutes and 25 s, is four to the nearest minute.
                remote_lobby_median_minutes: Some(4),
                lobby_median_minutes: Some(11),
            }
        );
    }

    #[test]
    fn too_few_remote_tickets_publish_no_figure() {
        let rows = [
            row("everyone", 300, 600_000, 600_000),
            row("home", 9, 60_000, 60_000),
            row("lobby", MIN_TICKETS - 1, 60_000, 60_000),
        ];
        let f = figures(&rows);
        assert_eq!((f.remote_tickets, f.enough_data), (MIN_TICKETS - 1, false));
        assert_eq!(f.remote_home_median_minutes, None);
        assert_eq!(f.remote_lobby_median_minutes, None);
        assert_eq!(f.lobby_median_minutes, None, "nothing to compare it with");
        assert_eq!(figures(&[]), PlaceFigures::default());
    }
}
