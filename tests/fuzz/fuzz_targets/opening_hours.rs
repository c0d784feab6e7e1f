//! A site's weekly opening hours as clients write them (`{"mon":
//! [["08:30","16:30"]], …}`) and its closure dates. Hours that parse are
//! sorted, non-overlapping intervals that give back the same hours when
//! written out and read again; the questions asked of them (open now?
//! closing time? a date some working days ahead?) answer without panicking
//! and agree with each other.
#![no_main]

use guichet::domain::opening_hours::{OpeningHours, WeeklyHoursInput, parse_closures};
use jiff::civil::{Date, Time, Weekday};
use libfuzzer_sys::fuzz_target;

const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

fuzz_target!(|data: &[u8]| {
    // The closures (one date a line) come before the first NUL byte.
    let (closures, hours) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&[][..], data),
    };
    let closures: Vec<String> = String::from_utf8_lossy(closures)
        .lines()
        .map(str::to_owned)
        .collect();
    let closures = match parse_closures(&closures) {
        Ok(dates) => {
            assert!(dates.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
            dates
        }
        Err(invalid) => {
            assert_eq!(invalid.field, "closures");
            Vec::new()
        }
    };

    let Ok(input) = serde_json::from_slice::<WeeklyHoursInput>(hours) else {
        return;
    };
    let parsed = match OpeningHours::parse(&input) {
        Ok(parsed) => parsed,
        Err(invalid) => {
            assert_eq!(invalid.field, "opening_hours");
            return;
        }
    };
    let written = parsed.to_input();
    assert_eq!(
        OpeningHours::parse(&written).as_ref(),
        Ok(&parsed),
        "{written:?} read back"
    );
    assert_eq!(parsed.to_input(), written, "writing out is stable");

    for day in WEEK {
        let intervals = parsed.on(day);
        assert!(intervals.iter().all(|(s, e)| s < e), "{day:?}: empty interval");
        assert!(
            intervals.windows(2).all(|w| w[0].1 <= w[1].0),
            "{day:?}: overlap or unsorted"
        );
        assert_eq!(
            parsed.closing_time(day),
            intervals.last().map(|(_, e)| *e),
            "{day:?}"
        );
        for (start, end) in intervals {
            assert!(parsed.is_open_at(day, *start), "{day:?}: open at {start}");
            // The end is excluded, unless the next interval starts there.
            let next_starts = intervals.iter().any(|(s, _)| s == end);
            assert_eq!(parsed.is_open_at(day, *end), next_starts, "{day:?}: at {end}");
        }
    }

    // A date from the input's length, so that the fuzzer moves it.
    let from = Date::new(2026, 1, 1)
        .unwrap()
        .checked_add(jiff::Span::new().days(data.len() as i64 % 400))
        .unwrap();
    let never_opens = WEEK.iter().all(|d| parsed.on(*d).is_empty());
    for days in [0, 1, 5, 30] {
        let due = parsed.working_days_after(from, days, &closures);
        if never_opens {
            assert_eq!(due, None);
        }
        if let Some(due) = due {
            assert!(due >= from);
            assert!(!parsed.on(due.weekday()).is_empty(), "{due} has no hours");
            assert!(!closures.contains(&due), "{due} is closed");
        }
    }
    for early in [0, 30, 24 * 60] {
        let at = Time::new(8, 0, 0, 0).unwrap();
        let takes = parsed.takes_tickets_at(from, at, &closures, early);
        if closures.contains(&from) {
            assert!(!takes, "a closure takes no ticket");
        }
        if parsed.is_open_at(from.weekday(), at) && !closures.contains(&from) {
            assert!(takes, "open means tickets");
        }
    }
});
