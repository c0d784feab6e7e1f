//! The statistics by channel (docs/statistics.md, "By channel"): the
//! range's tickets as they came in — `kiosk`, `desk`, `remote` (joined by
//! web or SMS) or `appointment` (an appointment's ticket, whatever issued
//! it) — with their counts and waits; and for remote tickets, the wait
//! split at check-in into the time at home (issue to check-in) and in the
//! lobby (check-in to the call), the lapsed ones and the no-show share.

use super::{Percentiles, percentiles};
use crate::domain::stats as rules;
use crate::store::stats::RankedWait;
use crate::store::stats::channels::{ChannelCounts, HOME, LOBBY};
use serde::Serialize;
use utoipa::ToSchema;

/// The channels, in the order they are shown.
pub const CHANNELS: [&str; 4] = ["kiosk", "desk", "remote", "appointment"];

/// One channel's tickets over the range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ChannelStats {
    /// `kiosk`, `desk`, `remote` or `appointment`.
    pub channel: String,
    pub issued: i64,
    pub served: i64,
    pub no_shows: i64,
    pub cancelled: i64,
    /// The tickets called: those whose wait is measured.
    pub waited: i64,
    /// From issue to call, over the tickets called.
    pub mean_wait_seconds: Option<f64>,
    /// Nearest rank ⌈n/2⌉ of the n sorted waits.
    pub median_wait_seconds: Option<f64>,
    /// Nearest rank ⌈9n/10⌉.
    pub p90_wait_seconds: Option<f64>,
}

/// Remote tickets: where their holders waited, and those who never came.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct RemoteStats {
    pub issued: i64,
    /// Confirmed present (checked in at the kiosk, or by staff).
    pub present: i64,
    /// Held aside when their turn came, and not checked in within the grace
    /// period: ended as no-shows (`close_reason = lapsed`).
    pub lapsed: i64,
    /// No-shows (lapsed or not answering the call) among the served and
    /// the no-shows, three decimals.
    pub no_show_share: Option<f64>,
    /// From joining to check-in, over the tickets checked in.
    pub from_home: WaitSplit,
    /// From check-in to the call, over the tickets checked in and called.
    pub in_lobby: WaitSplit,
}

/// One part of a remote ticket's wait.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct WaitSplit {
    /// The tickets measured.
    pub tickets: i64,
    /// Nearest rank ⌈n/2⌉, in seconds.
    pub median_seconds: Option<f64>,
    /// Nearest rank ⌈9n/10⌉, in seconds.
    pub p90_seconds: Option<f64>,
}

