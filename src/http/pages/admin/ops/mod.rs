//! Running an office: the lobby announcements, kiosk and display devices,
//! the outbox of messages, webhook endpoints and the complaints inbox.

use crate::http::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
