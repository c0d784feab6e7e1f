//! Live supervision of one site, for its supervisors and admins: every
//! counter with its agent and the ticket it has called or is serving (and
//! for how long), every service's queue (how many wait, the longest wait so
//! far, the estimate for a newcomer, the service's target), and the alerts
//! a supervisor should act on. Durations are measured on `app.clock`, so
//! a page read twice a minute apart shows a minute more. Nothing is written.

use super::auth::Principal;
use super::queue::Pace;
use super::sites::SiteContext;
use super::{App, AppResult};
use crate::domain::role::Role;
use crate::store::{self, Conn};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// A ticket called this long ago without being started: the citizen has
/// probably not come, and the agent should recall or mark a no-show.
pub const CALLED_LIMIT_MINUTES: i64 = 5;

/// A visit lasting this many times the service's usual duration, and at
/// least [`SERVING_FLOOR_MINUTES`], is unusually long.
pub const SERVING_FACTOR: i64 = 3;
pub const SERVING_FLOOR_MINUTES: i64 = 15;

/// Everything the live page shows, as of `now_ms`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveView {
    pub site: String,
    /// The site's last event before this was read: the page's stream
    /// resumes from it.
    pub seq: i64,
    pub now_ms: i64,
    pub counters: Vec<CounterState>,
    pub services: Vec<ServiceState>,
    pub alerts: Vec<Alert>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CounterState {
    pub id: String,
    pub label: String,
    /// `open`, `paused` or `closed`.
    pub state: String,
    pub agent: Option<String>,
    pub ticket: Option<TicketAtCounter>,
}

/// The ticket called or being served at a counter.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TicketAtCounter {
    pub number: String,
    pub service: String,
    /// `called` or `serving`.
    pub status: String,
    /// Since when it is in that status (ms since the epoch).
    pub since_ms: i64,
    /// Whole minutes in that status.
    pub minutes: i64,
    pub too_long: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceState {
    pub id: String,
    pub prefix: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub waiting: i64,
    /// The issue of the ticket waiting longest, if any waits.
    pub oldest_since_ms: Option<i64>,
    /// Whole minutes the longest-waiting ticket has waited (0 if none).
    pub longest_wait_minutes: i64,
    /// What a ticket taken now would wait, as the kiosk tells it.
    pub estimated_wait_minutes: i64,
    pub target_wait_minutes: i64,
    /// The longest wait has passed the target.
    pub over_target: bool,
}

impl ServiceState {
    /// The service's name in `lang` (`ar` or French).
    pub fn name_in(&self, lang: &str) -> &str {
        match (lang, &self.name_ar) {
            ("ar", Some(ar)) if !ar.is_empty() => ar,
            _ => &self.name,
        }
    }
}

/// Something a supervisor should see at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Alert {
    /// A service's longest wait has passed its target.
    OverTarget {
        service: String,
        longest_minutes: i64,
        target_minutes: i64,
    },
    /// A ticket has been called, or served, for unusually long.
    TooLong {
        counter: String,
        number: String,
        status: String,
        minutes: i64,
    },
}

/// Whether a ticket `status` (`called` or `serving`) for `elapsed_ms` at a
/// service whose visits usually take `service_minutes` is unusually long.
pub fn too_long(status: &str, elapsed_ms: i64, service_minutes: i64) -> bool {
    let limit_minutes = if status == "called" {
        CALLED_LIMIT_MINUTES
    } else {
        (service_minutes * SERVING_FACTOR).max(SERVING_FLOOR_MINUTES)
    };
    elapsed_ms > limit_minutes * 60_000
}

/// Whether a wait of `elapsed_ms` has passed a target of `target_minutes`:
/// by whole minutes, as the board shows them, so that an alert never says
/// "30 minutes, over the 30 minutes target".
pub fn over_target(elapsed_ms: i64, target_minutes: i64) -> bool {
    elapsed_ms / 60_000 > target_minutes
}

