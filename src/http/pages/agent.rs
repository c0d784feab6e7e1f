//! The agent console `/agent`: the counter's actions, its queue and its current ticket, live.

use crate::http::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
