//! Appointment slots: cut from a site's opening hours in its local time.
//!
//! Each opening interval of a day is cut into slots of the service's
//! length, from the interval's start; a remainder too short for a slot is
//! not offered. A local start time that does not exist (the hour skipped
//! when clocks go forward) is skipped; one that exists twice (clocks go
//! back) is offered once, at its first occurrence. A slot lasts its length
//! in real time, whatever the clocks do during it.

use super::opening_hours::OpeningHours;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

/// One slot: its start and end instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slot {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// How a service's slots are cut at a site.
#[derive(Debug, Clone, Copy)]
pub struct SlotRules<'a> {
    pub hours: &'a OpeningHours,
    pub closures: &'a [Date],
    pub zone: &'a TimeZone,
    pub slot_minutes: i64,
}

impl SlotRules<'_> {
    /// Every slot of the local days `from..=to`, in time order.
    pub fn between(&self, from: Date, to: Date) -> Vec<Slot> {
        let mut slots = Vec::new();
        let mut day = from;
        while day <= to {
            slots.extend(self.on(day));
            match day.tomorrow() {
                Ok(next) => day = next,
                Err(_) => break,
            }
        }
        slots
    }

    /// The slots of one local day; none on a closure.
    pub fn on(&self, day: Date) -> Vec<Slot> {
        if self.closures.contains(&day) || self.slot_minutes <= 0 {
            return Vec::new();
        }
        let length = SignedDuration::from_mins(self.slot_minutes);
        let mut slots = Vec::new();
        for &(open, close) in self.hours.on(day.weekday()) {
            // "24:00" is stored as the last instant of the day.
            let close = if close == Time::MAX {
                DateTime::from_parts(day, Time::midnight())
                    .checked_add(SignedDuration::from_hours(24))
            } else {
                Ok(day.to_datetime(close))
            };
            let Ok(close) = close else { continue };
            let mut local = day.to_datetime(open);
            while let Ok(local_end) = local.checked_add(length) {
                if local_end > close {
                    break;
                }
                if let Some(start) = self.instant(local) {
                    slots.push(Slot {
                        start,
                        end: start.checked_add(length).unwrap_or(start),
                    });
                }
                local = local_end;
            }
        }
        slots
    }

    /// The slot that starts exactly at `at`, if there is one.
    pub fn starting_at(&self, at: Timestamp) -> Option<Slot> {
        let day = at.to_zoned(self.zone.clone()).date();
        // A slot's local day is that of its start, but look at the day
        // before too: a fold may put a start on the previous date's clock.
        let before = day.yesterday().ok();
        before
            .into_iter()
            .chain([day])
            .flat_map(|d| self.on(d))
            .find(|slot| slot.start == at)
    }

    /// The instant of a local start time: none in a gap, the first in a fold.
    fn instant(&self, local: DateTime) -> Option<Timestamp> {
        let ambiguous = self.zone.to_ambiguous_timestamp(local);
        let offset = match ambiguous.offset() {
            AmbiguousOffset::Unambiguous { offset } => offset,
            AmbiguousOffset::Gap { .. } => return None,
            AmbiguousOffset::Fold { before, .. } => before,
        };
        offset.to_timestamp(local).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::opening_hours::WeeklyHoursInput;
    use crate::domain::time::local_rfc3339;

    fn hours(json: &str) -> OpeningHours {
        let input: WeeklyHoursInput = serde_json::from_str(json).unwrap();
        OpeningHours::parse(&input).unwrap()
    }

    fn starts(slots: &[Slot], zone: &TimeZone) -> Vec<String> {
        slots
            .iter()
            .map(|s| local_rfc3339(s.start.as_millisecond(), zone))
            .collect()
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn rules<'a>(hours: &'a OpeningHours, zone: &'a TimeZone, minutes: i64) -> SlotRules<'a> {
        SlotRules {
            hours,
            closures: &[],
            zone,
            slot_minutes: minutes,
        }
    }

    #[test]
    fn intervals_are_cut_into_whole_slots() {
        let hours = hours(r#"{"mon":[["08:30","09:40"],["14:00","14:30"]]}"#);
        let zone = TimeZone::get("Africa/Casablanca").unwrap();
        let rules = rules(&hours, &zone, 30);
        let slots = rules.on(date("2026-11-23"));
        assert_eq!(
            starts(&slots, &zone),
            [
                "2026-11-23T08:30:00+00:00",
                "2026-11-23T09:00:00+00:00",
                "2026-11-23T14:00:00+00:00"
            ]
        );
        assert_eq!(
            slots[0].end.as_millisecond() - slots[0].start.as_millisecond(),
            30 * 60_000
        );
        assert!(rules.on(date("2026-11-24")).is_empty(), "closed on Tuesday");
        assert_eq!(rules.starting_at(slots[1].start), Some(slots[1]));
        let off_grid = slots[1].start.checked_add(SignedDuration::from_mins(10));
        assert_eq!(rules.starting_at(off_grid.unwrap()), None);
    }

    #[test]
    fn closures_have_no_slots() {
        let hours = hours(r#"{"mon":[["08:30","16:30"]],"tue":[["08:30","16:30"]]}"#);
        let zone = TimeZone::get("Africa/Casablanca").unwrap();
        let closed = [date("2026-11-23")];
        let rules = SlotRules {
            hours: &hours,
            closures: &closed,
            zone: &zone,
            slot_minutes: 60,
        };
        let slots = rules.between(date("2026-11-22"), date("2026-11-24"));
        assert_eq!(slots.len(), 8, "Tuesday only");
        assert!(
            starts(&slots, &zone)
                .iter()
                .all(|s| s.starts_with("2026-11-24"))
        );
    }

    #[test]
    fn casablanca_is_at_utc_after_its_2026_change() {
        let hours = hours(r#"{"mon":[["09:00","10:00"]]}"#);
        let zone = TimeZone::get("Africa/Casablanca").unwrap();
        let rules = rules(&hours, &zone, 60);
        assert_eq!(
            starts(&rules.on(date("2026-09-14")), &zone),
            ["2026-09-14T09:00:00+01:00"]
        );
        assert_eq!(
            starts(&rules.on(date("2026-09-21")), &zone),
            ["2026-09-21T09:00:00+00:00"]
        );
    }

    #[test]
    fn a_skipped_hour_is_skipped_and_a_repeated_one_offered_once() {
        // Paris: 02:00 → 03:00 on 2026-03-29, 03:00 → 02:00 on 2026-10-25.
        let hours = hours(r#"{"sun":[["01:00","04:00"]]}"#);
        let zone = TimeZone::get("Europe/Paris").unwrap();
        let rules = rules(&hours, &zone, 60);
        assert_eq!(
            starts(&rules.on(date("2026-03-29")), &zone),
            ["2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00"]
        );
        assert_eq!(
            starts(&rules.on(date("2026-10-25")), &zone),
            [
                "2026-10-25T01:00:00+02:00",
                "2026-10-25T02:00:00+02:00",
                "2026-10-25T03:00:00+01:00"
            ]
        );
    }

    #[test]
    fn a_day_open_until_midnight() {
        let hours = hours(r#"{"sat":[["22:00","24:00"]]}"#);
        let zone = TimeZone::get("Asia/Tokyo").unwrap();
        let rules = rules(&hours, &zone, 60);
        assert_eq!(
            starts(&rules.on(date("2026-11-28")), &zone),
            ["2026-11-28T22:00:00+09:00", "2026-11-28T23:00:00+09:00"]
        );
    }
}
