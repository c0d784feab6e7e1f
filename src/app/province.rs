//! The province's view (docs/province.md): a province's offices compared
//! over a range of local days, for the province's accounts and admins.
//! Nothing is written here; `admin` sets provinces up.
//!
//! Per office, with the same rules as a site's statistics (`app::stats`):
//! - `visits`: tickets issued on the days; `median_wait_seconds` and
//!   `p90_wait_seconds` (nearest rank) over the tickets called;
//!   `median_service_seconds` over the done tickets that were started.
//! - `no_show_share`: ticket no-shows among the tickets called.
//! - `requests_on_time_share`: of the document requests filed in the range
//!   that became ready, those ready on or before their promised day.
//! - `complaints_in_time_share`: of the complaints received in the range
//!   that were answered or are past their due day, those answered on or
//!   before it.
//! - `feedback_score`: the mean rating (1–5) of the feedback asked for.
//! - `appointments_kept_share`: of the appointments on the days that were
//!   honoured or missed, those honoured.
//!
//! All of it comes from six queries over the whole set of offices
//! (`store::comparison`), never one per office.

pub mod admin;
mod csv;

pub use csv::to_csv;

use super::auth::Principal;
use super::reads::from_replica;
use super::{App, AppError, AppResult};
use crate::domain::Invalid;
use crate::domain::comparison::{self, Column};
use crate::domain::stats as rules;
use crate::domain::time::{local_day, parse_date, parse_timezone};
use crate::store::comparison::{self as sql, Scope, SiteWindow};
use crate::store::{self, provinces::MemberSite};
use jiff::ToSpan;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// The range compared and the order of the offices.
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ComparisonQuery {
    /// First local day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last local day, inclusive (default: today); at most 366 days.
    pub to: Option<String>,
    /// `site` (default) or a column to rank by: `visits`, `median_wait`,
    /// `p90_wait`, `median_service`, `no_show_share`, `requests_on_time`,
    /// `complaints_in_time`, `feedback_score`, `appointments_kept`.
    pub sort: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comparison {
    pub province: String,
    pub name: String,
    pub name_ar: Option<String>,
    /// First local day, `YYYY-MM-DD`.
    pub from: String,
    /// Last local day, inclusive.
    pub to: String,
    /// What the offices are ordered by: `site` or a column.
    pub sort: String,
    pub offices: Vec<OfficeFigures>,
}

/// One office's figures over the range. Shares are 0 to 1 (three
/// decimals) and `null`, like means, when there is nothing to measure.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OfficeFigures {
    pub site: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub visits: i64,
    pub served: i64,
    pub median_wait_seconds: Option<f64>,
    pub p90_wait_seconds: Option<f64>,
    pub median_service_seconds: Option<f64>,
    pub no_shows: i64,
    pub no_show_share: Option<f64>,
    /// Requests filed in the range that became ready.
    pub requests_ready: i64,
    pub requests_on_time_share: Option<f64>,
    /// Complaints received in the range, answered or past their due day.
    pub complaints_due: i64,
    pub complaints_in_time_share: Option<f64>,
    pub feedback_answers: i64,
    pub feedback_score: Option<f64>,
    /// Appointments on the days, honoured or missed.
    pub appointments_due: i64,
    pub appointments_kept_share: Option<f64>,
    /// The office's rank (1 = best) by each column that has a value.
    pub ranks: BTreeMap<String, u32>,
}

impl OfficeFigures {
    /// The value a column ranks by.
    pub fn value(&self, column: Column) -> Option<f64> {
        match column {
            Column::Visits => Some(self.visits as f64),
            Column::MedianWait => self.median_wait_seconds,
            Column::P90Wait => self.p90_wait_seconds,
            Column::MedianService => self.median_service_seconds,
            Column::NoShowShare => self.no_show_share,
            Column::RequestsOnTime => self.requests_on_time_share,
            Column::ComplaintsInTime => self.complaints_in_time_share,
            Column::FeedbackScore => self.feedback_score,
            Column::AppointmentsKept => self.appointments_kept_share,
        }
    }
}

/// At most this many sites in one province: a comparison binds each.
pub const MAX_SITES: i64 = 200;

/// Admins pass for every province; a province account for its own.
pub fn require_reader(who: &Principal, province: &str) -> AppResult<()> {
    match who {
        Principal::Province { province: own, .. } if own == province => Ok(()),
        Principal::Province { .. } => Err(AppError::Forbidden("not your province")),
        _ => who.require_admin(),
    }
}

/// The province's offices compared over the range, ordered by `sort`.
pub async fn compare(
    app: &App,
    who: &Principal,
    province: &str,
    query: &ComparisonQuery,
) -> AppResult<Comparison> {
    require_reader(who, province)?;
    comparison(app, province, query).await
}

