//! Reading the caller from a request: `Authorization: Bearer <token>`, or
//! the same token in the `guichet_session` cookie that the pages use.

use super::AppState;
use crate::app::{
    AppError,
    auth::{self, Principal},
};
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};

pub const SESSION_COOKIE: &str = "guichet_session";

/// The authenticated caller; a request without a valid token gets 401.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

/// The raw bearer token of the request, for logout.
#[derive(Debug, Clone)]
pub struct BearerToken(pub String);

impl FromRequestParts<AppState> for BearerToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        token_of(parts)
            .map(BearerToken)
            .ok_or(AppError::Unauthorized("missing bearer token"))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let BearerToken(token) = BearerToken::from_request_parts(parts, state).await?;
        Ok(Caller(auth::authenticate(&state.app, &token).await?))
    }
}

/// The caller if a token is given; a public request otherwise. A token that
/// is given but invalid is still a 401, so mistakes do not pass silently.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match token_of(parts) {
            None => Ok(MaybeCaller(None)),
            Some(token) => Ok(MaybeCaller(Some(
                auth::authenticate(&state.app, &token).await?,
            ))),
        }
    }
}

fn token_of(parts: &Parts) -> Option<String> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let cookie = || super::pages::cookies::read(&parts.headers, SESSION_COOKIE);
    bearer
        .or_else(cookie)
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .map(str::to_owned)
}
