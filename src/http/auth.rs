//! Reading the caller from a request: `Authorization: Bearer <token>`, or
//! the same token in the `guichet_session` cookie that the pages use.

use super::AppState;
use crate::app::{
    AppError,
    access::Access,
    auth::{self, Principal},
};
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts};

pub const SESSION_COOKIE: &str = "guichet_session";

/// The authenticated caller; a request without a valid token gets 401.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

/// The caller as `http::audit` found it, so that the handler's extractors
/// need not read the token again.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub token: String,
    pub who: Principal,
}

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
        Ok(Caller(principal(parts, state, &token).await?))
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
            Some(token) => Ok(MaybeCaller(Some(principal(parts, state, &token).await?))),
        }
    }
}

/// The principal of `token`: the one the audit middleware found, or read.
async fn principal(parts: &Parts, state: &AppState, token: &str) -> Result<Principal, AppError> {
    match parts.extensions.get::<Authenticated>() {
        Some(found) if found.token == token => Ok(found.who.clone()),
        _ => auth::authenticate(&state.app, token).await,
    }
}

pub(crate) fn token_of(parts: &Parts) -> Option<String> {
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

/// The header a record's token comes in, for [`Holder`].
pub trait TokenHeader: Send + Sync {
    const NAME: &'static str;
}

/// `X-Manage-Token`: an appointment's.
pub struct ManageToken;

impl TokenHeader for ManageToken {
    const NAME: &'static str = "x-manage-token";
}

/// `X-Request-Token`: a document request's or a complaint's.
pub struct RequestToken;

impl TokenHeader for RequestToken {
    const NAME: &'static str = "x-request-token";
}

/// Who reads or acts on a citizen's record: the caller if a bearer token is
/// given (as [`MaybeCaller`]), and the record's own token if the header
/// `H` holds one.
pub struct Holder<H> {
    who: Option<Principal>,
    token: Option<String>,
    header: std::marker::PhantomData<H>,
}

impl<H> Holder<H> {
    /// What the use case checks.
    pub fn access(&self) -> Access<'_> {
        Access {
            who: self.who.as_ref(),
            token: self.token.as_deref(),
        }
    }
}

impl<H: TokenHeader> FromRequestParts<AppState> for Holder<H> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let MaybeCaller(who) = MaybeCaller::from_request_parts(parts, state).await?;
        let token = parts
            .headers
            .get(H::NAME)
            .and_then(|v| v.to_str().ok())
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .map(str::to_owned);
        Ok(Self {
            who,
            token,
            header: std::marker::PhantomData,
        })
    }
}
