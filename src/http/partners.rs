//! Partners (docs/partners.md): the admin routes that register them and
//! their secrets, and the signed push of their files' statuses.

use super::AppState;
use super::auth::Caller;
use super::client_ip::ClientIp;
use super::created::Created;
use super::error::{ApiJson, ApiPath};
use crate::app::error::ErrorBody;
use crate::app::partner_files::{self, FilePush, MAX_PUSH_BYTES, PushOutcome, Signed};
use crate::app::partners::{self, NewPartner, PartnerChange, PartnerView};
use crate::app::{AppError, AppResult};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register, list))
        .routes(routes!(change))
        .routes(routes!(rotate))
        .routes(routes!(disable))
        .routes(routes!(push))
}

/// Registers a partner; the answer shows its signing secret once.
#[utoipa::path(post, path = "/api/v1/partners", tag = "partners", security(("bearer" = [])),
    request_body = NewPartner,
    responses((status = 201, body = PartnerView), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<NewPartner>,
) -> AppResult<Created<PartnerView>> {
    Ok(Created(partners::register(&state.app, &who, body).await?))
}

/// Every partner, disabled ones included, without their secrets.
#[utoipa::path(get, path = "/api/v1/partners", tag = "partners", security(("bearer" = [])),
    responses((status = 200, body = Vec<PartnerView>), (status = 403, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> AppResult<ApiJson<Vec<PartnerView>>> {
    Ok(ApiJson(partners::list(&state.app, &who).await?))
}

/// Renames a partner and chooses the sites whose kiosks show its files.
#[utoipa::path(put, path = "/api/v1/partners/{partner}", tag = "partners", security(("bearer" = [])),
    params(("partner" = String, Path)), request_body = PartnerChange,
    responses((status = 200, body = PartnerView), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn change(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(partner): ApiPath<String>,
    ApiJson(body): ApiJson<PartnerChange>,
) -> AppResult<ApiJson<PartnerView>> {
    Ok(ApiJson(
        partners::change(&state.app, &who, &partner, body).await?,
    ))
}

/// Gives a partner a new secret, shown once in the answer; the old one
/// stops at once.
#[utoipa::path(post, path = "/api/v1/partners/{partner}/secret", tag = "partners", security(("bearer" = [])),
    params(("partner" = String, Path)),
    responses((status = 200, body = PartnerView), (status = 404, body = ErrorBody)))]
async fn rotate(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(partner): ApiPath<String>,
) -> AppResult<ApiJson<PartnerView>> {
    Ok(ApiJson(partners::rotate(&state.app, &who, &partner).await?))
}

/// Refuses a partner's pushes from now on and hides its files.
#[utoipa::path(post, path = "/api/v1/partners/{partner}/disable", tag = "partners", security(("bearer" = [])),
    params(("partner" = String, Path)),
    responses((status = 204, description = "disabled"), (status = 404, body = ErrorBody)))]
async fn disable(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(partner): ApiPath<String>,
) -> AppResult<StatusCode> {
    partners::disable(&state.app, &who, &partner).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A partner pushes the status of one of its files, signed with its secret:
/// `X-Guichet-Signature: sha256=<hex HMAC-SHA256 of "{timestamp}.{body}">`
/// and `X-Guichet-Timestamp` (Unix seconds, within 5 minutes of now).
/// Any wrong partner or signature is 401 with no detail; a replayed push or
/// an older version is 409 and changes nothing; the same version again is
/// 200 with `changed: false`. The body is at most 4 KiB.
#[utoipa::path(post, path = "/api/v1/partners/{partner}/files", tag = "partners",
    params(("partner" = String, Path),
        ("X-Guichet-Timestamp" = String, Header, description = "Unix seconds"),
        ("X-Guichet-Signature" = String, Header, description = "sha256=<hex>")),
    request_body = FilePush,
    responses((status = 200, body = PushOutcome), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn push(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ApiPath(partner): ApiPath<String>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<ApiJson<PushOutcome>> {
    let body = axum::body::to_bytes(body, MAX_PUSH_BYTES)
        .await
        .map_err(|_| AppError::Malformed(format!("the body is over {MAX_PUSH_BYTES} bytes")))?;
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signed = Signed {
        timestamp: header("x-guichet-timestamp"),
        signature: header("x-guichet-signature"),
        body: &body,
    };
    let outcome = partner_files::push(&state.app, &client, &partner, signed).await?;
    Ok(ApiJson(outcome))
}