/// The live state of `site`, for a supervisor of it, its province or an admin.
pub async fn live(app: &App, who: &Principal, site: &str) -> AppResult<LiveView> {
    who.require_staff(site, &[Role::Supervisor, Role::Province])?;
    let context = SiteContext::load(app, site).await?;
    let seq = store::events::last_seq(Conn::Db(&app.db), site).await?;
    let (counters, queues) = tokio::try_join!(
        store::supervision::counters(&app.db, site),
        store::supervision::queues(&app.db, site),
    )?;
    let pace = Pace::read(app, &context).await?;
    let now = app.clock.now_ms();
    let queues: HashMap<&str, &store::supervision::QueueNow> =
        queues.iter().map(|q| (q.service_id.as_str(), q)).collect();

    let services: Vec<ServiceState> = context
        .services
        .iter()
        .map(|s| {
            let queue = queues.get(s.id.as_str());
            let waiting = queue.map_or(0, |q| q.waiting);
            let oldest = queue.and_then(|q| q.oldest_issued_at);
            let longest_ms = oldest.map_or(0, |at| (now - at).max(0));
            ServiceState {
                id: s.id.clone(),
                prefix: s.prefix.clone(),
                name: s.name.clone(),
                name_ar: s.name_ar.clone(),
                waiting,
                oldest_since_ms: oldest,
                longest_wait_minutes: longest_ms / 60_000,
                estimated_wait_minutes: pace.wait_seconds(&s.id, waiting) / 60,
                target_wait_minutes: s.target_wait_minutes,
                over_target: oldest.is_some() && over_target(longest_ms, s.target_wait_minutes),
            }
        })
        .collect();

    let counters: Vec<CounterState> = counters
        .into_iter()
        .map(|c| {
            let ticket = match (c.number, c.service_id, c.status) {
                (Some(number), Some(service), Some(status)) => {
                    let since = if status == "serving" {
                        c.serving_at.or(c.called_at)
                    } else {
                        c.called_at
                    }
                    .unwrap_or(now);
                    let elapsed = (now - since).max(0);
                    let usual = context.service(&service).map_or(10, |s| s.service_minutes);
                    Some(TicketAtCounter {
                        too_long: too_long(&status, elapsed, usual),
                        minutes: elapsed / 60_000,
                        since_ms: since,
                        number,
                        service,
                        status,
                    })
                }
                _ => None,
            };
            CounterState {
                id: c.id,
                label: c.label,
                state: c.state,
                agent: c.agent,
                ticket,
            }
        })
        .collect();

    let alerts = alerts(&services, &counters);
    Ok(LiveView {
        site: site.to_owned(),
        seq,
        now_ms: now,
        counters,
        services,
        alerts,
    })
}

/// The services over their target, then the tickets held too long.
fn alerts(services: &[ServiceState], counters: &[CounterState]) -> Vec<Alert> {
    let late = services
        .iter()
        .filter(|s| s.over_target)
        .map(|s| Alert::OverTarget {
            service: s.id.clone(),
            longest_minutes: s.longest_wait_minutes,
            target_minutes: s.target_wait_minutes,
        });
    let held = counters.iter().filter_map(|c| {
        let t = c.ticket.as_ref().filter(|t| t.too_long)?;
        Some(Alert::TooLong {
            counter: c.label.clone(),
            number: t.number.clone(),
            status: t.status.clone(),
            minutes: t.minutes,
        })
    });
    late.chain(held).collect()
}

/// The first and last local days of `month` (`YYYY-MM`), or of the month
/// before `today`'s when none is asked for.
pub fn month_days(
    month: Option<&str>,
    today: jiff::civil::Date,
) -> Result<(jiff::civil::Date, jiff::civil::Date), crate::domain::Invalid> {
    let invalid = || crate::domain::Invalid::new("month", "a month is written YYYY-MM");
    let first = match month.map(str::trim).filter(|m| !m.is_empty()) {
        Some(text) => {
            let (year, number) = text.split_once('-').ok_or_else(invalid)?;
            let plain =
                |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
            if !plain(year, 4) || !plain(number, 2) {
                return Err(invalid());
            }
            let year: i16 = year.parse().map_err(|_| invalid())?;
            let number: i8 = number.parse().map_err(|_| invalid())?;
            jiff::civil::Date::new(year, number, 1).map_err(|_| invalid())?
        }
        None => today
            .first_of_month()
            .yesterday()
            .map_err(|_| invalid())?
            .first_of_month(),
    };
    Ok((first, first.last_of_month()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_month_is_its_first_and_last_days_last_month_by_default() {
        let today = date(2026, 3, 10);
        assert_eq!(
            month_days(Some("2024-02"), today),
            Ok((date(2024, 2, 1), date(2024, 2, 29)))
        );
        assert_eq!(
            month_days(None, today),
            Ok((date(2026, 2, 1), date(2026, 2, 28)))
        );
        assert_eq!(
            month_days(Some(""), date(2026, 1, 5)),
            Ok((date(2025, 12, 1), date(2025, 12, 31)))
        );
        for bad in [
            "2026-13",
            "2026-1",
            "26-01",
            "2026/01",
            "2026-01-01",
            "abcd-ef",
            "+202-01",
        ] {
            let refused = month_days(Some(bad), today).expect_err(bad);
            assert_eq!(refused.field, "month");
        }
    }

    #[test]
    fn a_wait_passes_its_target_only_after_it() {
        assert!(!over_target(30 * 60_000, 30));
        assert!(!over_target(31 * 60_000 - 1, 30));
        assert!(over_target(31 * 60_000, 30));
        assert!(!over_target(59_999, 0));
    }

    #[test]
    fn a_called_ticket_is_late_after_five_minutes_a_visit_after_three_times_its_length() {
        assert!(!too_long("called", 5 * 60_000, 10));
        assert!(too_long("called", 5 * 60_000 + 1, 10));
        // 3 × 10 minutes.
        assert!(!too_long("serving", 30 * 60_000, 10));
        assert!(too_long("serving", 30 * 60_000 + 1, 10));
        // Short services still get a quarter of an hour.
        assert!(!too_long("serving", 15 * 60_000, 2));
        assert!(too_long("serving", 15 * 60_000 + 1, 2));
    }
}
