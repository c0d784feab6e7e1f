//! Logins, logouts and device tokens (see the OpenAPI document).

use super::AppState;
use super::audit::LoginAttempt;
use super::auth::{BearerToken, Caller};
use super::client_ip::ClientIp;
use super::created::Created;
use super::error::{ApiJson, ApiPath};
use crate::app::{AppResult, auth, devices};
use crate::domain::role::Role;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(create_device))
        .routes(routes!(revoke_device))
        .routes(routes!(rotate_device_token))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Credentials {
    username: String,
    password: String,
}

#[derive(Debug, Serialize, ToSchema)]
struct LoginAnswer {
    token: String,
    user: UserView,
}

#[derive(Debug, Serialize, ToSchema)]
struct UserView {
    username: String,
    role: Role,
    site: Option<String>,
}

/// Exchanges a username and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = Credentials, responses(
    (status = 200, body = LoginAnswer),
    (status = 401, description = "unknown user or wrong password", body = crate::app::error::ErrorBody),
    (status = 403, description = "the right password of a disabled account", body = crate::app::error::ErrorBody),
    (status = 429, description = "too many failures; see Retry-After", body = crate::app::error::ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ApiJson(body): ApiJson<Credentials>,
) -> Response {
    let session = auth::login(&state.app, &body.username, &body.password, &client).await;
    let mut response = session
        .map(|session| {
            ApiJson(LoginAnswer {
                token: session.token,
                user: UserView {
                    username: session.username,
                    role: session.role,
                    site: session.site,
                },
            })
        })
        .into_response();
    response
        .extensions_mut()
        .insert(LoginAttempt(body.username));
    response
}

/// Revokes the token that makes the call.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", security(("bearer" = [])), responses(
    (status = 204, description = "revoked"), (status = 401, body = crate::app::error::ErrorBody)))]
async fn logout(
    State(state): State<AppState>,
    _: Caller,
    BearerToken(token): BearerToken,
) -> AppResult<StatusCode> {
    auth::logout(&state.app, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Issues a kiosk or display token for a site; the token is shown only here.
#[utoipa::path(post, path = "/api/v1/sites/{site}/devices", tag = "accounts", security(("bearer" = [])),
    request_body = devices::NewDevice, params(("site" = String, Path)), responses(
    (status = 201, body = devices::IssuedDevice), (status = 403, body = crate::app::error::ErrorBody),
    (status = 404, body = crate::app::error::ErrorBody), (status = 422, body = crate::app::error::ErrorBody)))]
async fn create_device(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiJson(body): ApiJson<devices::NewDevice>,
) -> AppResult<Created<devices::IssuedDevice>> {
    let issued = devices::create(&state.app, &who, &site, body).await?;
    Ok(Created(issued))
}

/// Revokes a device's token.
#[utoipa::path(delete, path = "/api/v1/devices/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 204, description = "revoked"), (status = 403, body = crate::app::error::ErrorBody),
    (status = 404, body = crate::app::error::ErrorBody)))]
async fn revoke_device(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<StatusCode> {
    devices::revoke(&state.app, &who, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives a device a new token, shown only here; the old one stops working
/// at once.
#[utoipa::path(post, path = "/api/v1/devices/{id}/token", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path)), responses(
    (status = 200, body = devices::IssuedDevice), (status = 403, body = crate::app::error::ErrorBody),
    (status = 404, body = crate::app::error::ErrorBody), (status = 409, body = crate::app::error::ErrorBody)))]
async fn rotate_device_token(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(id): ApiPath<String>,
) -> AppResult<axum::Json<devices::IssuedDevice>> {
    Ok(axum::Json(devices::rotate(&state.app, &who, &id).await?))
}
