//! The busiest and quietest hours to come, from past arrivals: for each
//! coming day the office opens, the expected arrivals in each of its
//! opening hours are the average, over the past weeks' open days of the
//! same weekday, of the arrivals in the same local hour.
//!
//! Arrivals come counted per UTC quarter hour and are placed in their local
//! hour here, with the timezone's offset at that instant: a 10 o'clock
//! ticket is a 10 o'clock ticket before and after a change of offset
//! (Morocco's Ramadan hour, its move to UTC+0, European summer time).
//! Pure: no I/O, unit-tested below.

use crate::domain::opening_hours::OpeningHours;
use jiff::Timestamp;
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use std::collections::BTreeMap;

/// The quarter hours of `issued_at / 900000`.
const QUARTER_MS: i64 = 900_000;

/// Arrivals summed by weekday and local hour, and how many open days of
/// each weekday they were counted over.
#[derive(Debug, Default)]
pub struct Pattern {
    arrivals: BTreeMap<(i8, i8), i64>,
    open_days: [i64; 7],
}

impl Pattern {
    /// Places each UTC quarter's arrivals in its local weekday and hour;
    /// `days` are the past local days the quarters were read from.
    pub fn learn(
        quarters: &[(i64, i64)],
        zone: &TimeZone,
        days: (Date, Date),
        hours: &OpeningHours,
        closures: &[Date],
    ) -> Self {
        let mut pattern = Self::default();
        for &(quarter, count) in quarters {
            let Ok(at) = Timestamp::from_millisecond(quarter.saturating_mul(QUARTER_MS)) else {
                continue;
            };
            let local = at.to_zoned(zone.clone());
            let key = (local.weekday().to_monday_zero_offset(), local.hour());
            *pattern.arrivals.entry(key).or_default() += count;
        }
        let (mut day, last) = days;
        while day <= last {
            if opens(hours, closures, day) {
                pattern.open_days[day.weekday().to_monday_zero_offset() as usize] += 1;
            }
            let Ok(next) = day.tomorrow() else { break };
            day = next;
        }
        pattern
    }

    /// The average arrivals in a local hour of a weekday, 0 without data.
    pub fn expected(&self, day: Weekday, hour: i8) -> f64 {
        let index = day.to_monday_zero_offset();
        let days = self.open_days[index as usize];
        let arrivals = self.arrivals.get(&(index, hour)).copied().unwrap_or(0);
        if days == 0 {
            0.0
        } else {
            arrivals as f64 / days as f64
        }
    }
}

/// One coming day the office opens.
#[derive(Debug, Clone, PartialEq)]
pub struct DayForecast {
    pub date: Date,
    /// `(local hour, expected arrivals)` for each hour the office is open
    /// at some time, in order.
    pub hours: Vec<(i8, f64)>,
    /// The hours with the most and the fewest expected arrivals (the
    /// earliest on a tie); none when every hour expects the same.
    pub busiest: Option<i8>,
    pub quietest: Option<i8>,
}

/// The next `count` days the office opens, from `today` (unless it has
/// already closed for the day at `now`), each with its hours' forecast.
pub fn coming_days(
    pattern: &Pattern,
    hours: &OpeningHours,
    closures: &[Date],
    today: Date,
    now: Time,
    count: usize,
) -> Vec<DayForecast> {
    let mut days = Vec::new();
    let mut day = today;
    // A year ahead at most: an office with no hours has no coming days.
    for _ in 0..366 {
        if days.len() == count {
            break;
        }
        let closed_for_today = day == today
            && hours
                .closing_time(day.weekday())
                .is_some_and(|end| now >= end);
        if opens(hours, closures, day) && !closed_for_today {
            days.push(forecast(pattern, hours, day));
        }
        let Ok(next) = day.tomorrow() else { break };
        day = next;
    }
    days
}

fn forecast(pattern: &Pattern, hours: &OpeningHours, date: Date) -> DayForecast {
    let expected: Vec<(i8, f64)> = open_hours(hours, date.weekday())
        .into_iter()
        .map(|hour| (hour, round_tenth(pattern.expected(date.weekday(), hour))))
        .collect();
    let busiest = expected
        .iter()
        .fold(None::<(i8, f64)>, |best, &(h, e)| match best {
            Some((_, b)) if b >= e => best,
            _ => Some((h, e)),
        });
    let quietest = expected
        .iter()
        .fold(None::<(i8, f64)>, |best, &(h, e)| match best {
            Some((_, b)) if b <= e => best,
            _ => Some((h, e)),
        });
    let differ = matches!((busiest, quietest), (Some((_, b)), Some((_, q))) if b > q);
    DayForecast {
        date,
        hours: expected,
        busiest: busiest.filter(|_| differ).map(|(h, _)| h),
        quietest: quietest.filter(|_| differ).map(|(h, _)| h),
    }
}

