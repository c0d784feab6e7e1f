//! Managing an appointment `/appointments/{ref}?token=…` (the link of the
//! confirmation and its SMS; a citizen logged in with the same phone needs
//! no token): see it, cancel it after a confirm step, move it to another
//! slot with the booking calendar, download it for a calendar. A wrong
//! token is a 404 page: nobody learns whether the reference exists.

use super::booking::{TokenQuery, calendar, dates, errors, mode_label, name_in, opaque};
use super::me;
use crate::app::AppResult;
use crate::app::appointments::{self, Access, AppointmentView, Reschedule};
use crate::app::sites::SiteContext;
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use crate::http::pages::i18n::Lang;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use std::sync::Arc;

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

/// The appointment as its pages show it.
struct Shown {
    reference: String,
    when: String,
    site_name: String,
    service_name: String,
    mode: &'static str,
    persons: i64,
    status: &'static str,
    video_url: Option<String>,
    /// Still booked and ahead: it may be cancelled or moved.
    open: bool,
    cancelled: bool,
    /// `?token=…` (or `?` for a logged-in citizen): every link of the pages.
    query: String,
    token: String,
}

/// Reads the appointment for this visitor: its token, or their session.
/// Refused, it is the error page in `f`.
async fn load(
    state: &AppState,
    f: &Frame,
    headers: &HeaderMap,
    reference: &str,
    token: Option<&str>,
) -> Result<(AppointmentView, Arc<SiteContext>), PageError> {
    let read = async {
        let who = me::citizen(state, headers).await;
        let access = Access {
            who: who.as_ref().map(|(_, p)| p),
            token: opaque(token),
        };
        let view = appointments::get(&state.app, reference, access).await?;
        let context = SiteContext::load(&state.app, &view.site).await?;
        AppResult::Ok((view, context))
    };
    read.await.map_err(|e| PageError::new(f, e))
}

fn shown(
    state: &AppState,
    lang: Lang,
    view: &AppointmentView,
    context: &SiteContext,
    token: Option<&str>,
) -> Shown {
    let token = opaque(token).unwrap_or_default().to_owned();
    let service = context.service(&view.service);
    let ahead = view
        .start
        .parse::<jiff::Timestamp>()
        .is_ok_and(|start| start > state.app.clock.now());
    Shown {
        reference: view.reference.clone(),
        when: dates::when(lang, &view.start),
        site_name: name_in(lang, &context.row.name, context.row.name_ar.as_deref()),
        service_name: service
            .map(|s| name_in(lang, &s.name, s.name_ar.as_deref()))
            .unwrap_or_default(),
        mode: mode_label(lang, &view.mode),
        persons: view.persons,
        status: lang.tr().s(me::appointment_status(&view.status)),
        video_url: view.video_url.clone(),
        open: view.status == "booked" && ahead,
        cancelled: view.status == "cancelled",
        query: format!("?token={token}"),
        token,
    }
}

