//! Weekly opening hours and closures of a site, in its local time.
//!
//! Written by clients as `{"mon": [["08:30","16:30"]], …}`: each day a list
//! of intervals, start before end, none overlapping another of the same day.

use super::{Invalid, time::parse_date};
use jiff::civil::{Date, Time, Weekday};
use std::collections::BTreeMap;

/// The days of the week, Monday first, with the keys clients write them by.
pub const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

/// The raw form clients send and receive.
pub type WeeklyHoursInput = BTreeMap<String, Vec<[String; 2]>>;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpeningHours {
    /// Monday first; intervals sorted by start.
    days: [Vec<(Time, Time)>; 7],
}

impl OpeningHours {
    pub fn parse(input: &WeeklyHoursInput) -> Result<Self, Invalid> {
        let mut hours = Self::default();
        for (key, intervals) in input {
            let index = DAYS
                .iter()
                .position(|(name, _)| name == key)
                .ok_or_else(|| invalid(format!("unknown day {key:?}; use mon…sun")))?;
            let mut parsed = intervals
                .iter()
                .map(|[start, end]| {
                    let (start, end) = (parse_time(start)?, parse_time(end)?);
                    if start >= end {
                        return Err(invalid(format!("{key}: {start} is not before {end}")));
                    }
                    Ok((start, end))
                })
                .collect::<Result<Vec<_>, _>>()?;
            parsed.sort();
            if let Some(pair) = parsed.windows(2).find(|w| w[1].0 < w[0].1) {
                return Err(invalid(format!(
                    "{key}: {}–{} overlaps {}–{}",
                    hm(pair[0].0),
                    hm(pair[0].1),
                    hm(pair[1].0),
                    hm(pair[1].1)
                )));
            }
            hours.days[index] = parsed;
        }
        Ok(hours)
    }

    /// The client form, with only the days that have hours.
    pub fn to_input(&self) -> WeeklyHoursInput {
        DAYS.iter()
            .zip(&self.days)
            .filter(|(_, intervals)| !intervals.is_empty())
            .map(|((name, _), intervals)| {
                let list = intervals.iter().map(|(s, e)| [hm(*s), hm(*e)]).collect();
                ((*name).to_owned(), list)
            })
            .collect()
    }

    /// The intervals of one weekday.
    pub fn on(&self, day: Weekday) -> &[(Time, Time)] {
        &self.days[day.to_monday_zero_offset() as usize]
    }

    /// Whether the office is open at this local time on a day that is not closed.
    pub fn is_open_at(&self, day: Weekday, time: Time) -> bool {
        self.on(day).iter().any(|(s, e)| *s <= time && time < *e)
    }

    /// Whether the kiosk hands out tickets: during opening hours, and from
    /// `early_minutes` before each opening, when people already queue at
    /// the door. Never on a closure date.
    pub fn takes_tickets_at(
        &self,
        date: Date,
        time: Time,
        closures: &[Date],
        early_minutes: i64,
    ) -> bool {
        if closures.contains(&date) {
            return false;
        }
        let early = jiff::SignedDuration::from_mins(early_minutes);
        self.on(date.weekday()).iter().any(|(s, e)| {
            let from = s.checked_sub(early).unwrap_or(Time::MIN);
            from <= time && time < *e
        })
    }

    /// The day `days` working days after `from`: a working day has opening
    /// hours and is not a closure. With `days` = 0, `from` itself if it is
    /// a working day, else the next one. `None` if the office never opens.
    pub fn working_days_after(&self, from: Date, days: i64, closures: &[Date]) -> Option<Date> {
        let works = |d: Date| !self.on(d.weekday()).is_empty() && !closures.contains(&d);
        let mut day = from;
        let mut left = days;
        // Ten years of days at most: an office with no hours has no answer.
        for _ in 0..3660 {
            if left == 0 && works(day) {
                return Some(day);
            }
            day = day.tomorrow().ok()?;
            if works(day) && left > 0 {
                left -= 1;
                if left == 0 {
                    return Some(day);
                }
            }
        }
        None
    }

    /// When the office closes for the day (the end of its last interval).
    pub fn closing_time(&self, day: Weekday) -> Option<Time> {
        self.on(day).last().map(|(_, end)| *end)
    }
}

/// Parses, sorts and deduplicates a list of local closure dates.
pub fn parse_closures(input: &[String]) -> Result<Vec<Date>, Invalid> {
    let mut dates = input
        .iter()
        .map(|d| parse_date("closures", d))
        .collect::<Result<Vec<_>, _>>()?;
    dates.sort();
    dates.dedup();
    Ok(dates)
}

fn parse_time(value: &str) -> Result<Time, Invalid> {
    let bytes = value.as_bytes();
    let shaped = bytes.len() == 5 && bytes[2] == b':';
    let number = |s: &str| s.parse::<i8>().ok();
    let parsed = shaped
        .then(|| Some((number(&value[..2])?, number(&value[3..])?)))
        .flatten()
        .and_then(|(h, m)| Time::new(h, m, 0, 0).ok());
    // "24:00" closes a day that ends at midnight.
    match (parsed, value) {
        (Some(t), _) => Ok(t),
        (None, "24:00") => Ok(Time::MAX),
        _ => Err(invalid(format!("{value:?} is not a time HH:MM"))),
    }
}

