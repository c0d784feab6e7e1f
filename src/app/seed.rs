//! `guichet seed`: a generated past for an existing site, to try the
//! statistics, the monthly report and the public figures at the scale of
//! years on a staging copy (and the `stats` load scenario). The days are
//! the site's working days (Monday to Saturday) before today, in its
//! timezone; each opens at 08:30 for 8 hours. The rows are written by
//! `store::seed` in one transaction; nothing else (events, messages, the
//! audit log) hears of them.

use super::{App, AppError, AppResult};
use crate::domain::time::{local_day, parse_timezone};
use crate::store::{self, seed::Plan};
use jiff::civil::{Date, Weekday};
use serde::Serialize;

/// How much past to make.
#[derive(Debug, Clone, clap::Args)]
pub struct Amount {
    /// Working days, ending yesterday.
    #[arg(long, default_value_t = 300)]
    pub days: usize,
    /// Tickets a day.
    #[arg(long, default_value_t = 400)]
    pub tickets: usize,
    /// Appointments a day.
    #[arg(long, default_value_t = 40)]
    pub appointments: usize,
    /// Document requests a day.
    #[arg(long, default_value_t = 30)]
    pub requests: usize,
    /// Agents `SITE-agent0…`, at counters `SITE-g0…`, who served the tickets.
    #[arg(long, default_value_t = 8)]
    pub agents: usize,
}

/// What was written, and over which days.
#[derive(Debug, Serialize)]
pub struct Seeded {
    pub first_day: Date,
    pub last_day: Date,
    #[serde(flatten)]
    pub written: store::seed::Written,
}

/// Writes `amount` of past at `site`, which must exist with its services.
pub async fn history(app: &App, site: &str, amount: &Amount) -> AppResult<Seeded> {
    let row = store::sites::get(&app.db, site)
        .await?
        .ok_or(AppError::NotFound("site"))?;
    let zone = parse_timezone(&row.timezone)?;
    let services = store::services::list(&app.db, site)
        .await?
        .into_iter()
        .map(|s| (s.id, s.prefix))
        .collect();
    let today = local_day(app.clock.now(), &zone);
    let mut days = Vec::with_capacity(amount.days);
    let mut day = today;
    while days.len() < amount.days {
        day = day.yesterday().map_err(internal)?;
        if day.weekday() != Weekday::Sunday {
            let opening = day
                .at(8, 30, 0, 0)
                .to_zoned(zone.clone())
                .map_err(internal)?;
            days.push((day, opening.timestamp().as_millisecond()));
        }
    }
    days.reverse();
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return Err(crate::domain::Invalid::new("days", "at least one day").into());
    };
    let (first_day, last_day) = (first.0, last.0);
    let plan = Plan {
        site: site.to_owned(),
        services,
        agents: amount.agents.max(1),
        days,
        tickets_per_day: amount.tickets,
        appointments_per_day: amount.appointments,
        requests_per_day: amount.requests,
    };
    let written = store::seed::write(&app.db, &plan).await?;
    Ok(Seeded {
        first_day,
        last_day,
        written,
    })
}

fn internal(error: jiff::Error) -> AppError {
    AppError::Internal(error.into())
}
