//! Managing an appointment `/appointments/{ref}?token=…` (the link of the
//! confirmation and its SMS; a citizen logged in with the same phone needs
//! no token): see it, cancel it after a confirm step, move it to another
//! slot with the booking calendar, download it for a calendar. A wrong
//! token is a 404 page: nobody learns whether the reference exists.

use super::booking::{calendar, errors};
use super::held::{Held, Shown};
use crate::app::appointments::{self, Reschedule};
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

mod calendar_file;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/appointments/{reference}", get(page))
        .route(
            "/appointments/{reference}/cancel",
            get(cancel_page).post(cancel),
        )
        .route(
            "/appointments/{reference}/reschedule",
            get(move_page).post(reschedule),
        )
        .route(
            "/appointments/{reference}/calendar.ics",
            get(calendar_file::calendar_file),
        )
}

#[derive(Debug, Default, Deserialize)]
struct ManageQuery {
    done: Option<String>,
    month: Option<String>,
    day: Option<String>,
    start: Option<String>,
}

#[derive(Template)]
#[template(path = "portal_manage.html")]
struct ManagePage {
    f: Frame,
    a: Shown,
    notice: Option<&'static str>,
    error: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    held: Held,
    Query(query): Query<ManageQuery>,
) -> Result<Response, PageError> {
    let tr = held.f.tr;
    let notice = match query.done.as_deref() {
        Some("cancelled") => Some(tr.s("portal.manage.cancelled")),
        Some("moved") => Some(tr.s("portal.manage.moved")),
        _ => None,
    };
    Ok(render(&ManagePage {
        a: held.shown(&state),
        f: held.f,
        notice,
        error: None,
    }))
}

#[derive(Template)]
#[template(path = "portal_manage_cancel.html")]
struct CancelPage {
    f: Frame,
    a: Shown,
    error: Option<String>,
}

async fn cancel_page(State(state): State<AppState>, held: Held) -> Result<Response, PageError> {
    Ok(render(&CancelPage {
        a: held.shown(&state),
        f: held.f,
        error: None,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionForm {
    token: String,
    start: Option<String>,
    day: String,
}

/// A change asked by a form of these pages: the form, and the appointment
/// read with the token it carries (or the visitor's session).
struct Posted {
    held: Held,
    form: ActionForm,
}

impl FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Ok(f) = Frame::from_request_parts(&mut parts, state).await;
        let Path(reference) = Path::<String>::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let headers = parts.headers.clone();
        let request = Request::from_parts(parts, body);
        let CsrfForm(form) = CsrfForm::<ActionForm>::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let token = Some(form.token.as_str());
        let held = Held::load(state, f, &headers, &reference, token).await;
        Ok(Posted {
            held: held.map_err(IntoResponse::into_response)?,
            form,
        })
    }
}

/// Where a holder lands after a change: the appointment, with a notice.
fn back_to(held: &Held, done: &str) -> Response {
    let (reference, token) = (&held.view.reference, held.token.as_deref());
    let token = token.unwrap_or_default();
    Redirect::to(&format!(
        "/appointments/{reference}?token={token}&done={done}"
    ))
    .into_response()
}

async fn cancel(State(state): State<AppState>, posted: Posted) -> Result<Response, PageError> {
    let held = posted.held;
    match appointments::cancel(&state.app, &held.view.reference, held.access()).await {
        Ok(_) => Ok(back_to(&held, "cancelled")),
        Err(e) => {
            let (status, text) = errors::explain(held.f.tr, &e);
            let mut response = render(&CancelPage {
                a: held.shown(&state),
                f: held.f,
                error: Some(text),
            });
            *response.status_mut() = status;
            Ok(response)
        }
    }
}

#[derive(Template)]
#[template(path = "portal_manage_move.html")]
struct MovePage {
    f: Frame,
    a: Shown,
    cal: calendar::Month,
    times: calendar::Times,
    day: String,
    error: Option<String>,
}

async fn move_view(
    state: &AppState,
    held: Held,
    month: Option<&str>,
    day: Option<&str>,
    start: Option<&str>,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let a = held.shown(state);
    let (f, view) = (held.f, held.view);
    let ask = calendar::Ask {
        site: &view.site,
        service: &view.service,
        mode: &view.mode,
        month,
        day: day.filter(|d| !d.is_empty()),
        start,
        base: format!("/appointments/{}/reschedule?token={}", a.reference, a.token),
        fresh: error.is_some(),
    };
    let (cal, times) = calendar::build(&state.app, f.lang, ask).await.or_page(&f)?;
    let status = error.as_ref().map_or(StatusCode::OK, |(s, _)| *s);
    let mut response = render(&MovePage {
        a,
        cal,
        times,
        day: day.unwrap_or_default().to_owned(),
        error: error.map(|(_, t)| t),
        f,
    });
    *response.status_mut() = status;
    Ok(response)
}

async fn move_page(
    State(state): State<AppState>,
    held: Held,
    Query(query): Query<ManageQuery>,
) -> Result<Response, PageError> {
    let (month, day) = (query.month.as_deref(), query.day.as_deref());
    move_view(&state, held, month, day, query.start.as_deref(), None).await
}

async fn reschedule(
    State(state): State<AppState>,
    Posted { held, form }: Posted,
) -> Result<Response, PageError> {
    let day = Some(form.day.as_str());
    let Some(start) = form.start.clone().filter(|s| !s.is_empty()) else {
        let error = (
            StatusCode::UNPROCESSABLE_ENTITY,
            held.f.tr.s("portal.error.no_time").to_owned(),
        );
        return move_view(&state, held, None, day, None, Some(error)).await;
    };
    let moved = Reschedule { start };
    let reference = &held.view.reference;
    match appointments::reschedule(&state.app, reference, held.access(), moved).await {
        Ok(_) => Ok(back_to(&held, "moved")),
        Err(e) => {
            let error = errors::explain(held.f.tr, &e);
            move_view(&state, held, None, day, None, Some(error)).await
        }
    }
}
