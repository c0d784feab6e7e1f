//! What the database holds after a run, read directly once the server has
//! stopped: places taken against the capacity and against `slot_places`,
//! and whether every booking the API confirmed was kept.

use guichet::store::Db;
use std::collections::{HashMap, HashSet};

/// Booked appointments per slot: service, start, count, persons.
const BOOKED: &str = "SELECT service_id, start_at, COUNT(*), CAST(SUM(persons) AS BIGINT)
    FROM appointments WHERE site_id = $1 AND status = 'booked'
    GROUP BY service_id, start_at";
const PLACES: &str = "SELECT service_id, start_at, taken FROM slot_places WHERE site_id = $1";
const REFERENCES: &str = "SELECT reference FROM appointments WHERE site_id = $1";

/// A slot: its service and start (Unix milliseconds).
type SlotKey = (String, i64);

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

/// Reads the site's appointments and places, and looks up `references`.
pub async fn check(
    database_url: &str,
    site: &str,
    references: &[String],
    capacity: i64,
) -> anyhow::Result<Check> {
    let db = Db::connect(database_url).await?;
    let booked: Vec<(String, i64, i64, i64)> = guichet::read!(&db, |c| {
        sqlx::query_as(BOOKED).bind(site).fetch_all(c).await
    })?;
    let places: Vec<(String, i64, i64)> = guichet::read!(&db, |c| {
        sqlx::query_as(PLACES).bind(site).fetch_all(c).await
    })?;
    let stored: Vec<String> = guichet::read!(&db, |c| {
        sqlx::query_scalar(REFERENCES).bind(site).fetch_all(c).await
    })?;
    db.close().await;
    let stored: HashSet<&str> = stored.iter().map(String::as_str).collect();
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
    booked: &[(String, i64, i64, i64)],
    places: &[(String, i64, i64)],
    capacity: i64,
) -> Check {
    let persons: HashMap<SlotKey, i64> = booked
        .iter()
        .map(|(service, start, _, persons)| ((service.clone(), *start), *persons))
        .collect();
    let taken: HashMap<SlotKey, i64> = places
        .iter()
        .map(|(service, start, taken)| ((service.clone(), *start), *taken))
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
        let booked = [
            (s(), 1, 3, 3), // full
            (s(), 2, 3, 4), // overbooked, and `taken` says 3
            (s(), 3, 1, 2), // two persons on one appointment
            (s(), 6, 1, 1), // no row in slot_places
        ];
        let places = [
            (s(), 1, 3),
            (s(), 2, 3),
            (s(), 3, 2),
            (s(), 4, 0), // freed again: matches no appointment
            (s(), 5, 1), // taken by no appointment
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
