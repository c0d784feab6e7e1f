//! The remote queue (docs/remote-queue.md): joining a walk-in queue from a
//! phone, and marking a remote ticket's holder present at the office.

use super::AppState;
use super::auth::Caller;
use super::client_ip::ClientIp;
use super::created::Created;
use super::error::{ApiJson, ApiPath};
use crate::app::AppResult;
use crate::app::error::ErrorBody;
use crate::app::remote_queue::{self, JoinRequest, RemoteTicket, Via};
use crate::app::tickets::{TicketView, parse_lang};
use crate::domain::phone::Phone;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(join))
        .routes(routes!(present))
        .routes(routes!(present_by_number))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinQueue {
    /// A walk-in service of the site open to remote joining.
    pub service: String,
    /// E.164: the ticket's SMS go there.
    pub phone: String,
    /// The code sent by `POST /api/v1/otp`, on sites that verify phones.
    pub otp: Option<String>,
    /// `fr` (default), `ar` or `en`: the language of messages.
    pub lang: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresentNumber {
    /// The ticket's number, as the SMS gave it (`A012`).
    pub number: String,
}

/// Joins a walk-in queue from a phone (public): a ticket in the same queue
/// as the kiosk's, called once its holder has checked in at the office.
#[utoipa::path(post, path = "/api/v1/sites/{site}/queue/join", tag = "queue",
    params(("site" = String, Path)), request_body = JoinQueue,
    responses((status = 201, body = RemoteTicket), (status = 404, body = ErrorBody),
    (status = 409, description = "`already_in_queue`, `remote_share_full`, `queue_closing` or `site_closed`", body = ErrorBody),
    (status = 422, description = "`invalid_service`, `invalid_phone`, `invalid_otp`, `invalid_lang`", body = ErrorBody),
    (status = 429, description = "too many joins from this phone or address; see Retry-After", body = ErrorBody)))]
async fn join(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ApiPath(site): ApiPath<String>,
    ApiJson(body): ApiJson<JoinQueue>,
) -> AppResult<Created<RemoteTicket>> {
    let request = JoinRequest {
        service: body.service,
        phone: Phone::parse(&body.phone)?,
        lang: parse_lang(body.lang.as_deref())?,
    };
    let via = Via::Web {
        client,
        otp: body.otp,
    };
    Ok(Created(
        remote_queue::join(&state.app, &site, request, via).await?,
    ))
}

/// Marks a remote ticket's holder present (a kiosk of its site, or its
/// agents and supervisors): from now on it may be called.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/present", tag = "queue", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody),
    (status = 409, description = "`not_remote`, `not_waiting` or `lapsed`", body = ErrorBody)))]
async fn present(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<ApiJson<TicketView>> {
    Ok(ApiJson(remote_queue::present(&state.app, &who, &id).await?))
}

/// Marks present the site's remote ticket of today with this number (a
/// kiosk of the site, or its agents and supervisors).
#[utoipa::path(post, path = "/api/v1/sites/{site}/queue/present", tag = "queue", security(("bearer" = [])),
    params(("site" = String, Path)), request_body = PresentNumber,
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody),
    (status = 409, description = "`not_waiting` or `lapsed`", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn present_by_number(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiJson(body): ApiJson<PresentNumber>,
) -> AppResult<ApiJson<TicketView>> {
    let number = crate::domain::parse_label("number", &body.number, 12)?;
    Ok(ApiJson(
        remote_queue::present_by_number(&state.app, &who, &site, &number).await?,
    ))
}
