//! A site's statistics over a range of its local days (`GET
//! /api/v1/sites/{site}/stats`, docs/statistics.md): for supervisors of
//! the site, its province's accounts and admins. Nothing is written.
//!
//! What is counted:
//! - **Tickets** count on their local day (`tickets.local_day`, the day they
//!   were issued), under the service they ended in (a transfer moves them)
//!   and the agent who last acted on them. `issued` is every ticket, `served`
//!   the `done` ones, `no_shows` and `cancelled` those statuses (the end of
//!   day's closing included). For an agent, `issued` is the tickets they
//!   handled.
//! - **Wait**: from issue to the call, for every ticket that was called
//!   (`called_at - issued_at`). A transfer sends a ticket back to wait with
//!   its original issue time; its wait runs to its call in the last service.
//!   **Service time**: from `start` to `complete` of `done` tickets that were
//!   started (completed straight from `called` they have none).
//! - **Median and p90** are nearest-rank (see `domain::stats`): the wait of
//!   rank `⌈n/2⌉`, and of rank `⌈9n/10⌉`, among the `n` sorted waits. Means,
//!   medians and p90s are in seconds, a tenth rounded; `null` when there is
//!   nothing to measure. A service's `over_target` counts tickets that waited
//!   longer than its `target_wait_minutes`, counting uncalled ones up to
//!   their end, or now.
//! - **Hours** group tickets by the local hour they were issued at (all 24),
//!   **days** by local day (every day of the range).
//! - **Appointments** count on the local day of their slot: `booked` is all of
//!   them, `honoured` those checked in, `no_show_rate` the no-shows among the
//!   honoured and the no-shows.
//! - **Document requests** filed in the range, by current status;
//!   `mean_processing_days` is the mean time from filing to the first
//!   `ready` (or `delivered`), in days of 24 hours, and `on_time` those that
//!   became ready on or before their promised local day.
//! - **Feedback** asked for in the range: answers and mean rating (1–5).
//! - **Complaints** received in the range: `answered` has an answer or a
//!   closing, `answered_in_time` on or before its due local day, `open` has
//!   neither, `overdue` is open past its due day.
//! - **Processing** of document requests per agent and per service, and
//!   the overdue ones: see `processing`.
//! - **Channels**: the tickets by how they came in (kiosk, desk, remote,
//!   appointment), and remote tickets' wait at home and in the lobby: see
//!   `channels`.

pub mod channels;
mod csv;
pub mod processing;
mod view;

pub(crate) use csv::line as csv_line;
pub use csv::to_csv;
pub use view::*;

use super::auth::Principal;
use super::reads::from_replica;
use super::sites::SiteContext;
use super::{App, AppError, AppResult};
use crate::domain::Invalid;
use crate::domain::role::Role;
use crate::domain::stats as rules;
use crate::domain::time::{local_day, parse_date};
use crate::store::stats::{self as sql, Group, Range};
use jiff::ToSpan;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::IntoParams;

/// The range asked for; both default to the last 30 local days.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// First local day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last local day, inclusive (default: today).
    pub to: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

pub async fn site_stats(
    app: &App,
    who: &Principal,
    site: &str,
    query: &StatsQuery,
) -> AppResult<SiteStats> {
    who.require_staff(site, &[Role::Supervisor, Role::Province])?;
    figures(app, site, query).await
}