/// The four channels (every one, in `CHANNELS` order) and the remote
/// figures, from the store's counts and ranked waits.
pub fn figures(
    counts: &[ChannelCounts],
    ranked: &[RankedWait],
) -> (Vec<ChannelStats>, RemoteStats) {
    let ranks = percentiles(ranked);
    let seconds = |ms: Option<i64>| ms.and_then(|ms| rules::mean_seconds(Some(ms), 1));
    let empty = ChannelCounts::default();
    let channels: Vec<ChannelStats> = CHANNELS
        .iter()
        .map(|&channel| {
            let c = counts
                .iter()
                .find(|c| c.channel == channel)
                .unwrap_or(&empty);
            let p = ranks.get(channel).copied().unwrap_or_default();
            ChannelStats {
                channel: channel.to_owned(),
                issued: c.issued,
                served: c.served.unwrap_or(0),
                no_shows: c.no_shows.unwrap_or(0),
                cancelled: c.cancelled.unwrap_or(0),
                waited: c.waited,
                mean_wait_seconds: rules::mean_seconds(c.wait_ms, c.waited),
                median_wait_seconds: seconds(p.median_ms),
                p90_wait_seconds: seconds(p.p90_ms),
            }
        })
        .collect();
    let remote = counts
        .iter()
        .find(|c| c.channel == "remote")
        .unwrap_or(&empty);
    let (served, no_shows) = (remote.served.unwrap_or(0), remote.no_shows.unwrap_or(0));
    let split = |key: &str| {
        let n = ranked.iter().find(|r| r.key == key).map_or(0, |r| r.n);
        let p: Percentiles = ranks.get(key).copied().unwrap_or_default();
        WaitSplit {
            tickets: n,
            median_seconds: seconds(p.median_ms),
            p90_seconds: seconds(p.p90_ms),
        }
    };
    let remote = RemoteStats {
        issued: remote.issued,
        present: remote.present,
        lapsed: remote.lapsed.unwrap_or(0),
        no_show_share: rules::ratio(no_shows, served + no_shows),
        from_home: split(HOME),
        in_lobby: split(LOBBY),
    };
    (channels, remote)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(key: &str, sorted: &[i64]) -> Vec<RankedWait> {
        let n = sorted.len() as i64;
        sorted
            .iter()
            .enumerate()
            .map(|(i, &wait_ms)| RankedWait {
                key: key.to_owned(),
                nth: i as i64 + 1,
                n,
                wait_ms,
            })
            .filter(|r| r.nth == (r.n + 1) / 2 || r.nth == (9 * r.n + 9) / 10)
            .collect()
    }

    #[test]
    fn every_channel_in_order_and_the_remote_split() {
        let counts = vec![
            ChannelCounts {
                channel: "remote".into(),
                issued: 5,
                served: Some(3),
                no_shows: Some(2),
                cancelled: Some(0),
                waited: 4,
                wait_ms: Some(4_000_000),
                present: 4,
                lapsed: Some(1),
            },
            ChannelCounts {
                channel: "kiosk".into(),
                issued: 2,
                served: Some(2),
                waited: 2,
                wait_ms: Some(180_000),
                ..ChannelCounts::default()
            },
        ];
        let mut rows = ranked("kiosk", &[60_000, 120_000]);
        rows.extend(ranked("remote", &[600_000, 900_000, 1_200_000, 1_300_000]));
        rows.extend(ranked(HOME, &[500_000, 700_000, 1_000_000, 1_200_000]));
        rows.extend(ranked(LOBBY, &[60_000, 100_000, 200_000, 200_000]));
        let (channels, remote) = figures(&counts, &rows);
        let names: Vec<&str> = channels.iter().map(|c| c.channel.as_str()).collect();
        assert_eq!(names, CHANNELS);
        let kiosk = &channels[0];
        assert_eq!((kiosk.issued, kiosk.waited), (2, 2));
        assert_eq!(kiosk.mean_wait_seconds, Some(90.0));
        assert_eq!(kiosk.median_wait_seconds, Some(60.0), "the lower middle");
        assert_eq!(kiosk.p90_wait_seconds, Some(120.0));
        assert_eq!(
            channels[1],
            ChannelStats {
                channel: "desk".into(),
                ..ChannelStats::default()
            }
        );
        assert_eq!(channels[2].median_wait_seconds, Some(900.0));
        assert_eq!(channels[2].mean_wait_seconds, Some(1000.0));
        assert_eq!(
            remote,
            RemoteStats {
                issued: 5,
                present: 4,
                lapsed: 1,
                no_show_share: Some(0.4),
                from_home: WaitSplit {
                    tickets: 4,
                    median_seconds: Some(700.0),
                    p90_seconds: Some(1200.0),
                },
                in_lobby: WaitSplit {
                    tickets: 4,
                    median_seconds: Some(100.0),
                    p90_seconds: Some(200.0),
                },
            }
        );
    }

    #[test]
    fn nothing_remote_measures_nothing() {
        let (channels, remote) = figures(&[], &[]);
        assert_eq!(channels.len(), 4);
        assert!(channels.iter().all(|c| c.median_wait_seconds.is_none()));
        assert_eq!(remote, RemoteStats::default());
        assert_eq!(remote.no_show_share, None);
    }
}
