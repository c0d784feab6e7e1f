//! The agent console `/agent`: logging in, choosing a counter, the
//! counter's actions, its queue and its current ticket (live), the
//! site's document requests, and its video appointments of the day. Pages read through `app::console` and
//! `app::requests`; the console's buttons call the JSON API with the
//! session cookie.

mod console;
mod login;
mod requests;
mod video;

use super::cookies;
use crate::app::AppError;
use crate::app::auth::{self, Principal};
use crate::http::AppState;
use crate::http::auth::SESSION_COOKIE;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(login::router())
        .merge(console::router())
        .merge(requests::router())
        .merge(video::router())
}

/// A staff member logged in through the session cookie. Anyone else is
/// sent to the login page: a device token or an expired session is no
/// agent.
pub struct Agent(pub Principal);

impl FromRequestParts<AppState> for Agent {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let token = cookies::read(&parts.headers, SESSION_COOKIE)
            .filter(|t| !t.is_empty() && t.len() <= 200)
            .map(str::to_owned);
        let principal = match token {
            Some(token) => auth::authenticate(&state.app, &token).await.ok(),
            None => None,
        };
        match principal {
            Some(who @ Principal::User { .. }) => Ok(Agent(who)),
            _ => Err(Redirect::to("/agent/login").into_response()),
        }
    }
}

/// The site asked for if the caller works there, else the caller's own.
pub(super) async fn site_of(
    state: &AppState,
    who: &Principal,
    asked: Option<String>,
) -> Result<String, AppError> {
    let sites = crate::app::console::sites_of(&state.app, who).await?;
    asked
        .filter(|s| sites.iter().any(|(id, _)| id == s))
        .or_else(|| sites.first().map(|(id, _)| id.clone()))
        .ok_or(AppError::NotFound("site"))
}
