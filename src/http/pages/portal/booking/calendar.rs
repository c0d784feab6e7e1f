//! The month calendar of a service's free days and the times of the chosen
//! day, grouped by part of the day and hour: plain links, so booking and
//! moving an appointment work without JavaScript. A chosen time (`start`
//! in the address) becomes a summary with a "change" link, next to the
//! form. Shared by booking and rescheduling.

use super::dates;
use crate::app::reads::Source;
use crate::app::slots::{self, SlotQuery};
use crate::app::{App, AppResult, sites::SiteContext};
use crate::http::pages::i18n::Lang;
use jiff::civil::Date;
use jiff::{Span, ToSpan};

/// One month of a service's calendar.
#[derive(Debug)]
pub struct Month {
    /// "novembre 2026".
    pub title: String,
    pub weekdays: [&'static str; 7],
    /// Monday-first weeks, padded with empty cells.
    pub cells: Vec<Cell>,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The chosen day, written out ("mardi 24 novembre 2026").
    pub chosen: Option<String>,
    /// Whether any day of the month has a free place.
    pub any_free: bool,
}

#[derive(Debug)]
pub struct Cell {
    /// 0 for padding.
    pub day: i8,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The link that chooses this day, when it has free places.
    pub href: Option<String>,
    pub chosen: bool,
    /// "mardi 24 novembre 2026", for screen readers.
    pub label: String,
}

/// A free time of the chosen day.
#[derive(Debug)]
pub struct Time {
    /// The slot's start as the slot list gives it (the form sends it back).
    pub start: String,
    /// "09:00", local.
    pub clock: String,
    pub left: i64,
    /// The page with this time chosen.
    pub href: String,
}

/// The free times of one hour ("09").
#[derive(Debug)]
pub struct Hour {
    pub hour: String,
    pub times: Vec<Time>,
}

/// Night (before 06:00), morning, afternoon (from 12:00), evening (from
/// 18:00): a fold of the times list, the first one with times open.
#[derive(Debug)]
pub struct Part {
    /// `portal.book.part.{key}`.
    pub key: &'static str,
    /// "06:00–12:00".
    pub span: &'static str,
    pub count: i64,
    pub open: bool,
    pub hours: Vec<Hour>,
}

/// The time chosen, as the summary above the form shows it.
#[derive(Debug)]
pub struct Chosen {
    pub start: String,
    /// "mardi 24 novembre 2026, 09:00".
    pub when: String,
    /// Back to the day's times.
    pub change: String,
}

/// The chosen day's times: grouped, or the one chosen.
#[derive(Debug, Default)]
pub struct Times {
    pub parts: Vec<Part>,
    pub chosen: Option<Chosen>,
}

impl Times {
    /// Whether the chosen day has no free time left.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty() && self.chosen.is_none()
    }
}

const PARTS: [(&str, &str, i8); 4] = [
    ("night", "00:00–06:00", 6),
    ("morning", "06:00–12:00", 12),
    ("afternoon", "12:00–18:00", 18),
    ("evening", "18:00–24:00", 24),
];

/// The times grouped by part of the day, then hour, in order.
fn group(times: Vec<(i8, Time)>) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    for (hour, time) in times {
        let Some(&(key, span, _)) = PARTS.iter().find(|(_, _, end)| hour < *end) else {
            continue;
        };
        if parts.last().is_none_or(|p| p.key != key) {
            parts.push(Part {
                key,
                span,
                count: 0,
                open: parts.is_empty(),
                hours: Vec::new(),
            });
        }
        let Some(part) = parts.last_mut() else {
            continue;
        };
        let label = format!("{hour:02}");
        part.count += 1;
        match part.hours.last_mut() {
            Some(h) if h.hour == label => h.times.push(time),
            _ => part.hours.push(Hour {
                hour: label,
                times: vec![time],
            }),
        }
    }
    parts
}

/// A slot's start in an address (its offset's `+` would read as a space).
fn encoded(start: &str) -> String {
    start.replace('+', "%2B").replace(':', "%3A")
}

/// The booking page with a slot chosen, from the booking's `base`
/// (`/book/{site}/{service}?mode=…`) and the slot's RFC 3339 start in the
/// office's local time: its month, its day, and the start.
pub fn chosen_href(base: &str, start: &str) -> String {
    let (month, day) = (start.get(..7).unwrap_or(""), start.get(..10).unwrap_or(""));
    format!(
        "{base}&month={month}&day={day}&start={}#chosen",
        encoded(start)
    )
}

/// What to show: the month (first day), the chosen day, in a mode.
pub struct Ask<'a> {
    pub site: &'a str,
    pub service: &'a str,
    pub mode: &'a str,
    pub month: Option<&'a str>,
    pub day: Option<&'a str>,
    /// The time chosen, if any.
    pub start: Option<&'a str>,
    /// The page's address up to its query, which always has a `?`: the
    /// calendar adds `&month=…&day=…`.
    pub base: String,
    /// Shown again after a booking or a move was tried: the places are
    /// read from the primary, so the page shows what the attempt did.
    pub fresh: bool,
}

