//! Ticket tracking `/t/{ticket}`: position and estimate, live, and the counter once called.

use crate::http::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