/// A site's statistics, for a caller already checked (or the service's own
/// jobs: the monthly report's mailing).
pub(crate) async fn figures(app: &App, site: &str, query: &StatsQuery) -> AppResult<SiteStats> {
    if let Some(other) = query
        .format
        .as_deref()
        .filter(|f| !["json", "csv"].contains(f))
    {
        return Err(Invalid::new("format", format!("{other:?} is not json or csv")).into());
    }
    let context = SiteContext::load(app, site).await?;
    let zone = &context.zone;
    let now = app.clock.now();
    let today = local_day(now, zone);
    let to = match &query.to {
        Some(to) => parse_date("to", to)?,
        None => today,
    };
    let from = match &query.from {
        Some(from) => parse_date("from", from)?,
        None => to.checked_sub(29.days()).map_err(|_| out_of_range())?,
    };
    rules::check_range(from, to)?;
    let (start_ms, end_ms) = rules::instants(from, to, zone).ok_or_else(out_of_range)?;
    let range = Range {
        site: site.to_owned(),
        from_day: from.to_string(),
        to_day: to.to_string(),
        start_ms,
        end_ms,
    };
    let now_ms = now.as_millisecond();
    // Months of history: from the read replica when there is one.
    let (counts, ranks, lists, processing, channels) = from_replica!(app, |db| {
        async {
            let counts = tokio::try_join!(
                sql::by_service(db, &range, now_ms),
                sql::by_column(db, &range, false),
                sql::by_column(db, &range, true),
                sql::by_bucket(db, &range),
            )?;
            let ranks = tokio::try_join!(
                sql::ranked_waits(db, &range, Group::All),
                sql::ranked_waits(db, &range, Group::Service),
                sql::ranked_waits(db, &range, Group::Agent),
            )?;
            let lists = tokio::try_join!(
                sql::appointments(db, &range),
                sql::requests(db, &range),
                sql::processed(db, &range),
                sql::feedback(db, &range),
                sql::complaints(db, &range),
            )?;
            let processing = processing::load(db, &context, &range, to, today).await?;
            let channels = tokio::try_join!(
                sql::channels::counts(db, &range),
                sql::channels::ranked_waits(db, &range),
            )?;
            Ok::<_, AppError>((counts, ranks, lists, processing, channels))
        }
        .await
    })?;
    let (services, agents, days, buckets) = counts;
    let (all_ranks, service_ranks, agent_ranks) = ranks;
    let (appointments, requests, processed, feedback, complaints) = lists;
    let (channels, remote) = channels::figures(&channels.0, &channels.1);

    let mut total = sql::Figures::default();
    for row in &services {
        add(&mut total, &row.figures);
    }
    let all_ranks = percentiles(&all_ranks).remove("").unwrap_or_default();
    let service_ranks = percentiles(&service_ranks);
    let agent_ranks = percentiles(&agent_ranks);
    let services_by_id: BTreeMap<&str, &sql::Figures> = services
        .iter()
        .map(|r| (r.key.as_str(), &r.figures))
        .collect();
    let appointments = appointment_figures(&appointments);
    let requests = request_figures(&requests, &processed, zone);
    let feedback = feedback_figures(&feedback);
    let empty = sql::Figures::default();
    let service_views = context
        .services
        .iter()
        .map(|s| {
            let figures = services_by_id.get(s.id.as_str()).copied().unwrap_or(&empty);
            let key = Some(s.id.as_str());
            ServiceStats {
                service: s.id.clone(),
                name: s.name.clone(),
                name_ar: s.name_ar.clone(),
                figures: ticket_figures(figures, service_ranks.get(s.id.as_str())),
                target_wait_minutes: s.target_wait_minutes,
                over_target: figures.over_target.unwrap_or(0),
                appointments: appointments.get(&key).cloned().unwrap_or_default(),
                requests: RequestFigures {
                    processing_days: Some(s.processing_days),
                    ..requests.get(&key).cloned().unwrap_or_default()
                },
                feedback: feedback.get(&key).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let agent_views = agents
        .iter()
        .map(|row| AgentStats {
            agent: row.key.clone(),
            figures: ticket_figures(&row.figures, agent_ranks.get(row.key.as_str())),
        })
        .collect();
    Ok(SiteStats {
        site: site.to_owned(),
        timezone: context.row.timezone.clone(),
        from: range.from_day.clone(),
        to: range.to_day.clone(),
        totals: ticket_figures(&total, Some(&all_ranks)),
        services: service_views,
        agents: agent_views,
        hours: hours(&buckets, zone),
        days: day_figures(from, to, &days),
        appointments: appointments.get(&None).cloned().unwrap_or_default(),
        requests: requests.get(&None).cloned().unwrap_or_default(),
        feedback: feedback.get(&None).cloned().unwrap_or_default(),
        complaints: complaint_figures(&complaints, today, zone),
        processing,
        channels,
        remote,
    })
}

fn out_of_range() -> AppError {
    Invalid::new("range", "outside the supported calendar").into()
}

fn add(total: &mut sql::Figures, row: &sql::Figures) {
    let sum = |a: &mut Option<i64>, b: Option<i64>| {
        if let Some(b) = b {
            *a = Some(a.unwrap_or(0) + b);
        }
    };
    total.issued += row.issued;
    total.waited += row.waited;
    sum(&mut total.served, row.served);
    sum(&mut total.no_shows, row.no_shows);
    sum(&mut total.cancelled, row.cancelled);
    sum(&mut total.wait_ms, row.wait_ms);
    sum(&mut total.timed, row.timed);
    sum(&mut total.service_ms, row.service_ms);
    sum(&mut total.over_target, row.over_target);
}

/// The median and p90 wait (ms) of each group, from the ranked rows.
#[derive(Debug, Default, Clone, Copy)]
struct Percentiles {
    median_ms: Option<i64>,
    p90_ms: Option<i64>,
}

fn percentiles(rows: &[sql::RankedWait]) -> BTreeMap<&str, Percentiles> {
    let mut groups: BTreeMap<&str, Percentiles> = BTreeMap::new();
    for row in rows {
        let entry = groups.entry(row.key.as_str()).or_default();
        if rules::median_rank(row.n) == Some(row.nth) {
            entry.median_ms = Some(row.wait_ms);
        }
        if rules::p90_rank(row.n) == Some(row.nth) {
            entry.p90_ms = Some(row.wait_ms);
        }
    }
    groups
}

fn ticket_figures(f: &sql::Figures, ranks: Option<&Percentiles>) -> TicketFigures {
    let ranks = ranks.copied().unwrap_or_default();
    TicketFigures {
        issued: f.issued,
        served: f.served.unwrap_or(0),
        no_shows: f.no_shows.unwrap_or(0),
        cancelled: f.cancelled.unwrap_or(0),
        mean_wait_seconds: rules::mean_seconds(f.wait_ms, f.waited),
        median_wait_seconds: ranks
            .median_ms
            .and_then(|ms| rules::mean_seconds(Some(ms), 1)),
        p90_wait_seconds: ranks.p90_ms.and_then(|ms| rules::mean_seconds(Some(ms), 1)),
        mean_service_seconds: rules::mean_seconds(f.service_ms, f.timed.unwrap_or(0)),
    }
}

fn hours(buckets: &[sql::BucketFigures], zone: &jiff::tz::TimeZone) -> Vec<HourStats> {
    let mut per_hour = vec![sql::Figures::default(); 24];
    for row in buckets {
        if let Some(hour) = rules::local_hour(row.bucket, zone) {
            add(&mut per_hour[hour as usize], &row.figures);
        }
    }
    (0..24)
        .zip(per_hour)
        .map(|(hour, f)| HourStats {
            hour,
            issued: f.issued,
            served: f.served.unwrap_or(0),
            mean_wait_seconds: rules::mean_seconds(f.wait_ms, f.waited),
        })
        .collect()
}

fn day_figures(
    from: jiff::civil::Date,
    to: jiff::civil::Date,
    rows: &[sql::KeyedFigures],
) -> Vec<DayStats> {
    let by_day: BTreeMap<&str, &sql::Figures> =
        rows.iter().map(|r| (r.key.as_str(), &r.figures)).collect();
    let empty = sql::Figures::default();
    rules::days(from, to)
        .map(|day| {
            let day = day.to_string();
            let f = by_day.get(day.as_str()).copied().unwrap_or(&empty);
            DayStats {
                issued: f.issued,
                served: f.served.unwrap_or(0),
                no_shows: f.no_shows.unwrap_or(0),
                mean_wait_seconds: rules::mean_seconds(f.wait_ms, f.waited),
                day,
            }
        })
        .collect()
}

/// Per service (`Some(id)`) and for the site (`None`).
type PerService<'a, T> = BTreeMap<Option<&'a str>, T>;

fn appointment_figures(rows: &[sql::AppointmentCounts]) -> PerService<'_, AppointmentFigures> {
    let mut out: PerService<AppointmentFigures> = BTreeMap::new();
    for row in rows {
        for key in [Some(row.key.as_str()), None] {
            let f = out.entry(key).or_default();
            f.booked += row.booked;
            f.honoured += row.honoured.unwrap_or(0);
            f.no_shows += row.no_shows.unwrap_or(0);
            f.cancelled += row.cancelled.unwrap_or(0);
            f.no_show_rate = rules::ratio(f.no_shows, f.honoured + f.no_shows);
        }
    }
    out
}

fn request_figures<'a>(
    counts: &'a [sql::StatusCount],
    processed: &'a [sql::Processed],
    zone: &jiff::tz::TimeZone,
) -> PerService<'a, RequestFigures> {
    let mut out: PerService<RequestFigures> = BTreeMap::new();
    for row in counts {
        for key in [Some(row.key.as_str()), None] {
            let f = out.entry(key).or_default();
            match row.status.as_str() {
                "submitted" => f.submitted += row.n,
                "processing" => f.processing += row.n,
                "ready" => f.ready += row.n,
                "delivered" => f.delivered += row.n,
                "rejected" => f.rejected += row.n,
                _ => {}
            }
        }
    }
    let mut sums: PerService<i64> = BTreeMap::new();
    for row in processed {
        let in_time = rules::local_day(row.bucket, zone)
            .is_some_and(|day| day.to_string() <= row.expected_ready_on);
        for key in [Some(row.key.as_str()), None] {
            let f = out.entry(key).or_default();
            f.processed += row.n;
            if in_time {
                f.on_time += row.n;
            }
            *sums.entry(key).or_default() += row.processing_ms.unwrap_or(0);
        }
    }
    for (key, f) in out.iter_mut() {
        let sum = sums.get(key).copied().unwrap_or(0);
        f.mean_processing_days = (f.processed > 0)
            .then(|| (sum as f64 / f.processed as f64 / 8_640_000.0).round() / 10.0);
    }
    out
}

