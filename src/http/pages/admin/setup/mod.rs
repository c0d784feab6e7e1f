//! Setting up an office: sites with their weekly hours and closures,
//! services, counters, and the staff accounts.
//!
//! Every form goes through the use case the JSON API uses (`app::sites`,
//! `app::services`, `app::counters`, `app::accounts`), so a form refuses
//! exactly what the API refuses. A refused form comes back with what was
//! typed and the reason beside the field ([`FormError`]); a saved one
//! redirects (303) to its page with a flash. Nothing here needs a script.

mod counters;
mod fields;
mod hours;
mod service_draft;
mod services;
mod sites;
mod users;

use super::{FormError, Staff};
use crate::app::AppError;
use crate::domain::role::Role;
use crate::http::AppState;
use crate::http::created::CreatedTarget;
use crate::http::pages::frame::{Frame, PageError};
use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(sites::router())
        .merge(hours::router())
        .merge(services::router())
        .merge(counters::router())
        .merge(users::router())
}

/// A refused form: shown again in place, unless the caller may not act at
/// all or the thing is gone, which is an error page.
fn refused(frame: &Frame, error: AppError) -> Result<FormError, PageError> {
    match error {
        AppError::Forbidden(_) | AppError::NotFound(_) | AppError::Unauthorized(_) => {
            Err(PageError::new(frame, error))
        }
        error => Ok(FormError::new(frame.tr, &error)),
    }
}

/// Refuses before reading a form when the caller may not change this at
/// all: the same answer the API gives, whatever was typed.
fn may_change(frame: &Frame, staff: &Staff, site: &str, admin_only: bool) -> Result<(), PageError> {
    let allowed = if admin_only {
        staff.require_admin()
    } else {
        staff.who.require_staff(site, &[Role::Supervisor])
    };
    allowed.map_err(|error| PageError::new(frame, error))
}

/// A page answered with the form error's status.
fn with_status(mut response: Response, error: &Option<FormError>) -> Response {
    if let Some(error) = error {
        *response.status_mut() = error.status;
    }
    response
}

/// After a saved form: back to `to` with the flash `flash`.
fn saved(to: &str, flash: &str) -> Response {
    let separator = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{separator}{flash}=1")).into_response()
}

/// After a form that created something: back to `to`, saying so, with
/// what was created named for the audit log (`http::created`).
fn created(to: &str, name: String) -> Response {
    let mut response = saved(to, "created");
    response.extensions_mut().insert(CreatedTarget(name));
    response
}

/// The words of the flash a page shows after a redirect, read from its
/// query (`?saved=1`).
fn flash_of(frame: &Frame) -> Option<&'static str> {
    [
        ("created", "admin.setup.flash.created"),
        ("saved", "admin.saved"),
        ("removed", "admin.setup.flash.removed"),
        ("disabled", "admin.setup.flash.disabled"),
        ("enabled", "admin.setup.flash.enabled"),
    ]
    .into_iter()
    .find(|(key, _)| {
        frame
            .query
            .split('&')
            .any(|pair| pair == format!("{key}=1"))
    })
    .map(|(_, words)| words)
}
