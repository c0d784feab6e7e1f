//! The month calendar of a service's free days and the times of the chosen
//! day: plain links and radio buttons, so booking and moving an
//! appointment work without JavaScript. Shared by booking and rescheduling.

use super::dates;
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
}

/// What to show: the month (first day), the chosen day, in a mode.
pub struct Ask<'a> {
    pub site: &'a str,
    pub service: &'a str,
    pub mode: &'a str,
    pub month: Option<&'a str>,
    pub day: Option<&'a str>,
    /// The page's address up to its query, which always has a `?`: the
    /// calendar adds `&month=…&day=…`.
    pub base: String,
}

/// The month and the free times of the chosen day.
pub async fn build(app: &App, lang: Lang, ask: Ask<'_>) -> AppResult<(Month, Vec<Time>)> {
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
    let mut slots = Vec::new();
    if from <= last {
        let query = SlotQuery {
            from: Some(from.to_string()),
            to: Some(last.to_string()),
            mode: Some(ask.mode.to_owned()),
        };
        slots = slots::list(app, ask.site, ask.service, query).await?.slots;
    }
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
    let times = match day {
        Some(day) => {
            let prefix = day.to_string();
            slots
                .into_iter()
                .filter(|s| s.available > 0 && s.start.starts_with(&prefix))
                .map(|s| Time {
                    clock: dates::local(&s.start).map(dates::clock).unwrap_or_default(),
                    start: s.start,
                    left: s.available,
                })
                .collect()
        }
        None => Vec::new(),
    };
    Ok((month, times))
}
