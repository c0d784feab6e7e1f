//! Document requests, complaints, the citizen's account and feedback
//! (docs/notifications.md, "Document requests" and "Complaints").

use super::AppState;
use super::auth::{Caller, Holder, MaybeCaller, RequestToken};
use super::client_ip::ClientIp;
use super::created::Created;
use super::error::{ApiJson, ApiPath, ApiQuery};
use crate::app::AppResult;
use crate::app::appointments::AppointmentView;
use crate::app::citizens::{self, CitizenLogin, CitizenSession};
use crate::app::complaints::{self, Answer, Assign, Close, ComplaintView, NewComplaint};
use crate::app::error::ErrorBody;
use crate::app::requests::{self, ChangeStatus, NewRequest, RequestView};
use crate::app::ticket_requests::{self, TicketRequest};
use crate::app::visits::{self, FeedbackAnswer};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(file_request, site_requests))
        .routes(routes!(file_from_ticket))
        .routes(routes!(get_request))
        .routes(routes!(set_status))
        .routes(routes!(file_complaint, site_complaints))
        .routes(routes!(get_complaint))
        .routes(routes!(assign))
        .routes(routes!(answer))
        .routes(routes!(close))
        .routes(routes!(citizen_login))
        .routes(routes!(my_requests))
        .routes(routes!(my_appointments))
        .routes(routes!(feedback))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    /// Only those in this status (default: all).
    pub status: Option<String>,
}

/// Files a request for a certificate: a citizen online (phone and code),
/// the site's kiosk (its device token; phone optional, with a code where
/// the office verifies phones), or the site's staff. The answer carries
/// `reference`, `token`, `expected_ready_on` and `receipt_url` (the
/// printable receipt, a private link); the citizen's contact details get
/// an acknowledgement of receipt.
#[utoipa::path(post, path = "/api/v1/sites/{site}/requests", tag = "requests",
    security((), ("bearer" = [])),
    params(("site" = String, Path)), request_body = NewRequest,
    responses((status = 201, body = RequestView), (status = 403, description = "a kiosk or display of another site", body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, description = "the office has no opening hours to count the delay in", body = ErrorBody),
    (status = 422, body = ErrorBody),
    (status = 429, description = "too many from this phone, address or kiosk; see Retry-After", body = ErrorBody)))]
async fn file_request(
    State(state): State<AppState>,
    MaybeCaller(who): MaybeCaller,
    ClientIp(client): ClientIp,
    ApiPath(site): ApiPath<String>,
    ApiJson(body): ApiJson<NewRequest>,
) -> AppResult<Created<RequestView>> {
    let view = requests::create(&state.app, who.as_ref(), &client, &site, body).await?;
    Ok(Created(view))
}

/// Files the request of the citizen of a walk-in visit (the agent calling
/// or serving the ticket): the ticket's phone is carried over, and the
/// request's history names the visit and the agent.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/requests", tag = "requests", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = TicketRequest,
    responses((status = 201, body = RequestView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, description = "`ticket_not_served` (not called or served by you) or `already_filed`", body = ErrorBody),
    (status = 422, body = ErrorBody)))]
async fn file_from_ticket(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<TicketRequest>,
) -> AppResult<Created<RequestView>> {
    let view = ticket_requests::file_from_ticket(&state.app, &who, &id, body).await?;
    Ok(Created(view))
}

/// A site's requests, by status (its agents and supervisors).
#[utoipa::path(get, path = "/api/v1/sites/{site}/requests", tag = "requests", security(("bearer" = [])),
    params(("site" = String, Path), StatusQuery),
    responses((status = 200, body = Vec<RequestView>), (status = 403, body = ErrorBody)))]
async fn site_requests(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiQuery(query): ApiQuery<StatusQuery>,
) -> AppResult<ApiJson<Vec<RequestView>>> {
    let list = requests::of_site(&state.app, &who, &site, query.status.as_deref()).await?;
    Ok(ApiJson(list))
}

/// A request with its history (`X-Request-Token`, the citizen, or staff).
#[utoipa::path(get, path = "/api/v1/requests/{reference}", tag = "requests",
    params(("reference" = String, Path), ("X-Request-Token" = Option<String>, Header)),
    responses((status = 200, body = RequestView), (status = 404, body = ErrorBody)))]
async fn get_request(
    State(state): State<AppState>,
    holder: Holder<RequestToken>,
    ApiPath(reference): ApiPath<String>,
) -> AppResult<ApiJson<RequestView>> {
    Ok(ApiJson(
        requests::get(&state.app, &reference, holder.access()).await?,
    ))
}

