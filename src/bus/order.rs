//! Putting each site's events back in `seq` order, with no gap.
//!
//! Events reach an instance from its own commits and, through Redis, from
//! the other instances: two instances publish in no agreed order, and pub/sub
//! may drop a message. An event one above the last released is released at
//! once; a later one waits a moment for the missing ones, which usually
//! arrive within a millisecond; past that moment the gap is filled from the
//! event log by the caller. Pure bookkeeping: no I/O, time passed in.

use crate::store::events::EventRow;
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// How long a later event waits for the missing ones before the gap is
/// filled from the event log.
pub const REORDER_WAIT: Duration = Duration::from_millis(50);

#[derive(Debug, Default)]
pub struct Order {
    sites: HashMap<String, SiteOrder>,
}

#[derive(Debug)]
struct SiteOrder {
    /// The last `seq` released.
    last: i64,
    /// Events above `last + 1`, waiting for the gap to close.
    early: BTreeMap<i64, EventRow>,
    /// When the oldest of `early` arrived.
    waiting_since: Option<Instant>,
}

impl Order {
    /// The last `seq` released for a site, if any event of it was seen.
    pub fn last(&self, site: &str) -> Option<i64> {
        self.sites.get(site).map(|s| s.last)
    }

    /// Starts following a site from `seq` (a subscriber's snapshot), unless
    /// it is followed already.
    pub fn watch(&mut self, site: &str, seq: i64) {
        self.sites.entry(site.to_owned()).or_insert(SiteOrder {
            last: seq,
            early: BTreeMap::new(),
            waiting_since: None,
        });
    }

    /// Takes an event in; returns those now releasable, in order. The first
    /// event of a site never seen before is released as it is.
    pub fn accept(&mut self, event: EventRow, now: Instant) -> Vec<EventRow> {
        let site = self
            .sites
            .entry(event.site_id.clone())
            .or_insert(SiteOrder {
                last: event.seq - 1,
                early: BTreeMap::new(),
                waiting_since: None,
            });
        if event.seq <= site.last {
            return Vec::new();
        }
        site.early.insert(event.seq, event);
        let ready = site.release();
        if !site.early.is_empty() && site.waiting_since.is_none() {
            site.waiting_since = Some(now);
        }
        ready
    }

    /// When the oldest waiting gap is due to be filled from the log.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.sites
            .values()
            .filter_map(|s| s.waiting_since)
            .min()
            .map(|since| since + REORDER_WAIT)
    }

    /// Sites whose gap has waited long enough, with the last `seq` released:
    /// the caller reads the log after it and hands the rows to `filled`.
    pub fn overdue(&self, now: Instant) -> Vec<(String, i64)> {
        self.sites
            .iter()
            .filter(|(_, s)| s.waiting_since.is_some_and(|t| now >= t + REORDER_WAIT))
            .map(|(id, s)| (id.clone(), s.last))
            .collect()
    }

    /// Rows read from the log after the last released `seq` of their site
    /// (oldest first); returns what is now releasable, in order.
    pub fn filled(&mut self, site_id: &str, rows: Vec<EventRow>) -> Vec<EventRow> {
        let Some(site) = self.sites.get_mut(site_id) else {
            return Vec::new();
        };
        for row in rows {
            if row.seq > site.last {
                site.early.entry(row.seq).or_insert(row);
            }
        }
        let ready = site.release();
        site.waiting_since = None;
        if !site.early.is_empty() {
            // What the log did not have yet (a commit not visible): wait again.
            site.waiting_since = Some(Instant::now());
        }
        ready
    }

    /// Whether the log says a site is further along than what was released:
    /// messages were lost (a Redis outage), or the last ones of a burst.
    pub fn behind(&self, site: &str, last_seq: i64) -> bool {
        self.sites.get(site).is_some_and(|s| last_seq > s.last)
    }

    /// Forgets sites nobody follows any more.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.sites.retain(|id, s| !s.early.is_empty() || keep(id));
    }
}

impl SiteOrder {
    /// Releases the run of events that continues `last`.
    fn release(&mut self) -> Vec<EventRow> {
        let mut ready = Vec::new();
        while let Some(event) = self.early.remove(&(self.last + 1)) {
            self.last = event.seq;
            ready.push(event);
        }
        self.early.retain(|seq, _| *seq > self.last);
        if self.early.is_empty() {
            self.waiting_since = None;
        }
        ready
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(site: &str, seq: i64) -> EventRow {
        EventRow {
            site_id: site.to_owned(),
            seq,
            kind: "ticket.called".to_owned(),
            at: 0,
            payload: "{}".to_owned(),
        }
    }

    fn seqs(events: &[EventRow]) -> Vec<i64> {
        events.iter().map(|e| e.seq).collect()
    }

    #[test]
    fn in_order_events_pass_at_once_and_duplicates_are_dropped() {
        let mut order = Order::default();
        let now = Instant::now();
        order.watch("a", 4);
        assert_eq!(seqs(&order.accept(event("a", 5), now)), [5]);
        assert_eq!(seqs(&order.accept(event("a", 6), now)), [6]);
        assert!(order.accept(event("a", 6), now).is_empty());
        assert!(order.accept(event("a", 3), now).is_empty());
        assert_eq!(order.next_deadline(), None);
    }

    #[test]
    fn an_early_event_waits_for_the_missing_one() {
        let mut order = Order::default();
        let now = Instant::now();
        order.watch("a", 4);
        assert!(order.accept(event("a", 6), now).is_empty());
        assert_eq!(order.next_deadline(), Some(now + REORDER_WAIT));
        assert!(order.overdue(now).is_empty());
        assert_eq!(seqs(&order.accept(event("a", 5), now)), [5, 6]);
        assert_eq!(order.next_deadline(), None);
    }

    #[test]
    fn a_gap_that_stays_open_is_filled_from_the_log() {
        let mut order = Order::default();
        let now = Instant::now();
        order.watch("a", 4);
        order.accept(event("a", 7), now);
        let later = now + REORDER_WAIT;
        assert_eq!(order.overdue(later), [("a".to_owned(), 4)]);
        let log = vec![event("a", 5), event("a", 6), event("a", 7)];
        assert_eq!(seqs(&order.filled("a", log)), [5, 6, 7]);
        assert!(order.overdue(later).is_empty());
        assert_eq!(order.last("a"), Some(7));
    }

    #[test]
    fn sites_are_ordered_independently() {
        let mut order = Order::default();
        let now = Instant::now();
        order.watch("a", 0);
        order.watch("b", 10);
        assert!(order.accept(event("a", 2), now).is_empty());
        assert_eq!(seqs(&order.accept(event("b", 11), now)), [11]);
        assert!(order.behind("a", 2));
        assert!(!order.behind("b", 11));
    }

    #[test]
    fn the_first_event_of_an_unknown_site_is_taken_as_it_is() {
        let mut order = Order::default();
        assert_eq!(seqs(&order.accept(event("z", 40), Instant::now())), [40]);
        assert_eq!(order.last("z"), Some(40));
    }
}
