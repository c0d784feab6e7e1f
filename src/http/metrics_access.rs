//! Who may read `/metrics`. With `GUICHET_METRICS_TOKEN`, only a scraper
//! that sends `Authorization: Bearer <token>` (compared in constant time),
//! others get 401. With `GUICHET_METRICS_ADDR`, the metrics are served on
//! that second address only (its router is here: `/metrics` and nothing
//! else), and the public address answers `/metrics` with 404. Neither set:
//! `/metrics` is open on the public address, as a laptop wants it.

use super::AppState;
use crate::app::AppError;
use crate::config::{Config, Secret};
use crate::secrets::constant_time_eq;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

#[derive(Debug, Clone, Default)]
pub struct MetricsAccess {
    /// The bearer token a scrape must present, if any.
    pub token: Option<Secret>,
    /// The metrics have an address of their own, not the public one.
    pub own_address: bool,
}

impl MetricsAccess {
    pub fn from_config(config: &Config) -> Self {
        Self {
            token: config
                .metrics_token
                .clone()
                .filter(|token| !token.expose().is_empty()),
            own_address: config.metrics_addr.is_some(),
        }
    }

    /// Whether a request with these headers may read the metrics.
    fn allows(&self, headers: &HeaderMap) -> bool {
        let Some(token) = &self.token else {
            return true;
        };
        headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .is_some_and(|given| constant_time_eq(given.trim(), token.expose()))
    }
}

/// The Prometheus text exposition, to a caller that may read it.
pub async fn exposition(state: &AppState, headers: &HeaderMap) -> Response {
    if !state.metrics_access.allows(headers) {
        let mut refused = AppError::Unauthorized("metrics need their bearer token").into_response();
        refused
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return refused;
    }
    state.metrics.refresh(&state.app).await;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// What the metrics address serves: `/metrics`, and 404 for anything else.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .with_state(state)
}

async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    exposition(&state, &headers).await
}

pub async fn not_found() -> Response {
    super::error::error_response(StatusCode::NOT_FOUND, "not_found", "no such route")
}
