//! Counters: creating, changing, and opening, pausing and closing them.

use super::AppState;
use super::auth::Caller;
use super::created::Created;
use super::error::{ApiJson, ApiPath};
use crate::app::AppResult;
use crate::app::counters::{self, CounterAction, CounterPatch, CounterView, NewCounter};
use crate::app::error::ErrorBody;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_counter))
        .routes(routes!(update_counter))
        .routes(routes!(open))
        .routes(routes!(pause))
        .routes(routes!(close))
}

/// Adds a counter to a site (admin, supervisor).
#[utoipa::path(post, path = "/api/v1/sites/{site}/counters", tag = "counters", security(("bearer" = [])),
    params(("site" = String, Path)), request_body = NewCounter,
    responses((status = 201, body = CounterView), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_counter(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiJson(body): ApiJson<NewCounter>,
) -> AppResult<Created<CounterView>> {
    let counter = counters::create(&state.app, &who, &site, body).await?;
    Ok(Created(counter))
}

/// Changes a counter's label or services (admin, supervisor).
#[utoipa::path(patch, path = "/api/v1/sites/{site}/counters/{counter}", tag = "counters", security(("bearer" = [])),
    params(("site" = String, Path), ("counter" = String, Path)), request_body = CounterPatch,
    responses((status = 200, body = CounterView), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_counter(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath((site, counter)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<CounterPatch>,
) -> AppResult<ApiJson<CounterView>> {
    Ok(ApiJson(
        counters::update(&state.app, &who, &site, &counter, body).await?,
    ))
}

async fn act(
    state: AppState,
    who: Caller,
    counter: &str,
    action: CounterAction,
) -> AppResult<ApiJson<CounterView>> {
    Ok(ApiJson(
        counters::set_state(&state.app, &who.0, counter, action).await?,
    ))
}

/// Opens the counter and takes it for the calling agent.
#[utoipa::path(post, path = "/api/v1/counters/{counter}/open", tag = "counters", security(("bearer" = [])),
    params(("counter" = String, Path)), responses((status = 200, body = CounterView),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn open(
    State(state): State<AppState>,
    who: Caller,
    ApiPath(counter): ApiPath<String>,
) -> AppResult<ApiJson<CounterView>> {
    act(state, who, &counter, CounterAction::Open).await
}

/// Pauses an open counter.
#[utoipa::path(post, path = "/api/v1/counters/{counter}/pause", tag = "counters", security(("bearer" = [])),
    params(("counter" = String, Path)), responses((status = 200, body = CounterView),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn pause(
    State(state): State<AppState>,
    who: Caller,
    ApiPath(counter): ApiPath<String>,
) -> AppResult<ApiJson<CounterView>> {
    act(state, who, &counter, CounterAction::Pause).await
}

/// Closes a counter and frees it.
#[utoipa::path(post, path = "/api/v1/counters/{counter}/close", tag = "counters", security(("bearer" = [])),
    params(("counter" = String, Path)), responses((status = 200, body = CounterView),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn close(
    State(state): State<AppState>,
    who: Caller,
    ApiPath(counter): ApiPath<String>,
) -> AppResult<ApiJson<CounterView>> {
    act(state, who, &counter, CounterAction::Close).await
}
