//! Whether a provider (the SMS API, the SMTP relay) is down, per channel,
//! as this instance has seen it.
//!
//! Without it, each message would back off on its own: after an outage the
//! backlog would come out in whatever order the retries fell, newest often
//! first (their waits are shortest). Instead, the first failure that may
//! pass (a timeout, a 429, a 5xx) marks the channel failing: its messages
//! are no longer claimed, and when the channel's own backoff has passed,
//! the worker tries the oldest few messages, whatever their own schedule.
//! The first success marks the channel up again, and the messages that
//! failed meanwhile fall due at their first due time, so the backlog goes
//! out in order of due time. Webhook endpoints are not covered: each
//! endpoint is its own system, and keeps per-message backoff.

use std::collections::HashMap;
use std::sync::Mutex;

/// The channels whose messages all go through one provider.
pub const CHANNELS: [&str; 2] = ["sms", "email"];

#[derive(Debug, Default)]
pub struct Breakers {
    failing: Mutex<HashMap<&'static str, Failing>>,
}

#[derive(Debug, Clone, Copy)]
struct Failing {
    /// Failed attempts (probes included) since the channel went down.
    failures: i64,
    /// When the first of them failed.
    since: i64,
    /// When to try again.
    probe_at: i64,
}

fn channel_of(channel: &str) -> Option<&'static str> {
    CHANNELS.into_iter().find(|c| *c == channel)
}

impl Breakers {
    /// The channels failing now: not to be claimed as usual.
    pub fn failing(&self) -> Vec<&'static str> {
        let failing = crate::sync::lock(&self.failing);
        let mut channels: Vec<_> = failing.keys().copied().collect();
        channels.sort_unstable();
        channels
    }

    /// The failing channels whose time to try again has come.
    pub fn to_probe(&self, now: i64) -> Vec<&'static str> {
        let failing = crate::sync::lock(&self.failing);
        let mut channels: Vec<_> = failing
            .iter()
            .filter(|(_, f)| f.probe_at <= now)
            .map(|(c, _)| *c)
            .collect();
        channels.sort_unstable();
        channels
    }

    /// Whether messages of `channel` must wait now: it failed and its next
    /// try is still to come (a try that is due, the probe itself, goes).
    pub fn holds(&self, channel: &str, now: i64) -> bool {
        let failing = crate::sync::lock(&self.failing);
        channel_of(channel)
            .and_then(|c| failing.get(c))
            .is_some_and(|f| f.probe_at > now)
    }

    /// An attempt failed in a way that may pass: the channel is failing,
    /// to be tried again after `wait(failures)` ms (failures counted
    /// from 1), or after the provider's own `Retry-After`. Attempts that
    /// were under way together fail together: once the channel has a try
    /// planned, the others of that round do not make its wait longer.
    pub fn failed(&self, channel: &str, now: i64, after: Option<i64>, wait: impl Fn(i64) -> i64) {
        let Some(channel) = channel_of(channel) else {
            return;
        };
        let mut failing = crate::sync::lock(&self.failing);
        let state = failing.entry(channel).or_insert(Failing {
            failures: 0,
            since: now,
            probe_at: now,
        });
        if state.probe_at > now {
            return;
        }
        state.failures += 1;
        state.probe_at = now + after.unwrap_or_else(|| wait(state.failures));
    }

    /// The provider answered: the channel is up. Returns since when it had
    /// been failing, if it was.
    pub fn answered(&self, channel: &str) -> Option<i64> {
        let channel = channel_of(channel)?;
        let mut failing = crate::sync::lock(&self.failing);
        failing.remove(channel).map(|f| f.since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doubling(failures: i64) -> i64 {
        1_000 << (failures - 1)
    }

    #[test]
    fn a_failing_channel_is_tried_again_after_a_growing_wait_until_it_answers() {
        let breakers = Breakers::default();
        assert!(breakers.failing().is_empty());
        breakers.failed("sms", 10_000, None, doubling);
        // Another attempt of the same round: the same wait.
        breakers.failed("sms", 10_010, None, doubling);
        assert_eq!(breakers.failing(), ["sms"]);
        assert!(breakers.holds("sms", 10_999) && !breakers.holds("email", 10_999));
        assert!(breakers.to_probe(10_999).is_empty());
        // Its time has come: the try itself is not held back.
        assert_eq!(breakers.to_probe(11_000), ["sms"]);
        assert!(!breakers.holds("sms", 11_000));
        breakers.failed("sms", 11_000, None, doubling);
        assert!(breakers.to_probe(12_999).is_empty());
        assert_eq!(breakers.to_probe(13_000), ["sms"]);
        // The provider's Retry-After wins over the backoff.
        breakers.failed("sms", 13_000, Some(30_000), doubling);
        assert!(breakers.to_probe(42_999).is_empty());
        assert_eq!(breakers.answered("sms"), Some(10_000));
        assert!(breakers.failing().is_empty());
        assert_eq!(breakers.answered("sms"), None);
    }

    #[test]
    fn webhook_endpoints_keep_their_own_backoff() {
        let breakers = Breakers::default();
        breakers.failed("webhook", 0, None, doubling);
        assert!(breakers.failing().is_empty() && !breakers.holds("webhook", 0));
        assert_eq!(breakers.answered("webhook"), None);
    }
}