/// The month and the free times of the chosen day.
pub async fn build(app: &App, lang: Lang, ask: Ask<'_>) -> AppResult<(Month, Times)> {
    let context = SiteContext::load(app, ask.site).await?;
    let horizon = context.service(ask.service).map_or(0, |s| s.horizon_days);
    let today = crate::domain::time::local_day(app.clock.now(), &context.zone);
    let last_open = today.checked_add(horizon.days()).unwrap_or(today);
    let day = ask
        .day
        .and_then(|d| crate::domain::time::parse_date("day", d).ok());
    let first = ask
        .month
        .and_then(|m| crate::domain::time::parse_date("month", &format!("{m}-01")).ok())
        .or_else(|| day.map(|d| d.first_of_month()))
        .unwrap_or_else(|| today.first_of_month())
        .max(today.first_of_month());
    let day = day.filter(|d| d.first_of_month() == first);
    let last = first.last_of_month();
    let from = first.max(today);
    let mut listed = None;
    if from <= last {
        let query = SlotQuery {
            from: Some(from.to_string()),
            to: Some(last.to_string()),
            mode: Some(ask.mode.to_owned()),
        };
        let source = if ask.fresh {
            Source::Primary
        } else {
            Source::Replica
        };
        listed = Some(slots::list_from(app, source, ask.site, ask.service, query).await?);
    }
    let slots = listed.as_ref().map_or(&[][..], |l| l.slots());
    let free_on = |date: &str| {
        slots
            .iter()
            .any(|s| s.available > 0 && s.start.starts_with(date))
    };
    let month_of = |d: Date| format!("{:04}-{:02}", d.year(), d.month());
    let link = |m: Date, d: Option<Date>| match d {
        Some(d) => format!("{}&month={}&day={d}", ask.base, month_of(m)),
        None => format!("{}&month={}", ask.base, month_of(m)),
    };
    let mut cells: Vec<Cell> = (0..first.weekday().to_monday_zero_offset())
        .map(|_| Cell {
            day: 0,
            date: String::new(),
            href: None,
            chosen: false,
            label: String::new(),
        })
        .collect();
    let mut any_free = false;
    let mut date = first;
    while date <= last {
        let text = date.to_string();
        let free = free_on(&text);
        any_free |= free;
        cells.push(Cell {
            day: date.day(),
            href: free.then(|| link(first, Some(date))),
            chosen: Some(date) == day,
            label: dates::long_day(lang, date),
            date: text,
        });
        date = match date.tomorrow() {
            Ok(next) => next,
            Err(_) => break,
        };
    }
    let prev = first.checked_sub(Span::new().months(1)).ok();
    let next = first.checked_add(Span::new().months(1)).ok();
    let month = Month {
        title: dates::month_year(lang, first),
        weekdays: dates::short_weekdays(lang),
        cells,
        prev: prev
            .filter(|p| *p >= today.first_of_month())
            .map(|p| link(p, None)),
        next: next.filter(|n| *n <= last_open).map(|n| link(n, None)),
        chosen: day.map(|d| dates::long_day(lang, d)),
        any_free,
    };
    let Some(day) = day else {
        return Ok((month, Times::default()));
    };
    let prefix = day.to_string();
    let day_link = link(first, Some(day));
    let free: Vec<(i8, Time)> = slots
        .iter()
        .filter(|s| s.available > 0 && s.start.starts_with(&prefix))
        .filter_map(|s| {
            let at = dates::local(&s.start)?;
            let time = Time {
                clock: dates::clock(at),
                href: chosen_href(ask.base.as_str(), &s.start),
                start: s.start.clone(),
                left: s.available,
            };
            Some((at.hour(), time))
        })
        .collect();
    let chosen = ask
        .start
        .and_then(|start| free.iter().find(|(_, t)| t.start == start))
        .map(|(_, t)| Chosen {
            start: t.start.clone(),
            when: dates::when(lang, &t.start),
            change: format!("{day_link}#times"),
        });
    let times = match chosen {
        Some(chosen) => Times {
            parts: Vec::new(),
            chosen: Some(chosen),
        },
        None => Times {
            parts: group(free),
            chosen: None,
        },
    };
    Ok((month, times))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(clock: &str) -> (i8, Time) {
        let hour = clock[..2].parse().unwrap_or(0);
        let time = Time {
            start: clock.to_owned(),
            clock: clock.to_owned(),
            left: 1,
            href: String::new(),
        };
        (hour, time)
    }

    #[test]
    fn times_group_by_part_of_the_day_then_hour() {
        let times = ["05:45", "09:00", "09:30", "10:00", "13:15", "23:45"];
        let parts = group(times.iter().map(|c| time(c)).collect());
        let keys: Vec<&str> = parts.iter().map(|p| p.key).collect();
        assert_eq!(keys, ["night", "morning", "afternoon", "evening"]);
        let open: Vec<bool> = parts.iter().map(|p| p.open).collect();
        assert_eq!(open, [true, false, false, false]);
        let morning = &parts[1];
        assert_eq!(morning.count, 3);
        let hours: Vec<(&str, usize)> = morning
            .hours
            .iter()
            .map(|h| (h.hour.as_str(), h.times.len()))
            .collect();
        assert_eq!(hours, [("09", 2), ("10", 1)]);
        assert_eq!(
            encoded("2026-11-24T09:00:00+01:00"),
            "2026-11-24T09%3A00%3A00%2B01%3A00"
        );
    }
}
