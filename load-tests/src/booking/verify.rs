//! What the database holds after a run, read with `guichet tally` once the
//! server has stopped: places taken against the capacity and against
//! `slot_places`, and whether every booking the API confirmed was kept.

use crate::server;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// A slot: its service and start.
type SlotKey = (String, String);

#[derive(Debug, PartialEq, Eq)]
pub struct Check {
    /// Appointments with status `booked`.
    pub booked: i64,
    /// Slots whose booked persons exceed the capacity.
    pub overbooked: u64,
    /// Slots where `slot_places.taken` is not the booked persons.
    pub places_mismatch: u64,
    /// References answered with 201 that `appointments` does not hold.
    pub lost: u64,
}

impl Check {
    /// An error naming what went wrong if any slot is overbooked, any
    /// booking lost, any slot's places disagree, or any request failed.
    pub fn ensure_sound(&self, server_errors: u64, transport_errors: u64) -> anyhow::Result<()> {
        let broken = self.overbooked + self.lost + self.places_mismatch;
        if broken > 0 || server_errors > 0 || transport_errors > 0 {
            anyhow::bail!(
                "{} overbooked slots, {} lost bookings, {} slots whose places disagree, \
                 {} server errors, {} failed requests",
                self.overbooked,
                self.lost,
                self.places_mismatch,
                server_errors,
                transport_errors
            );
        }
        Ok(())
    }
}

/// Reads the site's appointments and places, and looks up `references`.
pub async fn check(
    (binary, database_url): (&str, &str),
    site: &str,
    references: &[String],
    capacity: i64,
) -> anyhow::Result<Check> {
    let tally = server::tally(binary, database_url, site, true).await?;
    let slots = tally["slots"].as_array().cloned().unwrap_or_default();
    let field = |slot: &Value, name: &str| slot[name].as_i64().unwrap_or(0);
    let key = |slot: &Value| {
        let text = |name: &str| slot[name].as_str().unwrap_or_default().to_owned();
        (text("service"), text("start"))
    };
    let booked: Vec<(String, String, i64, i64)> = slots
        .iter()
        .filter(|slot| field(slot, "booked") > 0)
        .map(|slot| {
            let (service, start) = key(slot);
            (
                service,
                start,
                field(slot, "booked"),
                field(slot, "persons"),
            )
        })
        .collect();
    let places: Vec<(String, String, i64)> = slots
        .iter()
        .map(|slot| {
            let (service, start) = key(slot);
            (service, start, field(slot, "taken"))
        })
        .collect();
    let stored: HashSet<&str> = tally["references"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut check = count_slots(&booked, &places, capacity);
    check.lost = references
        .iter()
        .filter(|r| !stored.contains(r.as_str()))
        .count() as u64;
    Ok(check)
}

/// Compares, slot by slot, the booked persons (`booked`: service, start,
/// appointments, persons) with the capacity and with `places` (service,
/// start, taken); a slot missing from one side counts as 0 there.
fn count_slots(
    booked: &[(String, String, i64, i64)],
    places: &[(String, String, i64)],
    capacity: i64,
) -> Check {
    let persons: HashMap<SlotKey, i64> = booked
        .iter()
        .map(|(service, start, _, persons)| ((service.clone(), start.clone()), *persons))
        .collect();
    let taken: HashMap<SlotKey, i64> = places
        .iter()
        .map(|(service, start, taken)| ((service.clone(), start.clone()), *taken))
        .collect();
    let slots: HashSet<&SlotKey> = persons.keys().chain(taken.keys()).collect();
    let places_mismatch = slots
        .into_iter()
        .filter(|slot| persons.get(*slot).unwrap_or(&0) != taken.get(*slot).unwrap_or(&0))
        .count() as u64;
    Check {
        booked: booked.iter().map(|(_, _, count, _)| count).sum(),
        overbooked: persons.values().filter(|p| **p > capacity).count() as u64,
        places_mismatch,
        lost: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_overbooked_and_mismatched_slots() {
        let s = || "passeport".to_owned();
        let t = |n: u8| format!("2026-12-0{n}T09:00:00Z");
        let booked = [
            (s(), t(1), 3, 3), // full
            (s(), t(2), 3, 4), // overbooked, and `taken` says 3
            (s(), t(3), 1, 2), // two persons on one appointment
            (s(), t(6), 1, 1), // no row in slot_places
        ];
        let places = [
            (s(), t(1), 3),
            (s(), t(2), 3),
            (s(), t(3), 2),
            (s(), t(4), 0), // freed again: matches no appointment
            (s(), t(5), 1), // taken by no appointment
        ];
        let check = count_slots(&booked, &places, 3);
        assert_eq!(
            check,
            Check {
                booked: 8,
                overbooked: 1,
                places_mismatch: 3,
                lost: 0
            }
        );
    }
}
