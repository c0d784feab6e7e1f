//! Operations: liveness, readiness, metrics and the OpenAPI document.

use super::{AppState, OpenApiJson};
use crate::app::App;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
        .routes(routes!(openapi))
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "alive")))]
async fn healthz() -> impl IntoResponse {
    Json(json!({"status": "ok"}))
}

/// The database answers and is migrated; the bus is connected (or
/// degraded: Redis unreachable, this instance's own screens still served).
/// `replica` says whether stale-tolerant reads go to the read replica
/// (`ok`) or to the primary (`lagging`, `down`, or `none` configured).
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "ready"), (status = 503, description = "not ready")))]
async fn readyz(State(app): State<Arc<App>>) -> impl IntoResponse {
    let ready = crate::app::health::readiness(&app).await;
    let status = if ready.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": ready.status,
        "database": ready.database,
        "backend": ready.backend,
        "bus": ready.bus,
        "replica": ready.replica,
        "tzdb": crate::domain::time::tzdb_version(),
    });
    (status, Json(body))
}

/// Prometheus text exposition. With `GUICHET_METRICS_TOKEN` it needs that
/// bearer token; with `GUICHET_METRICS_ADDR` it is served there only.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, description = "metrics"),
    (status = 401, description = "the metrics token is set and was not given"),
    (status = 404, description = "metrics are served on their own address")))]
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if state.metrics_access.own_address {
        return super::metrics_access::not_found().await;
    }
    super::metrics_access::exposition(&state, &headers).await
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", responses((status = 200, description = "OpenAPI 3.1")))]
async fn openapi(State(document): State<OpenApiJson>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.0.as_str().to_owned(),
    )
}
