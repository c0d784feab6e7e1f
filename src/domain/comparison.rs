//! The columns of a province's comparison of its offices and how each
//! ranks them: pure, so the API, the CSV, the page and the monthly report
//! rank alike.
//!
//! Rank 1 is the best office for that column: the most visits, the
//! shortest waits and service, the fewest no-shows, the highest shares
//! and score. Equal values share a rank (1, 1, 3); an office with no
//! value for a column (nothing to measure) has no rank there and comes
//! last when sorted by it.

use super::Invalid;
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Visits,
    MedianWait,
    P90Wait,
    MedianService,
    NoShowShare,
    RequestsOnTime,
    ComplaintsInTime,
    FeedbackScore,
    AppointmentsKept,
}

impl Column {
    pub const ALL: [Column; 9] = [
        Self::Visits,
        Self::MedianWait,
        Self::P90Wait,
        Self::MedianService,
        Self::NoShowShare,
        Self::RequestsOnTime,
        Self::ComplaintsInTime,
        Self::FeedbackScore,
        Self::AppointmentsKept,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visits => "visits",
            Self::MedianWait => "median_wait",
            Self::P90Wait => "p90_wait",
            Self::MedianService => "median_service",
            Self::NoShowShare => "no_show_share",
            Self::RequestsOnTime => "requests_on_time",
            Self::ComplaintsInTime => "complaints_in_time",
            Self::FeedbackScore => "feedback_score",
            Self::AppointmentsKept => "appointments_kept",
        }
    }

    /// A column's name, or `site` (by office id) when `None`.
    pub fn parse(value: &str) -> Result<Option<Self>, Invalid> {
        if value == "site" {
            return Ok(None);
        }
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == value)
            .map(Some)
            .ok_or_else(|| Invalid::new("sort", "site or one of the comparison's columns"))
    }

    /// Whether a higher value ranks better.
    pub fn higher_is_better(self) -> bool {
        !matches!(
            self,
            Self::MedianWait | Self::P90Wait | Self::MedianService | Self::NoShowShare
        )
    }
}

/// Each value's rank (1 = best), equal values sharing one; `None` for no
/// value.
pub fn ranks(values: &[Option<f64>], higher_is_better: bool) -> Vec<Option<u32>> {
    let better = |a: f64, b: f64| {
        if higher_is_better { a > b } else { a < b }
    };
    values
        .iter()
        .map(|value| {
            let value = (*value)?;
            let ahead = values
                .iter()
                .flatten()
                .filter(|other| better(**other, value))
                .count();
            u32::try_from(ahead + 1).ok()
        })
        .collect()
}

/// The positions `0..ranks.len()` ordered by rank, unranked last, ties in
/// their given order.
pub fn order(ranks: &[Option<u32>]) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..ranks.len()).collect();
    positions.sort_by(|a, b| match (ranks[*a], ranks[*b]) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    });
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_share_ties_and_skip_missing() {
        let waits = [Some(300.0), None, Some(120.0), Some(300.0)];
        assert_eq!(ranks(&waits, false), [Some(2), None, Some(1), Some(2)]);
        assert_eq!(ranks(&waits, true), [Some(1), None, Some(3), Some(1)]);
        assert_eq!(order(&ranks(&waits, false)), [2, 0, 3, 1]);
        assert!(ranks(&[], true).is_empty());
    }

    #[test]
    fn columns_parse_by_name() {
        for column in Column::ALL {
            assert_eq!(Column::parse(column.as_str()).unwrap(), Some(column));
        }
        assert_eq!(Column::parse("site").unwrap(), None);
        assert!(Column::parse("wait; DROP").is_err());
        assert!(Column::Visits.higher_is_better());
        assert!(!Column::MedianWait.higher_is_better());
    }
}
