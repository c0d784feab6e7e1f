//! The kiosk `/kiosk/{site}`: tickets, check-in, request tracking, required documents.

use crate::http::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
