//! What a lobby screen shows: waiting counts and estimated waits per
//! service, counters with their current ticket, and the latest calls.
//! Nothing here names a person or carries a ticket's id.

use super::sites::{SiteContext, from_json};
use super::{App, AppResult};
use crate::domain::estimate;
use crate::store::{self, Conn};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

pub use crate::domain::event::ServiceLoad;

/// How long one visit of each service takes right now, and how many
/// counters serve it: what estimates are made of. Read from committed data
/// before a change's transaction opens; a moment's staleness only nudges an
/// estimate, and it keeps the single SQLite writer free of these reads.
#[derive(Debug, Default)]
pub struct Pace {
    per_visit_seconds: HashMap<String, f64>,
    open_counters: HashMap<String, i64>,
}

impl Pace {
    /// The pace of a site's services on the current local day, reused for
    /// a second: estimates need not be read again for every ticket.
    pub async fn read(app: &App, site: &SiteContext) -> AppResult<std::sync::Arc<Self>> {
        if let Some(pace) = app.caches.paces.get(&site.row.id) {
            return Ok(pace);
        }
        let pace = std::sync::Arc::new(Self::read_now(app, site).await?);
        app.caches.paces.put(&site.row.id, pace.clone());
        Ok(pace)
    }

    async fn read_now(app: &App, site: &SiteContext) -> AppResult<Self> {
        let day = site.day_of(app.clock.now_ms());
        let durations =
            store::tickets::durations_of_day(Conn::Db(&app.db), &site.row.id, &day).await?;
        let open =
            store::tickets::open_counters_by_service(Conn::Db(&app.db), &site.row.id).await?;
        let per_visit_seconds = site
            .services
            .iter()
            .map(|s| {
                let (sum, count) = durations
                    .iter()
                    .find(|(id, _, _)| *id == s.id)
                    .map_or((0, 0), |(_, sum, count)| (*sum, *count));
                (
                    s.id.clone(),
                    estimate::service_seconds_from(s.service_minutes, sum, count),
                )
            })
            .collect();
        Ok(Self {
            per_visit_seconds,
            open_counters: open.into_iter().collect(),
        })
    }

    /// Seconds to wait with `ahead` people before one in a service's queue.
    pub fn wait_seconds(&self, service: &str, ahead: i64) -> i64 {
        let per_visit = self
            .per_visit_seconds
            .get(service)
            .copied()
            .unwrap_or(600.0);
        let counters = self.open_counters.get(service).copied().unwrap_or(0);
        estimate::wait_seconds(ahead, counters, per_visit)
    }

    /// A service's load with `waiting` people in its queue.
    pub fn load(&self, service: &str, waiting: i64) -> ServiceLoad {
        ServiceLoad {
            id: service.to_owned(),
            waiting,
            estimated_wait_seconds: self.wait_seconds(service, waiting),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueView {
    /// The last event reflected here; live updates continue from it.
    pub seq: i64,
    pub services: Vec<ServiceQueue>,
    pub counters: Vec<CounterNow>,
    pub recent_calls: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceQueue {
    pub id: String,
    pub prefix: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub waiting: i64,
    pub estimated_wait_seconds: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CounterNow {
    pub id: String,
    pub label: String,
    pub state: String,
    /// The ticket called or being served there: `{number, service, status}`.
    pub current: Option<serde_json::Value>,
}

/// The public picture of a site's queue.
pub async fn snapshot(app: &App, site: &str) -> AppResult<QueueView> {
    let context = SiteContext::load(app, site).await?;
    let seq = store::events::last_seq(Conn::Db(&app.db), site).await?;
    let pace = Pace::read(app, &context).await?;
    let waiting: HashMap<String, i64> = store::tickets::waiting_by_service(Conn::Db(&app.db), site)
        .await?
        .into_iter()
        .collect();
    let services = context
        .services
        .iter()
        .cloned()
        .map(|s| {
            let load = pace.load(&s.id, waiting.get(&s.id).copied().unwrap_or(0));
            ServiceQueue {
                id: s.id,
                prefix: s.prefix,
                name: s.name,
                name_ar: s.name_ar,
                waiting: load.waiting,
                estimated_wait_seconds: load.estimated_wait_seconds,
            }
        })
        .collect();
    let active = store::tickets::active_of_site(&app.db, site).await?;
    let counters = store::counters::list(&app.db, site)
        .await?
        .into_iter()
        .map(|c| {
            let current = active.iter().find(|t| t.counter_id.as_deref() == Some(&c.id)).map(|t| {
                serde_json::json!({"number": t.number, "service": t.service_id, "status": t.status})
            });
            CounterNow {
                id: c.id,
                label: c.label,
                state: c.state,
                current,
            }
        })
        .collect();
    let recent_calls = store::events::latest_calls(&app.db, site, 10)
        .await?
        .iter()
        .map(|e| {
            let mut call: serde_json::Value = from_json(&e.payload)?;
            call["at"] = context.local(e.at).into();
            call["seq"] = e.seq.into();
            Ok(call)
        })
        .collect::<AppResult<_>>()?;
    Ok(QueueView {
        seq,
        services,
        counters,
        recent_calls,
    })
}
