//! The public's view of an office (`GET /api/v1/sites/{site}/public-stats`
//! and the page `/stats/{site}`): how long each service really takes over
//! the last 30 local days, how long people waited at home and in the lobby
//! (`places`), and when the coming days should be busy or quiet. Anyone
//! may read it, so it holds figures only: no ticket, no person, no phone,
//! no agent and nothing per agent.
//!
//! A figure resting on too few tickets or requests would mislead more than
//! it tells, so below a minimum the answer says "not enough data" instead.
//! The answer is kept per site for a few minutes: it changes slowly and
//! each reading scans a month of tickets.

pub mod forecast;
pub mod places;

use super::reads::from_replica;
use super::sites::SiteContext;
use super::{App, AppError, AppResult};
use crate::domain::opening_hours::OpeningHours;
use crate::store::{self, public_stats::WaitRow};
use jiff::civil::Date;
use jiff::{Timestamp, tz::TimeZone};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// The local days the figures cover, ending yesterday.
pub const DAYS: i64 = 30;
/// The weeks of arrivals the coming days' forecast averages.
pub const FORECAST_WEEKS: i64 = 8;
/// The coming open days forecast.
pub const COMING_DAYS: usize = 7;
/// Fewest called tickets a typical wait is shown for.
pub const MIN_TICKETS: i64 = 10;
/// Fewest ready requests a typical processing time is shown for: requests
/// are rarer than tickets, and each one is a whole case.
pub const MIN_REQUESTS: i64 = 5;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicStats {
    pub site: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub timezone: String,
    /// First and last local day of the figures (the 30 days before today).
    pub from: String,
    pub to: String,
    pub min_tickets: i64,
    pub min_requests: i64,
    pub services: Vec<PublicServiceStats>,
    /// How long people who joined the queue from a phone waited at home and
    /// in the lobby, and everyone in the lobby.
    pub home_and_lobby: places::PlaceFigures,
    /// The next days the office opens, with the arrivals expected per hour.
    pub coming_days: Vec<ComingDay>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicServiceStats {
    pub id: String,
    pub name: String,
    pub name_ar: Option<String>,
    /// For walk-in services and any service whose tickets were called.
    pub wait: Option<WaitFigures>,
    /// For services whose documents can be requested.
    pub processing: Option<ProcessingFigures>,
}

/// Minutes from taking a ticket to being called.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaitFigures {
    /// Called tickets the figures rest on.
    pub tickets: i64,
    /// Whether there were at least `min_tickets`; the figures are left out
    /// otherwise.
    pub enough_data: bool,
    /// The median wait, to the nearest minute.
    pub median_minutes: Option<i64>,
    /// Nine people in ten waited at most this (rounded up).
    pub p90_minutes: Option<i64>,
}

