//! The offices' bookable services that have a kind, parsed once and kept
//! for two seconds (`Caches::offerings`), and the first free slots of one.

use crate::app::reads::from_replica;
use crate::app::sites::from_json;
use crate::app::{App, AppResult};
use crate::domain::opening_hours::{OpeningHours, WeeklyHoursInput, parse_closures};
use crate::domain::place::{Position, city_key};
use crate::domain::slots::{Slot, SlotRules};
use crate::domain::time::{local_day, parse_timezone};
use crate::store::{self, earliest::OfferingRow};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use std::sync::Arc;

/// The cache's one key: all offerings are read and kept together.
pub const ALL: &str = "all";

/// One office's service of a kind, ready to cut slots from.
#[derive(Debug)]
pub struct Offering {
    pub row: OfferingRow,
    pub zone: TimeZone,
    pub hours: OpeningHours,
    pub closures: Vec<Date>,
    pub modes: Vec<String>,
    pub position: Option<Position>,
    /// The site's city, folded for comparison.
    pub city_key: Option<String>,
}

/// Every offering, from the cache when fresh: one query for all offices.
pub async fn all(app: &App) -> AppResult<Arc<Vec<Offering>>> {
    if let Some(all) = app.caches.offerings.get(ALL) {
        return Ok(all);
    }
    let rows = from_replica!(app, |db| store::earliest::offerings(db).await)?;
    let all: Vec<Offering> = rows.into_iter().filter_map(parse).collect();
    let all = Arc::new(all);
    app.caches.offerings.put(ALL, all.clone());
    Ok(all)
}

/// A stored row made ready; a row this program could not have written
/// (unreadable hours or zone) is left out of the search, with a warning.
fn parse(row: OfferingRow) -> Option<Offering> {
    let (site, service) = (row.site_id.clone(), row.service_id.clone());
    let parsed = (|| -> AppResult<Offering> {
        let zone = parse_timezone(&row.timezone)?;
        let hours: WeeklyHoursInput = from_json(&row.opening_hours)?;
        let hours = OpeningHours::parse(&hours)?;
        let closures: Vec<String> = from_json(&row.closures)?;
        let closures = parse_closures(&closures)?;
        let modes: Vec<String> = from_json(&row.appointment_modes)?;
        let position = match (row.latitude, row.longitude) {
            (Some(lat), Some(lon)) => Position::parse(lat, lon).ok(),
            _ => None,
        };
        let city_key = row.city.as_deref().map(city_key);
        Ok(Offering {
            zone,
            hours,
            closures,
            modes,
            position,
            city_key,
            row,
        })
    })();
    match parsed {
        Ok(offering) => Some(offering),
        Err(error) => {
            tracing::warn!(%site, %service, %error,
                "a service left out of the earliest-slot search");
            None
        }
    }
}

impl Offering {
    /// Up to `count` free slots from `now` (after the minimum notice, up
    /// to the horizon and at most `days` local days ahead), with the
    /// places left; `taken` holds the places taken by slot start.
    pub fn first_free(
        &self,
        now: Timestamp,
        days: i64,
        count: usize,
        taken: Option<&HashMap<i64, i64>>,
    ) -> Vec<(Slot, i64)> {
        let row = &self.row;
        let rules = SlotRules {
            hours: &self.hours,
            closures: &self.closures,
            zone: &self.zone,
            slot_minutes: row.slot_minutes,
        };
        let earliest = now
            .checked_add(SignedDuration::from_mins(row.min_notice_minutes))
            .unwrap_or(now);
        let today = local_day(now, &self.zone);
        let ahead = row.horizon_days.min(days);
        let last = today
            .checked_add(jiff::Span::new().days(ahead))
            .unwrap_or(today);
        let mut free = Vec::with_capacity(count);
        let mut day = today;
        while day <= last && free.len() < count {
            for slot in rules.on(day) {
                if slot.start < earliest {
                    continue;
                }
                let start = slot.start.as_millisecond();
                let used = taken.and_then(|t| t.get(&start)).copied().unwrap_or(0);
                let left = row.slot_capacity - used;
                if left > 0 {
                    free.push((slot, left));
                    if free.len() == count {
                        break;
                    }
                }
            }
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        free
    }
}