fn hm(t: Time) -> String {
    if t == Time::MAX {
        "24:00".to_owned()
    } else {
        format!("{:02}:{:02}", t.hour(), t.minute())
    }
}

fn invalid(message: String) -> Invalid {
    Invalid::new("opening_hours", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> WeeklyHoursInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn parses_and_round_trips() {
        let raw =
            input(r#"{"mon":[["14:00","16:30"],["08:30","12:00"]],"fri":[["08:30","11:30"]]}"#);
        let hours = OpeningHours::parse(&raw).unwrap();
        assert_eq!(hours.on(Weekday::Monday).len(), 2);
        assert!(hours.is_open_at(Weekday::Monday, Time::new(9, 0, 0, 0).unwrap()));
        assert!(!hours.is_open_at(Weekday::Monday, Time::new(12, 0, 0, 0).unwrap()));
        assert!(!hours.is_open_at(Weekday::Sunday, Time::new(9, 0, 0, 0).unwrap()));
        let back = hours.to_input();
        assert_eq!(back["mon"][0], ["08:30".to_owned(), "12:00".to_owned()]);
        assert_eq!(OpeningHours::parse(&back).unwrap(), hours);
    }

    #[test]
    fn refuses_overlaps_bad_days_and_times() {
        for bad in [
            r#"{"mon":[["08:30","12:00"],["11:00","16:00"]]}"#,
            r#"{"lun":[["08:30","12:00"]]}"#,
            r#"{"mon":[["12:00","08:30"]]}"#,
            r#"{"mon":[["08:30","08:30"]]}"#,
            r#"{"mon":[["8:30","12:00"]]}"#,
            r#"{"mon":[["25:00","26:00"]]}"#,
            r#"{"mon":[["08:61","12:00"]]}"#,
        ] {
            assert!(OpeningHours::parse(&input(bad)).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn touching_intervals_and_midnight_are_fine() {
        let raw = input(r#"{"sat":[["08:00","12:00"],["12:00","24:00"]]}"#);
        let hours = OpeningHours::parse(&raw).unwrap();
        assert!(hours.is_open_at(Weekday::Saturday, Time::new(23, 59, 0, 0).unwrap()));
        assert_eq!(hours.to_input()["sat"][1][1], "24:00");
    }

    #[test]
    fn tickets_from_shortly_before_opening_never_on_closures() {
        let hours = OpeningHours::parse(&input(r#"{"mon":[["08:30","12:00"],["14:00","16:30"]]}"#))
            .unwrap();
        let monday: Date = "2026-11-23".parse().unwrap();
        let at = |h, m| Time::new(h, m, 0, 0).unwrap();
        assert!(hours.takes_tickets_at(monday, at(8, 0), &[], 30));
        assert!(!hours.takes_tickets_at(monday, at(7, 59), &[], 30));
        assert!(hours.takes_tickets_at(monday, at(13, 45), &[], 30));
        assert!(!hours.takes_tickets_at(monday, at(12, 30), &[], 30));
        assert!(!hours.takes_tickets_at(monday, at(16, 30), &[], 30));
        assert!(!hours.takes_tickets_at(monday, at(9, 0), &[monday], 30));
        assert!(!hours.takes_tickets_at(monday.tomorrow().unwrap(), at(9, 0), &[], 30));
        assert_eq!(hours.closing_time(Weekday::Monday), Some(at(16, 30)));
        assert_eq!(hours.closing_time(Weekday::Sunday), None);
    }

    #[test]
    fn working_days_skip_weekends_and_closures() {
        let hours = OpeningHours::parse(&input(
            r#"{"mon":[["08:30","16:30"]],"tue":[["08:30","16:30"]],"wed":[["08:30","16:30"]],
                "thu":[["08:30","16:30"]],"fri":[["08:30","16:30"]]}"#,
        ))
        .unwrap();
        let day = |s: &str| s.parse::<Date>().unwrap();
        let thursday = day("2026-11-26");
        assert_eq!(hours.working_days_after(thursday, 0, &[]), Some(thursday));
        assert_eq!(
            hours.working_days_after(thursday, 1, &[]),
            Some(day("2026-11-27"))
        );
        assert_eq!(
            hours.working_days_after(thursday, 2, &[]),
            Some(day("2026-11-30"))
        );
        let closed = [day("2026-11-27")];
        assert_eq!(
            hours.working_days_after(thursday, 2, &closed),
            Some(day("2026-12-01"))
        );
        assert_eq!(
            hours.working_days_after(day("2026-11-28"), 0, &[]),
            Some(day("2026-11-30"))
        );
        assert_eq!(
            OpeningHours::default().working_days_after(thursday, 1, &[]),
            None
        );
    }

    #[test]
    fn closures_are_sorted_and_unique() {
        let dates = parse_closures(&[
            "2026-12-25".into(),
            "2026-11-18".into(),
            "2026-12-25".into(),
        ])
        .unwrap();
        assert_eq!(dates.len(), 2);
        assert_eq!(dates[0].to_string(), "2026-11-18");
        assert!(parse_closures(&["18/11/2026".into()]).is_err());
    }
}