/// Working days from submitting a request to its document being ready.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProcessingFigures {
    /// Requests that became ready in the period.
    pub requests: i64,
    pub enough_data: bool,
    /// The service's promise (`processing_days`).
    pub promised_days: i64,
    pub median_days: Option<f64>,
    /// Share of them ready by the day promised, in percent.
    pub on_time_percent: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComingDay {
    /// Local date, `YYYY-MM-DD`.
    pub date: String,
    /// `mon` … `sun`.
    pub weekday: String,
    pub hours: Vec<HourForecast>,
    /// The hours expecting the most and the fewest arrivals; absent when
    /// every hour expects the same (no data yet).
    pub busiest_hour: Option<i8>,
    pub quietest_hour: Option<i8>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HourForecast {
    /// Local hour, 0–23: the figure is for `hour:00`–`hour:59`.
    pub hour: i8,
    /// Average arrivals in that hour on the same weekday, one decimal.
    pub expected_arrivals: f64,
}

/// The public figures of a site; 404 for an unknown site.
pub async fn for_site(app: &App, site: &str) -> AppResult<Arc<PublicStats>> {
    let context = SiteContext::load(app, site).await?;
    let now = Timestamp::from_millisecond(app.clock.now_ms())
        .map_err(|e| AppError::Internal(e.into()))?
        .to_zoned(context.zone.clone());
    let today = now.date();
    // Keyed by day too: tomorrow's answer never comes from today's.
    let key = format!("{site}/{today}");
    if let Some(stats) = app.caches.public_stats.get(&key) {
        return Ok(stats);
    }
    let day = |back: i64| shift(today, -back);
    let (from, yesterday) = (day(DAYS)?, day(1)?);
    let forecast_from = day(FORECAST_WEEKS * 7)?;
    let zone = &context.zone;
    let (ready_from, ready_until) = (start_of(from, zone)?, start_of(today, zone)?);
    let (from_day, last_day) = (from.to_string(), yesterday.to_string());
    let forecast_day = forecast_from.to_string();
    let (waits, places, quarters, ready) = from_replica!(app, |db| {
        tokio::try_join!(
            store::public_stats::waits(db, site, &from_day, &last_day),
            store::public_stats::places(db, site, &from_day, &last_day),
            store::public_stats::arrivals(db, site, &forecast_day, &last_day),
            store::public_stats::ready_requests(db, site, ready_from, ready_until),
        )
    })?;
    let quarters: Vec<(i64, i64)> = quarters
        .into_iter()
        .map(|q| (q.quarter, q.arrivals))
        .collect();
    let (hours, closures) = (&context.hours, context.closures.as_slice());
    let pattern =
        forecast::Pattern::learn(&quarters, zone, (forecast_from, yesterday), hours, closures);
    let coming = forecast::coming_days(&pattern, hours, closures, today, now.time(), COMING_DAYS);
    let services = context
        .services
        .iter()
        .map(|s| {
            let row = waits.iter().find(|w| w.service_id == s.id);
            let processed: Vec<(Date, Date, Option<Date>)> = ready
                .iter()
                .filter(|r| r.service_id == s.id)
                .map(|r| {
                    (
                        local_date(r.submitted_at, zone),
                        local_date(r.ready_at, zone),
                        r.expected_ready_on.parse().ok(),
                    )
                })
                .collect();
            PublicServiceStats {
                id: s.id.clone(),
                name: s.name.clone(),
                name_ar: s.name_ar.clone(),
                wait: (s.walk_in || row.is_some()).then(|| wait_figures(row)),
                processing: (s.processing_days > 0)
                    .then(|| processing(&processed, s.processing_days, hours, closures)),
            }
        })
        .collect();
    let stats = Arc::new(PublicStats {
        site: context.row.id.clone(),
        name: context.row.name.clone(),
        name_ar: context.row.name_ar.clone(),
        timezone: context.row.timezone.clone(),
        from: from.to_string(),
        to: yesterday.to_string(),
        min_tickets: MIN_TICKETS,
        min_requests: MIN_REQUESTS,
        services,
        home_and_lobby: places::figures(&places),
        coming_days: coming.into_iter().map(coming_day).collect(),
    });
    app.caches.public_stats.put(&key, stats.clone());
    Ok(stats)
}

fn wait_figures(row: Option<&WaitRow>) -> WaitFigures {
    let tickets = row.map_or(0, |r| r.tickets);
    let enough = tickets >= MIN_TICKETS;
    let figures = row.filter(|_| enough);
    WaitFigures {
        tickets,
        enough_data: enough,
        median_minutes: figures.map(|r| {
            let median_ms = (r.median_low_ms + r.median_high_ms) / 2;
            (median_ms + 30_000).div_euclid(60_000)
        }),
        p90_minutes: figures.map(|r| (r.p90_ms + 59_999).div_euclid(60_000)),
    }
}

/// `requests` are `(submitted, ready, promised)` local dates.
fn processing(
    requests: &[(Date, Date, Option<Date>)],
    promised_days: i64,
    hours: &OpeningHours,
    closures: &[Date],
) -> ProcessingFigures {
    let count = requests.len() as i64;
    let enough = count >= MIN_REQUESTS;
    let mut days: Vec<i64> = requests
        .iter()
        .map(|(submitted, ready, _)| working_days(hours, closures, *submitted, *ready))
        .collect();
    days.sort_unstable();
    let on_time = requests
        .iter()
        .filter(|(_, ready, promised)| promised.is_some_and(|p| *ready <= p))
        .count() as i64;
    ProcessingFigures {
        requests: count,
        enough_data: enough,
        promised_days,
        median_days: enough.then(|| median(&days)).flatten(),
        on_time_percent: (enough && count > 0).then(|| (on_time * 100 + count / 2) / count),
    }
}

/// The working days after `from` up to and including `to`: counted the way
/// a request's promised day is (`OpeningHours::working_days_after`).
fn working_days(hours: &OpeningHours, closures: &[Date], from: Date, to: Date) -> i64 {
    let mut count = 0;
    let mut day = from;
    while day < to {
        let Ok(next) = day.tomorrow() else { break };
        day = next;
        if !hours.on(day.weekday()).is_empty() && !closures.contains(&day) {
            count += 1;
        }
    }
    count
}

/// The middle of sorted values, halfway between the two middle ones for
/// an even count.
fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    (n > 0).then(|| (sorted[(n - 1) / 2] + sorted[n / 2]) as f64 / 2.0)
}

fn coming_day(day: forecast::DayForecast) -> ComingDay {
    ComingDay {
        date: day.date.to_string(),
        weekday: weekday_key(day.date.weekday()).to_owned(),
        hours: day
            .hours
            .into_iter()
            .map(|(hour, expected_arrivals)| HourForecast {
                hour,
                expected_arrivals,
            })
            .collect(),
        busiest_hour: day.busiest,
        quietest_hour: day.quietest,
    }
}

fn weekday_key(day: jiff::civil::Weekday) -> &'static str {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][day.to_monday_zero_offset() as usize]
}

fn shift(day: Date, days: i64) -> AppResult<Date> {
    day.checked_add(jiff::Span::new().days(days))
        .map_err(|e| AppError::Internal(e.into()))
}

/// The first instant of a local day, in milliseconds.
fn start_of(day: Date, zone: &TimeZone) -> AppResult<i64> {
    day.to_zoned(zone.clone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|e| AppError::Internal(e.into()))
}

fn local_date(ms: i64, zone: &TimeZone) -> Date {
    let at = Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH);
    crate::domain::time::local_day(at, zone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1, 2, 9]), Some(2.0));
        assert_eq!(median(&[1, 2, 3, 9]), Some(2.5));
    }

    #[test]
    fn working_days_skip_closed_days() {
        let hours = OpeningHours::parse(
            &serde_json::from_str(r#"{"mon":[["08:30","16:30"]],"tue":[["08:30","16:30"]],"wed":[["08:30","16:30"]],"thu":[["08:30","16:30"]],"fri":[["08:30","16:30"]]}"#)
                .unwrap(),
        )
        .unwrap();
        // Friday to the next Tuesday, with Monday a holiday: one working day.
        let (friday, tuesday) = (date(2026, 11, 6), date(2026, 11, 10));
        assert_eq!(
            working_days(&hours, &[date(2026, 11, 9)], friday, tuesday),
            1
        );
        assert_eq!(working_days(&hours, &[], friday, tuesday), 2);
        assert_eq!(working_days(&hours, &[], friday, friday), 0);
    }
}