fn feedback_figures(rows: &[sql::Ratings]) -> PerService<'_, FeedbackFigures> {
    let mut out: PerService<FeedbackFigures> = BTreeMap::new();
    let mut sums: PerService<i64> = BTreeMap::new();
    for row in rows {
        for key in [Some(row.key.as_str()), None] {
            out.entry(key).or_default().answers += row.answers;
            *sums.entry(key).or_default() += row.rating_sum.unwrap_or(0);
        }
    }
    for (key, f) in out.iter_mut() {
        let sum = sums.get(key).copied().unwrap_or(0);
        f.mean_rating =
            (f.answers > 0).then(|| (sum as f64 / f.answers as f64 * 100.0).round() / 100.0);
    }
    out
}

fn complaint_figures(
    rows: &[sql::ComplaintGroup],
    today: jiff::civil::Date,
    zone: &jiff::tz::TimeZone,
) -> ComplaintFigures {
    let today = today.to_string();
    let mut f = ComplaintFigures::default();
    for row in rows {
        f.received += row.n;
        match row.bucket {
            Some(bucket) => {
                f.answered += row.n;
                let day = rules::local_day(bucket, zone).map(|d| d.to_string());
                if day.is_some_and(|day| day <= row.answer_due_on) {
                    f.answered_in_time += row.n;
                }
            }
            None => {
                f.open += row.n;
                if row.answer_due_on < today {
                    f.overdue += row.n;
                }
            }
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_ms_matches_the_sql() {
        assert_eq!(rules::BUCKET_MS, 900_000, "store::stats divides by 900000");
    }
}
