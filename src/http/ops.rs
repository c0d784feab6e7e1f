//! Operations: liveness, readiness, metrics and the OpenAPI document.

use super::AppState;
use crate::bus::BusState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::json;
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
#[utoipa::path(get, path = "/readyz", tag = "operations", responses(
    (status = 200, description = "ready"), (status = 503, description = "not ready")))]
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let db = &state.app.db;
    let database = match db.is_ready().await {
        Ok(true) => "ok",
        Ok(false) => "not migrated",
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            "unreachable"
        }
    };
    let status = if database == "ok" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    // A bus without Redis still serves this instance's own screens: the
    // instance stays in rotation, and says it is degraded.
    let bus = state.app.bus.state();
    let body = json!({
        "status": match (status, bus) {
            (StatusCode::OK, BusState::Degraded) => "degraded",
            (StatusCode::OK, _) => "ready",
            _ => "not_ready",
        },
        "database": database,
        "backend": db.backend(),
        "bus": bus.as_str(),
        "tzdb": crate::domain::time::tzdb_version(),
    });
    (status, Json(body))
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "metrics")))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    state.metrics.refresh(&state.app).await;
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", responses((status = 200, description = "OpenAPI 3.1")))]
async fn openapi(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi.as_str().to_owned(),
    )
}
