//! The service's own state, for operators: whether it is ready to serve
//! (`/readyz`, the read replica's state included), and the gauges
//! `/metrics` reads from the database at each scrape.

use super::App;
use crate::store::gauges;
pub use crate::store::gauges::{OutboxRow, WaitingRow};

/// What `/readyz` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    /// `ok`, `not migrated` or `unreachable`.
    pub database: &'static str,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    /// `in-process`, `redis` or `degraded`.
    pub bus: &'static str,
    /// `none`, `ok`, `lagging` or `down`: never makes the instance not
    /// ready, since the primary serves every read meanwhile.
    pub replica: &'static str,
    /// `ready`, `degraded` (a bus without Redis still serves this
    /// instance's own screens: the instance stays in rotation, and says it
    /// is degraded) or `not_ready` (the database is not ready).
    pub status: &'static str,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.status != "not_ready"
    }
}

/// Whether the database answers and is migrated, and the bus's state.
pub async fn readiness(app: &App) -> Readiness {
    let database = match app.db.is_ready().await {
        Ok(true) => "ok",
        Ok(false) => "not migrated",
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            "unreachable"
        }
    };
    let bus = app.bus.state();
    let status = match (database, bus) {
        ("ok", crate::bus::BusState::Degraded) => "degraded",
        ("ok", _) => "ready",
        _ => "not_ready",
    };
    Readiness {
        database,
        backend: app.db.backend(),
        bus: bus.as_str(),
        replica: app.reads.state().as_str(),
        status,
    }
}

/// Tickets waiting, per site and service; `None` (and a line in the log)
/// when the database does not answer, so that a scrape leaves them out
/// rather than failing.
pub async fn waiting(app: &App) -> Option<Vec<WaitingRow>> {
    gauges::waiting(&app.db)
        .await
        .inspect_err(|error| tracing::warn!(%error, "metrics: waiting tickets not read"))
        .ok()
}

/// Messages not sent yet, and given up, per status and channel; `None`
/// when the database does not answer.
pub async fn outbox(app: &App) -> Option<Vec<OutboxRow>> {
    gauges::outbox(&app.db)
        .await
        .inspect_err(|error| tracing::warn!(%error, "metrics: outbox not read"))
        .ok()
}
