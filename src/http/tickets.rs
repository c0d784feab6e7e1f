//! The walk-in queue (see the OpenAPI document).

use super::AppState;
use super::auth::{Caller, MaybeCaller};
use super::created::Created;
use super::error::{ApiJson, ApiPath};
use crate::app::AppResult;
use crate::app::calls::{self, CallTicket};
use crate::app::error::ErrorBody;
use crate::app::queue::{self, QueueView};
use crate::app::tickets::{self, NewTicket, TicketView};
use crate::domain::ticket::Action;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(issue))
        .routes(routes!(get_ticket))
        .routes(routes!(get_queue))
        .routes(routes!(call_next))
        .routes(routes!(call_ticket))
        .routes(routes!(recall))
        .routes(routes!(start))
        .routes(routes!(complete))
        .routes(routes!(no_show))
        .routes(routes!(cancel))
        .routes(routes!(transfer))
}

/// Issues a walk-in ticket (kiosk, agent, supervisor).
#[utoipa::path(post, path = "/api/v1/sites/{site}/tickets", tag = "queue", security(("bearer" = [])),
    params(("site" = String, Path)), request_body = NewTicket,
    responses((status = 201, body = TicketView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 409, description = "the office is closed", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiJson(body): ApiJson<NewTicket>,
) -> AppResult<Created<TicketView>> {
    Ok(Created(
        tickets::issue(&state.app, &who, &site, body).await?,
    ))
}

/// A ticket with its place in line and estimated wait (public; never the phone).
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "queue", params(("id" = String, Path)),
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)))]
async fn get_ticket(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> AppResult<ApiJson<TicketView>> {
    Ok(ApiJson(tickets::get(&state.app, &id).await?))
}

/// What a lobby screen shows (public; no personal data).
#[utoipa::path(get, path = "/api/v1/sites/{site}/queue", tag = "queue", params(("site" = String, Path)),
    responses((status = 200, body = QueueView), (status = 404, body = ErrorBody)))]
async fn get_queue(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
) -> AppResult<ApiJson<QueueView>> {
    Ok(ApiJson(queue::snapshot(&state.app, &site).await?))
}

/// Calls the next ticket to this counter.
#[utoipa::path(post, path = "/api/v1/counters/{counter}/call-next", tag = "queue", security(("bearer" = [])),
    params(("counter" = String, Path)),
    responses((status = 200, body = TicketView), (status = 204, description = "nobody waits"),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn call_next(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(counter): ApiPath<String>,
) -> AppResult<Response> {
    Ok(match calls::call_next(&state.app, &who, &counter).await? {
        Some(ticket) => ApiJson(ticket).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// Calls one waiting ticket out of order.
#[utoipa::path(post, path = "/api/v1/counters/{counter}/call", tag = "queue", security(("bearer" = [])),
    params(("counter" = String, Path)), request_body = CallTicket,
    responses((status = 200, body = TicketView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn call_ticket(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(counter): ApiPath<String>,
    ApiJson(body): ApiJson<CallTicket>,
) -> AppResult<ApiJson<TicketView>> {
    Ok(ApiJson(
        calls::call_ticket(&state.app, &who, &counter, &body.ticket).await?,
    ))
}

async fn act(
    state: &AppState,
    who: Option<&crate::app::auth::Principal>,
    id: &str,
    action: Action,
) -> AppResult<ApiJson<TicketView>> {
    Ok(ApiJson(tickets::act(&state.app, who, id, action).await?))
}

/// Calls the ticket again (counted and timed).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/recall", tag = "queue", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = TicketView), (status = 409, body = ErrorBody)))]
async fn recall(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<ApiJson<TicketView>> {
    act(&state, Some(&who), &id, Action::Recall).await
}

/// The citizen is at the counter: service starts.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/start", tag = "queue", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = TicketView), (status = 409, body = ErrorBody)))]
async fn start(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<ApiJson<TicketView>> {
    act(&state, Some(&who), &id, Action::Start).await
}

/// Service is over.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/complete", tag = "queue", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = TicketView), (status = 409, body = ErrorBody)))]
async fn complete(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<ApiJson<TicketView>> {
    act(&state, Some(&who), &id, Action::Complete).await
}

/// Nobody came after the site's minimum number of recalls.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/no-show", tag = "queue", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = TicketView), (status = 409, body = ErrorBody)))]
async fn no_show(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<ApiJson<TicketView>> {
    act(&state, Some(&who), &id, Action::NoShow).await
}

/// Cancels a waiting or called ticket (staff, or the holder with its id).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/cancel", tag = "queue",
    params(("id" = String, Path)), responses((status = 200, body = TicketView), (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody)))]
async fn cancel(
    State(state): State<AppState>,
    MaybeCaller(who): MaybeCaller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<ApiJson<TicketView>> {
    act(&state, who.as_ref(), &id, Action::Cancel).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Transfer {
    service: String,
}

/// Sends the ticket to another service's queue, keeping its number and place in time.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/transfer", tag = "queue", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Transfer,
    responses((status = 200, body = TicketView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn transfer(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Transfer>,
) -> AppResult<ApiJson<TicketView>> {
    Ok(ApiJson(
        tickets::transfer(&state.app, &who, &id, &body.service).await?,
    ))
}
