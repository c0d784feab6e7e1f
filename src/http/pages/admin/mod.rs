//! The admin pages `/admin`, for admins (every site) and supervisors (their
//! own site): setting up sites, services, counters and accounts, running
//! the office (announcements, devices, messages, complaints) and watching
//! it (live supervision, statistics, the monthly report).
//!
//! Every page extends `admin_base.html` and carries a [`Nav`]; every
//! handler starts from [`Staff`], and a page about one site checks the
//! caller may see it with [`Staff::nav`] before it reads anything. Forms
//! are CSRF-protected (`CsrfForm`) and go through the same use cases as the
//! JSON API, so they refuse what it refuses; [`FormError`] tells why in
//! place.

mod form;
mod home;
mod office;
mod ops;
mod setup;
pub mod supervision;

pub use form::FormError;
pub use office::{Admin, Office};

use super::cookies;
use super::frame::{Frame, PageError};
use crate::app::AppResult;
use crate::app::auth::Principal;
use crate::domain::role::Role;
use crate::http::AppState;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(setup::router())
        .merge(ops::router())
        .merge(supervision::router())
}

/// An admin or a supervisor logged in through the session cookie. Nobody
/// logged in is sent to the login page, and back here after; an agent or
/// a device gets 403.
pub struct Staff {
    pub who: Principal,
    pub username: String,
    pub is_admin: bool,
}

impl Staff {
    /// The menu of a page, about `site` when given: refused (403) unless
    /// the caller may see that site, 404 when there is no such site.
    pub async fn nav(&self, state: &AppState, frame: &Frame, site: Option<&str>) -> AppResult<Nav> {
        let site = match site {
            Some(id) => {
                self.who.require_staff(id, &[Role::Supervisor])?;
                let view = crate::app::sites::get(&state.app, id).await?;
                let name = match (frame.lang, view.name_ar) {
                    (super::i18n::Lang::Ar, Some(ar)) if !ar.is_empty() => ar,
                    _ => view.name,
                };
                Some(SiteLink { id: view.id, name })
            }
            None => None,
        };
        Ok(Nav {
            user: self.username.clone(),
            is_admin: self.is_admin,
            own_site: match &self.who {
                Principal::User { site, .. } if !self.is_admin => site.clone(),
                _ => None,
            },
            site,
        })
    }

    /// Refuses with 403 unless the caller is an admin.
    pub fn require_admin(&self) -> AppResult<()> {
        self.who.require_admin()
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match cookies::session(&state.app, &parts.headers).await {
            Some(
                who @ Principal::User {
                    role: Role::Admin | Role::Supervisor,
                    ..
                },
            ) => Ok(Staff {
                username: who.username().unwrap_or_default().to_owned(),
                is_admin: who.require_admin().is_ok(),
                who,
            }),
            Some(_) => {
                let frame = Frame::from_request_parts(parts, state)
                    .await
                    .unwrap_or_else(|never| match never {})
                    .for_office();
                let error = crate::app::AppError::Forbidden("admins and supervisors only");
                Err(PageError::new(&frame, error).into_response())
            }
            None => {
                let here = parts.uri.path_and_query().map_or("/admin", |p| p.as_str());
                let next = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
                Err(Redirect::to(&format!("/agent/login?{next}")).into_response())
            }
        }
    }
}

/// What `admin_base.html` shows around every admin page: who is logged
/// in, and the site the page is about with that site's sections.
#[derive(Debug, Clone)]
pub struct Nav {
    pub user: String,
    pub is_admin: bool,
    /// A supervisor's own site, for the menu's link to it.
    pub own_site: Option<String>,
    pub site: Option<SiteLink>,
}

#[derive(Debug, Clone)]
pub struct SiteLink {
    pub id: String,
    /// In the page's language when the site has it.
    pub name: String,
}