/// The local hours in which the office is open at some minute: 08:30–12:00
/// and 14:00–16:30 give 8, 9, 10, 11, 14, 15, 16.
fn open_hours(hours: &OpeningHours, day: Weekday) -> Vec<i8> {
    let mut list: Vec<i8> = hours
        .on(day)
        .iter()
        .flat_map(|(start, end)| {
            let last = end
                .checked_sub(jiff::SignedDuration::from_nanos(1))
                .map_or(start.hour(), |t| t.hour());
            start.hour()..=last
        })
        .collect();
    list.dedup();
    list
}

fn opens(hours: &OpeningHours, closures: &[Date], day: Date) -> bool {
    !hours.on(day.weekday()).is_empty() && !closures.contains(&day)
}

fn round_tenth(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn hours(json: &str) -> OpeningHours {
        OpeningHours::parse(&serde_json::from_str(json).unwrap()).unwrap()
    }

    fn quarter(at: &str) -> i64 {
        at.parse::<Timestamp>().unwrap().as_millisecond() / QUARTER_MS
    }

    #[test]
    fn local_hours_stay_right_across_an_offset_change() {
        let zone = TimeZone::get("Europe/Paris").unwrap();
        let week = hours(r#"{"mon":[["09:00","12:00"]]}"#);
        // 10:15 in Paris on two Mondays: UTC+2 before 25 October 2026, UTC+1 after.
        let quarters = [
            (quarter("2026-10-19T08:15:00Z"), 3),
            (quarter("2026-10-26T09:15:00Z"), 5),
            (quarter("2026-10-26T08:15:00Z"), 2),
        ];
        let days = (date(2026, 10, 19), date(2026, 11, 1));
        let pattern = Pattern::learn(&quarters, &zone, days, &week, &[]);
        assert_eq!(pattern.expected(Weekday::Monday, 10), 4.0);
        assert_eq!(pattern.expected(Weekday::Monday, 9), 1.0);
        let coming = coming_days(&pattern, &week, &[], date(2026, 11, 2), Time::midnight(), 1);
        assert_eq!(coming[0].hours, vec![(9, 1.0), (10, 4.0), (11, 0.0)]);
        assert_eq!(coming[0].busiest, Some(10));
        assert_eq!(coming[0].quietest, Some(11));
    }

    #[test]
    fn coming_days_skip_closures_closed_days_and_a_finished_today() {
        let week =
            hours(r#"{"mon":[["08:30","12:00"],["14:00","16:30"]],"wed":[["09:00","10:00"]]}"#);
        let pattern = Pattern::default();
        let monday = date(2026, 11, 2);
        let closures = [date(2026, 11, 4)];
        let late = Time::new(17, 0, 0, 0).unwrap();
        let coming = coming_days(&pattern, &week, &closures, monday, late, 3);
        let dates: Vec<Date> = coming.iter().map(|d| d.date).collect();
        assert_eq!(
            dates,
            [date(2026, 11, 9), date(2026, 11, 11), date(2026, 11, 16)]
        );
        let hours: Vec<i8> = coming[0].hours.iter().map(|(h, _)| *h).collect();
        assert_eq!(hours, [8, 9, 10, 11, 14, 15, 16]);
        // No arrivals at all: no hour is named busiest or quietest.
        assert_eq!((coming[0].busiest, coming[0].quietest), (None, None));
        let early = coming_days(&pattern, &week, &closures, monday, Time::midnight(), 1);
        assert_eq!(early[0].date, monday);
    }

    #[test]
    fn averages_count_only_the_open_days_of_the_weekday() {
        let zone = TimeZone::UTC;
        let week = hours(r#"{"mon":[["09:00","10:00"]]}"#);
        // Two Mondays, one of them a holiday: the average is over one day.
        let quarters = [(quarter("2026-11-02T09:00:00Z"), 6)];
        let days = (date(2026, 11, 2), date(2026, 11, 15));
        let pattern = Pattern::learn(&quarters, &zone, days, &week, &[date(2026, 11, 9)]);
        assert_eq!(pattern.expected(Weekday::Monday, 9), 6.0);
    }
}
