//! `/stats/{site}`: how long an office's services really take, for
//! citizens — the public figures of `app::public_stats` in plain words, and
//! how long those who joined the queue from a phone waited at home and in
//! the lobby (once enough did), and the coming days' busy and quiet hours as bars drawn by CSS alone (only
//! hours that expect at least `MIN_ARRIVALS`; a day without such hours is
//! left out, and "not enough data" is said once when no day has any).
//! Phone-sized first, complete without JavaScript, in French, Arabic and
//! English. Figures only: nothing here names a person or an agent.

use super::frame::{Frame, OrPage, PageError, render};
use super::i18n::Lang;
use super::portal::booking::{dates, name_in};
use crate::app::public_stats::{self, ComingDay, PublicServiceStats};
use crate::http::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use jiff::civil::Date;

/// The fewest expected arrivals an hour shows with: below, an hour says
/// nothing a citizen can use (and a quiet night at an office open around
/// the clock is not advice).
const MIN_ARRIVALS: f64 = 0.5;

pub fn router() -> Router<AppState> {
    Router::new().route("/stats/{site}", get(page))
}

/// A typical wait, or how few tickets there were.
struct Wait {
    enough: bool,
    tickets: i64,
    median: i64,
    p90: i64,
}

/// Where people waited, once some joined the queue from a phone.
struct Places {
    enough: bool,
    tickets: i64,
    home: i64,
    lobby: i64,
    everyone: i64,
}

/// Working days, with the word its number wants ("1 jour", "2,5 jours").
fn days(f: &Frame, key: &str, value: f64) -> String {
    let form = if (value - 1.0).abs() < f64::EPSILON {
        "one"
    } else {
        "other"
    };
    f.tr.under(key, form)
        .replacen("{}", &decimal(f.lang, value), 1)
}

/// A typical processing time against the promise, or how few requests.
struct Processing {
    enough: bool,
    requests: i64,
    /// "2,5 jours ouvrables".
    median: String,
    /// "3 jours ouvrables".
    promised: String,
    on_time: i64,
}

struct ServiceLine {
    name: String,
    wait: Option<Wait>,
    processing: Option<Processing>,
}

struct HourLine {
    /// "10:00–11:00".
    label: String,
    /// Expected arrivals, one decimal at most ("4", "1,5").
    value: String,
    /// The bar's length in tenths of the day's busiest hour (CSS `w0`…`w10`).
    width: u8,
    busiest: bool,
    quietest: bool,
}

struct DayLine {
    title: String,
    busiest: Option<String>,
    quietest: Option<String>,
    hours: Vec<HourLine>,
}

#[derive(Template)]
#[template(path = "public_stats.html")]
struct StatsPage {
    f: Frame,
    site: String,
    name: String,
    /// "du 27 octobre 2026 au 25 novembre 2026".
    from: String,
    to: String,
    services: Vec<ServiceLine>,
    /// Absent until a remote ticket was checked in and called.
    places: Option<Places>,
    days: Vec<DayLine>,
    /// Opening days to come, none of which has enough data to show.
    no_pattern: bool,
}

async fn page(
    State(state): State<AppState>,
    f: Frame,
    Path(site): Path<String>,
) -> Result<Response, PageError> {
    let stats = public_stats::for_site(&state.app, &site)
        .await
        .or_page(&f)?;
    let long_day = |day: &str| {
        day.parse::<Date>()
            .map(|d| dates::long_day(f.lang, d))
            .unwrap_or_else(|_| day.to_owned())
    };
    let page = StatsPage {
        site: stats.site.clone(),
        name: name_in(f.lang, &stats.name, stats.name_ar.as_deref()),
        from: long_day(&stats.from),
        to: long_day(&stats.to),
        // A service with neither walk-ins nor requests has nothing to show.
        services: stats
            .services
            .iter()
            .filter(|s| s.wait.is_some() || s.processing.is_some())
            .map(|s| service(&f, s))
            .collect(),
        places: {
            let p = &stats.home_and_lobby;
            (p.remote_tickets > 0).then(|| Places {
                enough: p.enough_data,
                tickets: p.remote_tickets,
                home: p.remote_home_median_minutes.unwrap_or_default(),
                lobby: p.remote_lobby_median_minutes.unwrap_or_default(),
                everyone: p.lobby_median_minutes.unwrap_or_default(),
            })
        },
        days: stats
            .coming_days
            .iter()
            .map(|d| day(&f, d))
            .filter(|d| !d.hours.is_empty())
            .collect(),
        no_pattern: !stats.coming_days.is_empty(),
        f,
    };
    Ok(render(&page))
}

fn service(f: &Frame, s: &PublicServiceStats) -> ServiceLine {
    ServiceLine {
        name: name_in(f.lang, &s.name, s.name_ar.as_deref()),
        wait: s.wait.as_ref().map(|w| Wait {
            enough: w.enough_data,
            tickets: w.tickets,
            median: w.median_minutes.unwrap_or_default(),
            p90: w.p90_minutes.unwrap_or_default(),
        }),
        processing: s.processing.as_ref().map(|p| Processing {
            enough: p.enough_data,
            requests: p.requests,
            median: p
                .median_days
                .map(|d| days(f, "public_stats.processing_median", d))
                .unwrap_or_default(),
            promised: days(
                f,
                "public_stats.processing_promised",
                p.promised_days as f64,
            ),
            on_time: p.on_time_percent.unwrap_or_default(),
        }),
    }
}

fn day(f: &Frame, d: &ComingDay) -> DayLine {
    let shown: Vec<(i8, f64)> = d
        .hours
        .iter()
        .map(|h| (h.hour, h.expected_arrivals))
        .filter(|(_, expected)| *expected >= MIN_ARRIVALS)
        .collect();
    let most = shown.iter().map(|(_, e)| *e).fold(0.0_f64, f64::max);
    let least = shown.iter().map(|(_, e)| *e).fold(f64::INFINITY, f64::min);
    // The busiest and the quietest of the hours shown, when they differ.
    let differ = most > least;
    let busiest = shown
        .iter()
        .find(|(_, e)| differ && *e == most)
        .map(|(h, _)| *h);
    let quietest = shown
        .iter()
        .find(|(_, e)| differ && *e == least)
        .map(|(h, _)| *h);
    let span = |hour: i8| format!("{hour:02}:00–{:02}:00", (hour + 1) % 24);
    DayLine {
        title: d
            .date
            .parse::<Date>()
            .map(|date| dates::long_day(f.lang, date))
            .unwrap_or_else(|_| d.date.clone()),
        busiest: busiest.map(span),
        quietest: quietest.map(span),
        hours: shown
            .iter()
            .map(|&(hour, expected)| HourLine {
                label: span(hour),
                value: decimal(f.lang, expected),
                width: (expected / most * 10.0).round().clamp(0.0, 10.0) as u8,
                busiest: busiest == Some(hour),
                quietest: quietest == Some(hour),
            })
            .collect(),
    }
}

/// A figure as the page's language writes it (`Lang::number`).
fn decimal(lang: Lang, value: f64) -> String {
    lang.number(value)
}
