//! What an admin page starts from, read in one extractor so that each
//! page's handler lists only what is its own (a query, a form): [`Admin`],
//! the office's frame and the staff member; [`Office`], the same with the
//! `{site}` of the path, for a page about one site.

use super::{Nav, Staff};
use crate::app::{AppError, AppResult};
use crate::http::AppState;
use crate::http::pages::frame::{Frame, OrPage, PageError};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// A page of `/admin/…/{site}…`, asked by an admin or a supervisor
/// ([`Staff`]'s refusals apply), in the office's languages
/// ([`Frame::for_office`]).
pub struct Office {
    pub state: AppState,
    pub frame: Frame,
    pub staff: Staff,
    /// The path's `{site}`, not yet checked.
    pub site: String,
}

impl Office {
    /// The menu of the page: refused (403) unless the caller may see the
    /// site, 404 when there is no such site ([`Staff::nav`]).
    pub async fn nav(&self) -> Result<Nav, PageError> {
        let nav = self.staff.nav(&self.state, &self.frame, Some(&self.site));
        nav.await.map_err(|error| self.fail(error))
    }

    /// The parts, for a handler that moves them on.
    pub fn into_parts(self) -> (AppState, Frame, Staff, String) {
        (self.state, self.frame, self.staff, self.site)
    }

    /// `error` shown as this page's error page.
    pub fn fail(&self, error: impl Into<AppError>) -> PageError {
        PageError::new(&self.frame, error)
    }
}

/// A page of `/admin/…`, asked by an admin or a supervisor ([`Staff`]'s
/// refusals apply), in the office's languages ([`Frame::for_office`]).
pub struct Admin {
    pub state: AppState,
    pub frame: Frame,
    pub staff: Staff,
}

impl Admin {
    /// The menu of a page about no one site and what `read` finds; the
    /// error page if either fails (refused: 403).
    pub async fn read<T>(
        &self,
        read: impl Future<Output = AppResult<T>>,
    ) -> Result<(Nav, T), PageError> {
        let both = async {
            let nav = self.staff.nav(&self.state, &self.frame, None).await?;
            AppResult::Ok((nav, read.await?))
        };
        both.await.or_page(&self.frame)
    }

    /// Refused (the 403 page) unless the caller is an admin.
    pub fn admin_only(&self) -> Result<(), PageError> {
        let allowed = self.staff.require_admin();
        allowed.or_page(&self.frame)
    }

    /// The parts, for a handler that moves them on.
    pub fn into_parts(self) -> (AppState, Frame, Staff) {
        (self.state, self.frame, self.staff)
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Ok(frame) = Frame::from_request_parts(parts, state).await;
        let staff = Staff::from_request_parts(parts, state).await?;
        Ok(Admin {
            state: state.clone(),
            frame: frame.for_office(),
            staff,
        })
    }
}

impl FromRequestParts<AppState> for Office {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Admin { frame, staff, .. } = Admin::from_request_parts(parts, state).await?;
        let Path(mut params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Office {
            state: state.clone(),
            frame,
            staff,
            site: params.remove("site").unwrap_or_default(),
        })
    }
}
