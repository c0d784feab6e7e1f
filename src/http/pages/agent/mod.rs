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
use super::frame::{Frame, OrPage, PageError};
use super::i18n::Lang;
use crate::app::AppError;
use crate::app::auth::Principal;
use crate::app::console::ServiceRef;
use crate::http::AppState;
use axum::Router;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(login::router())
        .merge(console::router())
        .merge(requests::router())
        .merge(video::router())
}

/// A staff member logged in through the session cookie, and the page's
/// frame in the office's languages. Anyone else is sent to the login page:
/// a device token or an expired session is no agent.
pub struct Agent {
    pub frame: Frame,
    pub who: Principal,
}

impl FromRequestParts<AppState> for Agent {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let who = match cookies::session(&state.app, &parts.headers).await {
            Some(who @ Principal::User { .. }) => who,
            _ => return Err(Redirect::to("/agent/login").into_response()),
        };
        let Ok(frame) = Frame::from_request_parts(parts, state).await;
        let frame = frame.for_office();
        Ok(Agent { frame, who })
    }
}

/// An agent at work on one site's page: the office's frame, who they are,
/// and the site: the one asked for if the caller works there, else their
/// own. As an extractor, the site is asked for in `?site=`.
pub(super) struct AtSite {
    pub frame: Frame,
    pub who: Principal,
    pub site: String,
}

impl AtSite {
    /// The error page in `frame` if the caller has no site.
    pub(super) async fn resolve(
        state: &AppState,
        frame: Frame,
        who: Principal,
        asked: Option<String>,
    ) -> Result<Self, PageError> {
        let sites = crate::app::console::sites_of(&state.app, &who)
            .await
            .or_page(&frame)?;
        let site = asked
            .filter(|s| sites.iter().any(|(id, _)| id == s))
            .or_else(|| sites.first().map(|(id, _)| id.clone()));
        match site {
            Some(site) => Ok(AtSite { frame, who, site }),
            None => Err(PageError::new(&frame, AppError::NotFound("site"))),
        }
    }

    pub(super) fn user(&self) -> String {
        self.who.username().unwrap_or_default().to_owned()
    }

    /// The site with its services, for the page to name them.
    pub(super) async fn desk(&self, state: &AppState) -> Result<Desk, PageError> {
        match crate::app::console::services(&state.app, &self.site).await {
            Ok(services) => Ok(Desk {
                site: self.site.clone(),
                services,
            }),
            Err(error) => Err(PageError::new(&self.frame, error)),
        }
    }
}

/// The site an agent's page is about, with its services.
pub(super) struct Desk {
    pub site: String,
    pub services: Vec<ServiceRef>,
}

impl Desk {
    /// A service of the site by id, named in `lang`.
    pub fn service_name<'a>(&'a self, id: &'a str, lang: &Lang) -> &'a str {
        crate::app::console::name_of(&self.services, id, lang.code())
    }
}

impl FromRequestParts<AppState> for AtSite {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        #[derive(Deserialize)]
        struct Asked {
            site: Option<String>,
        }
        let Agent { frame, who } = Agent::from_request_parts(parts, state).await?;
        let asked = Query::<Asked>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|Query(asked)| asked.site);
        AtSite::resolve(state, frame, who, asked)
            .await
            .map_err(IntoResponse::into_response)
    }
}

/// A refused step: the page again, at the status the API gives `error`,
/// saying `message`; or the error page when the thing is not the caller's.
pub(super) async fn refused<F>(
    frame: Frame,
    error: AppError,
    message: impl FnOnce(&Frame, &AppError) -> String,
    page: impl FnOnce(Frame, String) -> F,
) -> Result<Response, PageError>
where
    F: Future<Output = Result<Response, PageError>>,
{
    if let AppError::NotFound(_) | AppError::Forbidden(_) = error {
        return Err(PageError::new(&frame, error));
    }
    let status = crate::http::error::status_of(&error);
    let message = message(&frame, &error);
    let mut response = page(frame, message).await?;
    *response.status_mut() = status;
    Ok(response)
}
