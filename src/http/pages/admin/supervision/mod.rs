//! Watching an office: live supervision of counters and queues, the
//! statistics with their charts, and the monthly report.

pub mod charts;
pub mod figures;
pub mod live;
pub mod processing;
pub mod range_figures;
mod report;
pub mod stats;

use crate::http::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(live::router())
        .merge(stats::router())
        .merge(report::router())
}
