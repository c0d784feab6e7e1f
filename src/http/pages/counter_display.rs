//! The counter display `/counter-display/{counter}`: the ticket now called at that counter, big.

use crate::http::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
