//! The processing of document requests per agent and per service.
//!
//! - A request is **handled** when it becomes `ready`, and **handled by**
//!   the staff member whose step made it ready (the `actor` of its `ready`
//!   step in `request_history`). It counts in the range whose local days
//!   hold that instant, whenever it was filed.
//! - Its **processing time** runs from filing to ready; median and p90 are
//!   nearest-rank (`domain::stats`), in seconds.
//! - It is **within the delay** when the local day it became ready is on or
//!   before its `expected_ready_on`.
//! - **Overdue**: still `submitted` or `processing` today, promised on a day
//!   before today and not after the range's last day (however long ago).

use super::view::{
    AgentProcessing, HandledFigures, OverdueRequest, ProcessingStats, ServiceProcessing,
};
use crate::app::AppResult;
use crate::app::sites::SiteContext;
use crate::domain::stats as rules;
use crate::domain::time::local_day;
use crate::store::Db;
use crate::store::stats::Range;
use crate::store::stats::processing as sql;
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::BTreeMap;

/// The overdue requests listed at most; `overdue_count` counts them all.
pub const OVERDUE_LISTED: i64 = 200;

/// The figures of the range `range` (last local day `to`) as of `today`.
pub async fn load(
    db: &Db,
    context: &SiteContext,
    range: &Range,
    to: Date,
    today: Date,
) -> AppResult<ProcessingStats> {
    // Promised before today and not after `to`: before the earlier of
    // today and the day after `to`.
    let before = to.tomorrow().map_or(today, |after| after.min(today));
    let before = before.to_string();
    let site = range.site.as_str();
    let (handled, overdue, counts) = tokio::try_join!(
        sql::handled(db, range),
        sql::overdue(db, site, &before, OVERDUE_LISTED),
        sql::overdue_counts(db, site, &before),
    )?;
    Ok(figures(context, &handled, overdue, &counts, today))
}

/// One handled request: its processing time and whether it was in time.
type Measure = (i64, bool);

fn figures(
    context: &SiteContext,
    handled: &[sql::Handled],
    overdue: Vec<sql::Overdue>,
    counts: &[sql::ServiceCount],
    today: Date,
) -> ProcessingStats {
    let mut all = Vec::with_capacity(handled.len());
    let mut by_service: BTreeMap<&str, Vec<Measure>> = BTreeMap::new();
    let mut by_agent: BTreeMap<&str, Vec<Measure>> = BTreeMap::new();
    for row in handled {
        let ready_day = Timestamp::from_millisecond(row.ready_at)
            .map(|at| local_day(at, &context.zone).to_string())
            .unwrap_or_default();
        let measure = (
            row.ready_at - row.created_at,
            ready_day <= row.expected_ready_on,
        );
        all.push(measure);
        by_service.entry(&row.service_id).or_default().push(measure);
        if let Some(agent) = row.actor.as_deref().and_then(staff_name) {
            by_agent.entry(agent).or_default().push(measure);
        }
    }
    let services = context
        .services
        .iter()
        .map(|s| ServiceProcessing {
            service: s.id.clone(),
            name: s.name.clone(),
            name_ar: s.name_ar.clone(),
            processing_days: s.processing_days,
            figures: group(by_service.get(s.id.as_str()).map_or(&[], Vec::as_slice)),
            overdue: counts.iter().find(|c| c.key == s.id).map_or(0, |c| c.n),
        })
        .collect();
    let agents = by_agent
        .iter()
        .map(|(agent, measures)| AgentProcessing {
            agent: (*agent).to_owned(),
            figures: group(measures),
        })
        .collect();
    let overdue = overdue
        .into_iter()
        .map(|row| OverdueRequest {
            days_late: row
                .expected_ready_on
                .parse::<Date>()
                .map_or(0, |promised| (today - promised).get_days().into()),
            filed_at: context.local(row.created_at),
            agent: row.actor.as_deref().and_then(staff_name).map(str::to_owned),
            reference: row.reference,
            service: row.service_id,
            status: row.status,
            expected_ready_on: row.expected_ready_on,
        })
        .collect();
    ProcessingStats {
        totals: group(&all),
        services,
        agents,
        overdue_count: counts.iter().map(|c| c.n).sum(),
        overdue,
    }
}

/// A staff member's username from a step's actor (`user:NAME`); a device,
/// a citizen or an unknown actor is nobody's work.
fn staff_name(actor: &str) -> Option<&str> {
    actor.strip_prefix("user:")
}

fn group(measures: &[Measure]) -> HandledFigures {
    let mut times: Vec<i64> = measures.iter().map(|(ms, _)| *ms).collect();
    times.sort_unstable();
    let handled = times.len() as i64;
    let within_delay = measures.iter().filter(|(_, in_time)| *in_time).count() as i64;
    let seconds = |ms: Option<i64>| ms.and_then(|ms| rules::mean_seconds(Some(ms), 1));
    HandledFigures {
        handled,
        median_seconds: seconds(rules::percentile(&times, 50)),
        p90_seconds: seconds(rules::percentile(&times, 90)),
        within_delay,
        within_delay_share: rules::ratio(within_delay, handled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_has_nearest_rank_times_and_its_share_in_time() {
        let f = group(&[(30_000, true), (10_000, false), (20_000, true)]);
        assert_eq!(
            f,
            HandledFigures {
                handled: 3,
                median_seconds: Some(20.0),
                p90_seconds: Some(30.0),
                within_delay: 2,
                within_delay_share: Some(0.667),
            }
        );
        assert_eq!(group(&[]), HandledFigures::default());
        assert_eq!(staff_name("user:agent1"), Some("agent1"));
        assert_eq!(staff_name("citizen"), None);
    }
}