#[derive(Debug, Default, Deserialize)]
struct ManageQuery {
    token: Option<String>,
    done: Option<String>,
    month: Option<String>,
    day: Option<String>,
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
    f: Frame,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Query(query): Query<ManageQuery>,
) -> Result<Response, PageError> {
    let token = query.token.as_deref();
    let (view, context) = load(&state, &f, &headers, &reference, token).await?;
    let notice = match query.done.as_deref() {
        Some("cancelled") => Some(f.tr.s("portal.manage.cancelled")),
        Some("moved") => Some(f.tr.s("portal.manage.moved")),
        _ => None,
    };
    let a = shown(&state, f.lang, &view, &context, token);
    Ok(render(&ManagePage {
        f,
        a,
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

async fn cancel_page(
    State(state): State<AppState>,
    f: Frame,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let token = query.token.as_deref();
    let (view, context) = load(&state, &f, &headers, &reference, token).await?;
    let a = shown(&state, f.lang, &view, &context, token);
    Ok(render(&CancelPage { f, a, error: None }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionForm {
    token: String,
    start: Option<String>,
    day: String,
}

/// Where a holder lands after a change: the appointment, with a notice.
fn back_to(reference: &str, token: &str, done: &str) -> Response {
    Redirect::to(&format!(
        "/appointments/{reference}?token={token}&done={done}"
    ))
    .into_response()
}

async fn cancel(
    State(state): State<AppState>,
    f: Frame,
    headers: HeaderMap,
    Path(reference): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    let token = Some(form.token.as_str());
    let (view, context) = load(&state, &f, &headers, &reference, token).await?;
    let who = me::citizen(&state, &headers).await;
    let access = Access {
        who: who.as_ref().map(|(_, p)| p),
        token: opaque(token),
    };
    match appointments::cancel(&state.app, &view.reference, access).await {
        Ok(_) => Ok(back_to(
            &view.reference,
            opaque(token).unwrap_or_default(),
            "cancelled",
        )),
        Err(e) => {
            let (status, text) = errors::explain(f.tr, &e);
            let a = shown(&state, f.lang, &view, &context, token);
            let mut response = render(&CancelPage {
                f,
                a,
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
    times: Vec<calendar::Time>,
    day: String,
    /// The time ticked before an error, ticked again.
    chosen_start: String,
    error: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn move_view(
    state: &AppState,
    f: Frame,
    view: &AppointmentView,
    context: &SiteContext,
    token: Option<&str>,
    month: Option<&str>,
    day: Option<&str>,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageError> {
    let a = shown(state, f.lang, view, context, token);
    let ask = calendar::Ask {
        site: &view.site,
        service: &view.service,
        mode: &view.mode,
        month,
        day: day.filter(|d| !d.is_empty()),
        base: format!("/appointments/{}/reschedule?token={}", a.reference, a.token),
    };
    let (cal, times) = calendar::build(&state.app, f.lang, ask)
        .await
        .map_err(|e| PageError::new(&f, e))?;
    let status = error.as_ref().map_or(StatusCode::OK, |(s, _)| *s);
    let mut response = render(&MovePage {
        a,
        cal,
        times,
        day: day.unwrap_or_default().to_owned(),
        chosen_start: String::new(),
        error: error.map(|(_, t)| t),
        f,
    });
    *response.status_mut() = status;
    Ok(response)
}

async fn move_page(
    State(state): State<AppState>,
    f: Frame,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Query(query): Query<ManageQuery>,
) -> Result<Response, PageError> {
    let token = query.token.as_deref();
    let (view, context) = load(&state, &f, &headers, &reference, token).await?;
    let (month, day) = (query.month.as_deref(), query.day.as_deref());
    move_view(&state, f, &view, &context, token, month, day, None).await
}

async fn reschedule(
    State(state): State<AppState>,
    f: Frame,
    headers: HeaderMap,
    Path(reference): Path<String>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
    let token = Some(form.token.as_str());
    let (view, context) = load(&state, &f, &headers, &reference, token).await?;
    let day = Some(form.day.as_str());
    let Some(start) = form.start.clone().filter(|s| !s.is_empty()) else {
        let error = (
            StatusCode::UNPROCESSABLE_ENTITY,
            f.tr.s("portal.error.no_time").to_owned(),
        );
        return move_view(&state, f, &view, &context, token, None, day, Some(error)).await;
    };
    let who = me::citizen(&state, &headers).await;
    let access = Access {
        who: who.as_ref().map(|(_, p)| p),
        token: opaque(token),
    };
    match appointments::reschedule(&state.app, &view.reference, access, Reschedule { start }).await
    {
        Ok(_) => Ok(back_to(
            &view.reference,
            opaque(token).unwrap_or_default(),
            "moved",
        )),
        Err(e) => {
            let error = errors::explain(f.tr, &e);
            move_view(&state, f, &view, &context, token, None, day, Some(error)).await
        }
    }
}
