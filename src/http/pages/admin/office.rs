//! [`Office`], what a page about one site starts from: the office's frame,
//! the staff member and the `{site}` of the path, read in one extractor so
//! that each page's handler lists only what is its own (a query, a form).

use super::{Nav, Staff};
use crate::app::AppError;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError};
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

impl FromRequestParts<AppState> for Office {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let frame = Frame::from_request_parts(parts, state)
            .await
            .unwrap_or_else(|never| match never {})
            .for_office();
        let staff = Staff::from_request_parts(parts, state).await?;
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
