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
mod guide;
mod hours;
mod service_draft;
mod services;
mod sites;
mod users;
mod voice;

use super::{FormError, Staff};
use crate::app::counters::CounterView;
use crate::app::services::ServiceView;
use crate::app::{AppError, AppResult};
use crate::domain::role::Role;
use crate::http::AppState;
use crate::http::created::CreatedTarget;
use crate::http::created::Named;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use askama::Template;
use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(sites::router())
        .merge(hours::router())
        .merge(services::router())
        .merge(guide::router())
        .merge(counters::router())
        .merge(users::router())
        .merge(voice::router())
}

/// Who may change what a form changes, checked before the form is read.
struct May<'a> {
    staff: &'a Staff,
    site: &'a str,
    /// Only an admin (sites, hours, services), or the site's supervisor
    /// too (counters).
    admin_only: bool,
}

impl<'a> May<'a> {
    fn admin(staff: &'a Staff, site: &'a str) -> Self {
        Self {
            staff,
            site,
            admin_only: true,
        }
    }

    fn supervisor(staff: &'a Staff, site: &'a str) -> Self {
        Self {
            admin_only: false,
            ..Self::admin(staff, site)
        }
    }
}

/// One posted form, in the office's look: refused at once, as the API
/// would, when `may` says the caller may not change this at all; otherwise
/// the use case `act` runs, and its result goes to `done` (a redirect with
/// a flash) or, refused, to `again`, which draws the form with what was
/// typed and the error beside its field.
async fn submit<T, F>(
    frame: Frame,
    may: Option<May<'_>>,
    act: impl Future<Output = AppResult<T>>,
    done: impl FnOnce(T) -> Response,
    again: impl FnOnce(Frame, FormError) -> F,
) -> Response
where
    F: Future<Output = Response>,
{
    let frame = frame.for_office();
    if let Some(May {
        staff,
        site,
        admin_only,
    }) = may
        && let Err(page) = may_change(&frame, staff, site, admin_only)
    {
        return page.into_response();
    }
    match act.await {
        Ok(value) => done(value),
        Err(error) => match refused(&frame, error) {
            Ok(error) => again(frame, error).await,
            Err(page) => page.into_response(),
        },
    }
}

/// The pages of a site's things, for `path` = `{kind}/{id}`: the list
/// `/admin/sites/{site}/{kind}`, the new one's form `…/{kind}/new` and
/// each one's form `…/{kind}/{id}`, each form posted to its own page.
fn thing_pages(
    path: &str,
    list: MethodRouter<AppState>,
    new: MethodRouter<AppState>,
    one: MethodRouter<AppState>,
) -> Router<AppState> {
    let kind = path.split_once('/').map_or(path, |(kind, _)| kind);
    Router::new()
        .route(&format!("/admin/sites/{{site}}/{kind}"), list)
        .route(&format!("/admin/sites/{{site}}/{kind}/new"), new)
        .route(&format!("/admin/sites/{{site}}/{path}"), one)
}

/// One of a site's things with a page of its own,
/// `/admin/sites/{site}/{kind}/{id}`: a counter or a service.
trait Thing: Named {
    /// `counters` or `services`.
    const KIND: &'static str;
    fn id(&self) -> &str;
}

impl Thing for CounterView {
    const KIND: &'static str = "counters";
    fn id(&self) -> &str {
        &self.id
    }
}

impl Thing for ServiceView {
    const KIND: &'static str = "services";
    fn id(&self) -> &str {
        &self.id
    }
}

/// A posted form of a thing of `site` (`id`, or a new one when `None`):
/// as [`submit`], and once saved, to the thing's page, saying it was saved
/// or created (then named for the audit log).
async fn submit_thing<T: Thing, F>(
    frame: Frame,
    may: May<'_>,
    id: Option<&str>,
    act: impl Future<Output = AppResult<T>>,
    again: impl FnOnce(Frame, FormError) -> F,
) -> Response
where
    F: Future<Output = Response>,
{
    let site = may.site;
    let done = |thing: T| {
        let to = format!("/admin/sites/{site}/{}/{}", T::KIND, thing.id());
        match id {
            Some(_) => saved(&to, "saved"),
            None => created(&to, thing.audit_name()),
        }
    };
    submit(frame, Some(may), act, done, again).await
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
    allowed.or_page(frame)
}

/// A form only an admin may open, drawn by `page` from the frame, the
/// menu and the flash, at the form error's status: anyone else gets the
/// error page the API's refusal would be.
async fn admin_form<P: Template>(
    state: &AppState,
    frame: Frame,
    staff: &Staff,
    site: &str,
    error: &Option<FormError>,
    page: impl FnOnce(Frame, super::Nav, Option<&'static str>) -> P,
) -> Response {
    let checked = match staff.require_admin() {
        Ok(()) => staff.nav(state, &frame, Some(site)).await,
        Err(error) => Err(error),
    };
    match checked {
        Ok(nav) => {
            let flash = flash_of(&frame);
            with_status(render(&page(frame, nav, flash)), error)
        }
        Err(error) => PageError::new(&frame, error).into_response(),
    }
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
