//! Watching an office: live supervision of counters and queues, the
//! statistics with their charts, and the monthly report.

// Until the statistics pages are wired (below), only the unit tests use
// the charts.
#[allow(dead_code)]
pub mod charts;
mod live;

use crate::http::AppState;
use axum::Router;

// The statistics page and the monthly report (`stats.rs`, `report.rs`)
// read `app::stats`; they join the router with it: `mod figures; mod
// stats; mod report;` and `.merge(stats::router()).merge(report::router())`.
pub fn router() -> Router<AppState> {
    Router::new().merge(live::router())
}