/// The comparison itself, for a caller that has checked who reads it (or
/// the monthly mailing, which no one asks for).
pub(crate) async fn comparison(
    app: &App,
    province: &str,
    query: &ComparisonQuery,
) -> AppResult<Comparison> {
    let sort = Column::parse(query.sort.as_deref().unwrap_or("site"))?;
    let row = store::provinces::get(&app.db, province)
        .await?
        .ok_or(AppError::NotFound("province"))?;
    let sites = store::provinces::sites(&app.db, province).await?;
    let zones = sites
        .iter()
        .map(|s| parse_timezone(&s.timezone))
        .collect::<Result<Vec<_>, _>>()?;
    let now = app.clock.now();
    let today = local_day(now, zones.first().unwrap_or(&TimeZone::UTC));
    let to = match &query.to {
        Some(to) => parse_date("to", to)?,
        None => today,
    };
    let from = match &query.from {
        Some(from) => parse_date("from", from)?,
        None => to.checked_sub(29.days()).map_err(|_| out_of_range())?,
    };
    rules::check_range(from, to)?;
    let windows = sites
        .iter()
        .zip(&zones)
        .map(|(site, zone)| {
            let (start_ms, end_ms) = rules::instants(from, to, zone).ok_or_else(out_of_range)?;
            Ok(SiteWindow {
                site: site.id.clone(),
                start_ms,
                end_ms,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let scope = Scope {
        from_day: from.to_string(),
        to_day: to.to_string(),
        sites: windows,
    };
    let mut offices = if sites.is_empty() {
        Vec::new()
    } else {
        figures(app, &scope, &sites, &zones, now).await?
    };
    rank(&mut offices, sort);
    Ok(Comparison {
        province: row.id,
        name: row.name,
        name_ar: row.name_ar,
        from: scope.from_day,
        to: scope.to_day,
        sort: sort.map_or("site", Column::as_str).to_owned(),
        offices,
    })
}

fn out_of_range() -> AppError {
    Invalid::new("range", "outside the supported calendar").into()
}

async fn figures(
    app: &App,
    scope: &Scope,
    sites: &[MemberSite],
    zones: &[TimeZone],
    now: jiff::Timestamp,
) -> AppResult<Vec<OfficeFigures>> {
    // A province's months: from the read replica when there is one.
    let (tickets, ranks, appointments, processed, feedback, complaints) =
        from_replica!(app, |db| {
            tokio::try_join!(
                sql::tickets(db, scope),
                sql::ranks(db, scope),
                sql::appointments(db, scope),
                sql::processed(db, scope),
                sql::feedback(db, scope),
                sql::complaints(db, scope),
            )
        })?;
    let seconds = |ms: i64| rules::mean_seconds(Some(ms), 1);
    Ok(sites
        .iter()
        .zip(zones)
        .map(|(site, zone)| {
            let id = site.id.as_str();
            let t = tickets.iter().find(|r| r.site == id);
            let rank_of =
                |measure: &str| ranks.iter().find(|r| r.site == id && r.measure == measure);
            let wait = rank_of("wait");
            let service = rank_of("service");
            let (visits, served, no_shows, called) = t.map_or((0, 0, 0, 0), |t| {
                let served = t.served.unwrap_or(0);
                (t.issued, served, t.no_shows.unwrap_or(0), t.called)
            });
            let (kept, missed) = appointments
                .iter()
                .find(|r| r.site == id)
                .map_or((0, 0), |a| {
                    (a.honoured.unwrap_or(0), a.no_shows.unwrap_or(0))
                });
            let (ready, on_time) =
                processed
                    .iter()
                    .filter(|r| r.site == id)
                    .fold((0, 0), |(ready, on_time), r| {
                        let in_time = rules::local_day(r.bucket, zone)
                            .is_some_and(|day| day.to_string() <= r.expected_ready_on);
                        (ready + r.n, on_time + if in_time { r.n } else { 0 })
                    });
            let today = local_day(now, zone).to_string();
            let (due, in_time) = complaints.iter().filter(|r| r.site == id).fold(
                (0, 0),
                |(due, in_time), r| match r.bucket {
                    Some(bucket) => {
                        let day = rules::local_day(bucket, zone).map(|d| d.to_string());
                        let kept = day.is_some_and(|d| d <= r.answer_due_on);
                        (due + r.n, in_time + if kept { r.n } else { 0 })
                    }
                    None if r.answer_due_on < today => (due + r.n, in_time),
                    None => (due, in_time),
                },
            );
            let rating = feedback.iter().find(|r| r.site == id);
            let answers = rating.map_or(0, |r| r.answers);
            let sum = rating.and_then(|r| r.rating_sum).unwrap_or(0);
            OfficeFigures {
                site: site.id.clone(),
                name: site.name.clone(),
                name_ar: site.name_ar.clone(),
                visits,
                served,
                median_wait_seconds: wait.and_then(|r| seconds(r.median_ms)),
                p90_wait_seconds: wait.and_then(|r| seconds(r.p90_ms)),
                median_service_seconds: service.and_then(|r| seconds(r.median_ms)),
                no_shows,
                no_show_share: rules::ratio(no_shows, called),
                requests_ready: ready,
                requests_on_time_share: rules::ratio(on_time, ready),
                complaints_due: due,
                complaints_in_time_share: rules::ratio(in_time, due),
                feedback_answers: answers,
                feedback_score: (answers > 0)
                    .then(|| (sum as f64 / answers as f64 * 100.0).round() / 100.0),
                appointments_due: kept + missed,
                appointments_kept_share: rules::ratio(kept, kept + missed),
                ranks: BTreeMap::new(),
            }
        })
        .collect())
}

/// Gives each office its rank by every column, then orders them by `sort`
/// (by site id when `None`).
fn rank(offices: &mut Vec<OfficeFigures>, sort: Option<Column>) {
    for column in Column::ALL {
        let values: Vec<Option<f64>> = offices.iter().map(|o| o.value(column)).collect();
        let ranks = comparison::ranks(&values, column.higher_is_better());
        for (office, rank) in offices.iter_mut().zip(ranks) {
            if let Some(rank) = rank {
                office.ranks.insert(column.as_str().to_owned(), rank);
            }
        }
    }
    offices.sort_by(|a, b| a.site.cmp(&b.site));
    if let Some(column) = sort {
        let ranks: Vec<Option<u32>> = offices
            .iter()
            .map(|o| o.ranks.get(column.as_str()).copied())
            .collect();
        let order = comparison::order(&ranks);
        let mut taken: Vec<Option<OfficeFigures>> = offices.drain(..).map(Some).collect();
        offices.extend(order.into_iter().filter_map(|i| taken[i].take()));
    }
}