/// Moves a request on: `processing`, `ready`, `delivered`, or `rejected`
/// with a reason (agents).
#[utoipa::path(post, path = "/api/v1/requests/{reference}/status", tag = "requests", security(("bearer" = [])),
    params(("reference" = String, Path)), request_body = ChangeStatus,
    responses((status = 200, body = RequestView), (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_status(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(reference): ApiPath<String>,
    ApiJson(body): ApiJson<ChangeStatus>,
) -> AppResult<ApiJson<RequestView>> {
    Ok(ApiJson(
        requests::set_status(&state.app, &who, &reference, body).await?,
    ))
}

/// Files a complaint (public, with a code where phones are verified).
#[utoipa::path(post, path = "/api/v1/sites/{site}/complaints", tag = "complaints",
    params(("site" = String, Path)), request_body = NewComplaint,
    responses((status = 201, body = ComplaintView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    (status = 429, description = "too many from this phone or address; see Retry-After", body = ErrorBody)))]
async fn file_complaint(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ApiPath(site): ApiPath<String>,
    ApiJson(body): ApiJson<NewComplaint>,
) -> AppResult<Created<ComplaintView>> {
    Ok(Created(
        complaints::file(&state.app, &client, &site, body).await?,
    ))
}

/// A site's complaints, open and most overdue first (supervisors).
#[utoipa::path(get, path = "/api/v1/sites/{site}/complaints", tag = "complaints", security(("bearer" = [])),
    params(("site" = String, Path), StatusQuery),
    responses((status = 200, body = Vec<ComplaintView>), (status = 403, body = ErrorBody)))]
async fn site_complaints(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiQuery(query): ApiQuery<StatusQuery>,
) -> AppResult<ApiJson<Vec<ComplaintView>>> {
    let list = complaints::of_site(&state.app, &who, &site, query.status.as_deref()).await?;
    Ok(ApiJson(list))
}

/// A complaint with its history and answer (`X-Request-Token`, the citizen,
/// or a supervisor).
#[utoipa::path(get, path = "/api/v1/complaints/{reference}", tag = "complaints",
    params(("reference" = String, Path), ("X-Request-Token" = Option<String>, Header)),
    responses((status = 200, body = ComplaintView), (status = 404, body = ErrorBody)))]
async fn get_complaint(
    State(state): State<AppState>,
    holder: Holder<RequestToken>,
    ApiPath(reference): ApiPath<String>,
) -> AppResult<ApiJson<ComplaintView>> {
    Ok(ApiJson(
        complaints::get(&state.app, &reference, holder.access()).await?,
    ))
}

/// Gives a complaint to someone of the site (supervisors).
#[utoipa::path(post, path = "/api/v1/complaints/{reference}/assign", tag = "complaints", security(("bearer" = [])),
    params(("reference" = String, Path)), request_body = Assign,
    responses((status = 200, body = ComplaintView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn assign(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(reference): ApiPath<String>,
    ApiJson(body): ApiJson<Assign>,
) -> AppResult<ApiJson<ComplaintView>> {
    Ok(ApiJson(
        complaints::assign(&state.app, &who, &reference, body).await?,
    ))
}

/// Answers a complaint; the citizen gets an SMS (supervisors).
#[utoipa::path(post, path = "/api/v1/complaints/{reference}/answer", tag = "complaints", security(("bearer" = [])),
    params(("reference" = String, Path)), request_body = Answer,
    responses((status = 200, body = ComplaintView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn answer(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(reference): ApiPath<String>,
    ApiJson(body): ApiJson<Answer>,
) -> AppResult<ApiJson<ComplaintView>> {
    Ok(ApiJson(
        complaints::answer(&state.app, &who, &reference, body).await?,
    ))
}

/// Closes a complaint without an answer, saying why (supervisors).
#[utoipa::path(post, path = "/api/v1/complaints/{reference}/close", tag = "complaints", security(("bearer" = [])),
    params(("reference" = String, Path)), request_body = Close,
    responses((status = 200, body = ComplaintView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn close(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(reference): ApiPath<String>,
    ApiJson(body): ApiJson<Close>,
) -> AppResult<ApiJson<ComplaintView>> {
    Ok(ApiJson(
        complaints::close(&state.app, &who, &reference, body).await?,
    ))
}

/// Logs a citizen in with their phone and a code sent to it.
#[utoipa::path(post, path = "/api/v1/citizen/login", tag = "citizens", request_body = CitizenLogin,
    responses((status = 200, body = CitizenSession), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
async fn citizen_login(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ApiJson(body): ApiJson<CitizenLogin>,
) -> AppResult<ApiJson<CitizenSession>> {
    Ok(ApiJson(citizens::login(&state.app, body, &client).await?))
}

/// The logged-in citizen's document requests.
#[utoipa::path(get, path = "/api/v1/me/requests", tag = "citizens", security(("bearer" = [])),
    responses((status = 200, body = Vec<RequestView>), (status = 401, body = ErrorBody)))]
async fn my_requests(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> AppResult<ApiJson<Vec<RequestView>>> {
    Ok(ApiJson(citizens::my_requests(&state.app, &who).await?))
}

/// The logged-in citizen's appointments.
#[utoipa::path(get, path = "/api/v1/me/appointments", tag = "citizens", security(("bearer" = [])),
    responses((status = 200, body = Vec<AppointmentView>), (status = 401, body = ErrorBody)))]
async fn my_appointments(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> AppResult<ApiJson<Vec<AppointmentView>>> {
    Ok(ApiJson(citizens::my_appointments(&state.app, &who).await?))
}

/// Rates a visit, once (the link comes by SMS after the visit).
#[utoipa::path(post, path = "/api/v1/feedback/{token}", tag = "citizens",
    params(("token" = String, Path)), request_body = FeedbackAnswer,
    responses((status = 201, description = "recorded"), (status = 404, body = ErrorBody),
    (status = 409, description = "already rated", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn feedback(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(body): ApiJson<FeedbackAnswer>,
) -> AppResult<StatusCode> {
    visits::answer_feedback(&state.app, &token, body).await?;
    Ok(StatusCode::CREATED)
}
