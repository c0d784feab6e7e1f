//! Admin routes for interoperability: webhook endpoints and the outbox
//! (docs/api.md, "Webhooks").

use super::AppState;
use super::auth::Caller;
use super::created::Created;
use super::error::{ApiJson, ApiPath, ApiQuery};
use super::requests::StatusQuery;
use crate::app::AppResult;
use crate::app::error::ErrorBody;
use crate::app::outbox::{self, MessageView};
use crate::app::webhooks::{self, NewWebhook, WebhookView};
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register, list))
        .routes(routes!(revoke))
        .routes(routes!(messages))
        .routes(routes!(retry))
}

/// Registers an endpoint; the answer shows its signing secret once.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    request_body = NewWebhook,
    responses((status = 201, body = WebhookView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<NewWebhook>,
) -> AppResult<Created<WebhookView>> {
    Ok(Created(webhooks::register(&state.app, &who, body).await?))
}

/// The live endpoints, without their secrets.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    responses((status = 200, body = Vec<WebhookView>), (status = 403, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> AppResult<ApiJson<Vec<WebhookView>>> {
    Ok(ApiJson(webhooks::list(&state.app, &who).await?))
}

/// Stops an endpoint's deliveries.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204, description = "stopped"), (status = 404, body = ErrorBody)))]
async fn revoke(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<StatusCode> {
    webhooks::revoke(&state.app, &who, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Messages and webhook deliveries, by status (`pending`, `sending`,
/// `retrying`, `sent`, `dead`).
#[utoipa::path(get, path = "/api/v1/outbox", tag = "webhooks", security(("bearer" = [])),
    params(StatusQuery),
    responses((status = 200, body = Vec<MessageView>), (status = 403, body = ErrorBody)))]
async fn messages(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<StatusQuery>,
) -> AppResult<ApiJson<Vec<MessageView>>> {
    Ok(ApiJson(
        outbox::list(&state.app, &who, query.status.as_deref()).await?,
    ))
}

/// Sends a dead message again now.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "webhooks", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 202, description = "queued again"), (status = 404, body = ErrorBody)))]
async fn retry(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<StatusCode> {
    outbox::retry(&state.app, &who, &id).await?;
    Ok(StatusCode::ACCEPTED)
}
