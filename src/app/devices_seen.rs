//! Which devices this instance noted as seen lately, so that a device is
//! written at most once a minute per instance, not once per request or per
//! socket: a province's lobby screens are 100 sockets an office on one
//! display token, each of which used to write its device row every minute
//! (and all at once when the screens connect).

use crate::store::devices::SEEN_EVERY_MS;
use std::collections::HashMap;
use std::sync::Mutex;

/// Devices noted at most; past it the old notes go, or all of them (a
/// device forgotten is only written once more).
const MAX_NOTES: usize = 10_000;

#[derive(Debug, Default)]
pub struct SeenNotes(Mutex<HashMap<String, i64>>);

impl SeenNotes {
    /// Whether device `id` is to be written at `now` (the app's clock):
    /// `true` once per `SEEN_EVERY_MS`, to the first caller, who then
    /// writes it; the others meanwhile get `false`.
    pub fn claim(&self, id: &str, now: i64) -> bool {
        let mut notes = crate::sync::lock(&self.0);
        let fresh = |at: i64| at <= now && now - at < SEEN_EVERY_MS;
        if notes.get(id).is_some_and(|&at| fresh(at)) {
            return false;
        }
        if notes.len() >= MAX_NOTES {
            notes.retain(|_, at| fresh(*at));
            if notes.len() >= MAX_NOTES {
                notes.clear();
            }
        }
        notes.insert(id.to_owned(), now);
        true
    }

    /// Gives a claim back after its write failed, for the next request to
    /// try again.
    pub fn release(&self, id: &str) {
        crate::sync::lock(&self.0).remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_write_a_minute_per_device_however_many_ask() {
        let notes = SeenNotes::default();
        let t0 = 1_000_000;
        let claimed = (0..100).filter(|_| notes.claim("screen", t0)).count();
        assert_eq!(claimed, 1, "a hundred sockets at once: one write");
        assert!(notes.claim("kiosk", t0), "each device has its own minute");
        assert!(!notes.claim("screen", t0 + SEEN_EVERY_MS - 1));
        assert!(notes.claim("screen", t0 + SEEN_EVERY_MS), "a minute later");
        notes.release("kiosk");
        assert!(
            notes.claim("kiosk", t0 + 1),
            "a failed write is tried again"
        );
    }

    #[test]
    fn notes_are_bounded() {
        let notes = SeenNotes::default();
        for i in 0..MAX_NOTES + 5 {
            assert!(notes.claim(&format!("device-{i}"), 5));
        }
        assert!(crate::sync::lock(&notes.0).len() <= MAX_NOTES);
    }
}
