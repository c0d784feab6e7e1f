//! Running an office: the lobby announcements, kiosk and display devices,
//! the outbox of messages, webhook endpoints, partner administrations, the
//! complaints inbox and the audit log.
//!
//! Every form goes through the use case the JSON API calls, so a page
//! refuses exactly what the API refuses; a refused form is shown again
//! with what was typed and the reason in place. A success redirects (303)
//! back with a flash, except where a secret is made (a device token, a
//! webhook secret): that answer shows it once, is never cached, and the
//! lists never show it again.

mod announcements;
mod audit;
mod capsules;
mod complaint;
mod complaints;
mod devices;
mod outbox;
mod partners;
mod province_recipients;
mod recipients_form;
mod report_recipients;
mod webhooks;

use super::{Nav, Staff};
use crate::app::AppResult;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, OrPage, PageError};
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(announcements::router())
        .merge(capsules::router())
        .merge(devices::router())
        .merge(outbox::router())
        .merge(webhooks::router())
        .merge(partners::router())
        .merge(complaints::router())
        .merge(complaint::router())
        .merge(audit::router())
        .merge(report_recipients::router())
        .merge(province_recipients::router())
}

/// The flash a page shows after a change redirected to it (`?done=…`).
#[derive(Debug, Default, Deserialize)]
struct Flash {
    done: Option<String>,
}

impl Flash {
    /// The key of the flash's words, for the outcomes a page knows.
    fn key(&self, known: &[(&str, &'static str)]) -> Option<&'static str> {
        let done = self.done.as_deref()?;
        known.iter().find(|(k, _)| *k == done).map(|(_, key)| *key)
    }
}

/// A one-button form: `act`, then back to `to`; the error page in the
/// office's look if it is refused.
async fn pressed<T>(
    frame: Frame,
    act: impl Future<Output = AppResult<T>>,
    to: &str,
) -> Result<Response, PageError> {
    let frame = frame.for_office();
    match act.await {
        Ok(_) => Ok(Redirect::to(to).into_response()),
        Err(error) => Err(PageError::new(&frame, error)),
    }
}

/// What the admin-only pages that register something (webhooks, partners)
/// show beside their form: the menu, the things registered (`list`), and
/// the sites to choose among; the error page if refused.
async fn registry<T>(
    state: &AppState,
    frame: &Frame,
    staff: &Staff,
    list: impl Future<Output = AppResult<T>>,
) -> Result<(Nav, T, Vec<(String, String)>), PageError> {
    let read = async {
        staff.require_admin()?;
        let nav = staff.nav(state, frame, None).await?;
        let sites = crate::app::console::sites_of(&state.app, &staff.who).await?;
        AppResult::Ok((nav, list.await?, sites))
    };
    read.await.or_page(frame)
}

/// A page that shows a secret once: no browser or proxy may keep it.
fn never_stored(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An RFC 3339 time as a person reads it: `2026-03-02 09:00`.
fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replacen('T', " ", 1)
}

/// The values of every field named `name` in a form, in order (checkboxes).
fn all_of(form: &[(String, String)], name: &str) -> Vec<String> {
    form.iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The first value of the field `name`, or an empty text.
fn one_of(form: &[(String, String)], name: &str) -> String {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_read_as_day_and_minute() {
        assert_eq!(
            super::short_time("2026-03-02T09:05:12+01:00"),
            "2026-03-02 09:05"
        );
        assert_eq!(super::short_time("soon"), "soon");
    }
}
