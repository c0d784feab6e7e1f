//! Setting up an office: sites with their weekly hours and closures,
//! services, counters, and the staff accounts.

use crate::http::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
