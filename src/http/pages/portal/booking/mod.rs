//! Booking `/book/{site}/{service}` (also opened from SMS links with
//! `?day=YYYY-MM-DD`): the mode, a month of free days, the day's times
//! grouped by part of the day, then (`&start=…`) the chosen time as a
//! summary with "change" above the citizen's details; on offices that
//! verify phones a first submit sends the code and the same fields come
//! back with a code box. Every step is a link or a POST-redirect-GET form:
//! no JavaScript.

pub mod calendar;
mod confirm;
pub mod dates;
pub mod errors;
mod fields;
pub mod ics;
pub mod qr;

pub use confirm::TokenQuery;
pub use fields::{manage_url, mode_label, name_in, opaque, phone_input, service_name_in};

use crate::app::appointments::{self, NewAppointment};
use crate::app::sites::SiteContext;
use crate::app::{AppError, otp};
use crate::domain::phone::Phone;
use crate::http::AppState;
use crate::http::client_ip::ClientIp;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/book/{site}/{service}", get(page).post(submit))
        .route(
            "/appointments/{reference}/confirmation",
            get(confirm::confirmation),
        )
}

#[derive(Debug, Default, Deserialize)]
pub struct BookQuery {
    pub mode: Option<String>,
    pub month: Option<String>,
    pub day: Option<String>,
    pub start: Option<String>,
}

/// The fields of the booking form, as sent (and sent back on an error).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct BookForm {
    pub mode: String,
    pub day: String,
    pub start: Option<String>,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub persons: String,
    pub otp: String,
    /// `code` asks for a (new) code; anything else books.
    pub action: String,
}

struct ModeLink {
    label: &'static str,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "portal_book.html")]
struct BookPage {
    f: Frame,
    site: String,
    site_name: String,
    service: String,
    service_name: String,
    /// `fr` when an English page shows the French name.
    service_lang: Option<&'static str>,
    modes: Vec<ModeLink>,
    mode: String,
    cal: calendar::Month,
    times: calendar::Times,
    form: BookForm,
    error: Option<String>,
    verify_phone: bool,
}

#[derive(Template)]
#[template(path = "portal_book_code.html")]
struct CodePage {
    f: Frame,
    site: String,
    service: String,
    service_name: String,
    when: String,
    form: BookForm,
    error: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    frame: Frame,
    Path((site, service)): Path<(String, String)>,
    Query(query): Query<BookQuery>,
) -> Result<Response, PageError> {
    let form = BookForm {
        mode: query.mode.clone().unwrap_or_default(),
        day: query.day.clone().unwrap_or_default(),
        start: query.start.clone(),
        persons: "1".to_owned(),
        ..BookForm::default()
    };
    book_page(
        &state,
        frame,
        &site,
        &service,
        query.month.as_deref(),
        form,
        None,
    )
    .await
}

/// The booking page, with what was typed and an error if there was one.
async fn book_page(
    state: &AppState,
    f: Frame,
    site: &str,
    service: &str,
    month: Option<&str>,
    mut form: BookForm,
    error: Option<(axum::http::StatusCode, String)>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let context = SiteContext::load(app, site).await.or_page(&f)?;
    let row = context
        .service(service)
        .filter(|s| s.appointment_modes != "[]")
        .ok_or_else(|| PageError::new(&f, AppError::NotFound("service")))?;
    let offered: Vec<String> = serde_json::from_str(&row.appointment_modes).unwrap_or_default();
    if !offered.contains(&form.mode) {
        form.mode = offered
            .first()
            .cloned()
            .unwrap_or_else(|| "in_person".into());
    }
    let base = format!("/book/{site}/{service}?mode={}", form.mode);
    let modes = match offered.len() {
        0 | 1 => Vec::new(),
        _ => offered
            .iter()
            .map(|m| ModeLink {
                label: mode_label(f.lang, m),
                href: format!("/book/{site}/{service}?mode={m}"),
                current: *m == form.mode,
            })
            .collect(),
    };
    let ask = calendar::Ask {
        site,
        service,
        mode: &form.mode,
        month,
        day: Some(form.day.as_str()).filter(|d| !d.is_empty()),
        start: form.start.as_deref(),
        base,
        fresh: error.is_some(),
    };
    let (cal, times) = calendar::build(app, f.lang, ask).await.or_page(&f)?;
    let (status, error) = match error {
        Some((status, text)) => (Some(status), Some(text)),
        None => (None, None),
    };
    let (service_name, service_lang) = service_name_in(
        f.lang,
        &row.name,
        row.name_ar.as_deref(),
        row.name_en.as_deref(),
    );
    let page = BookPage {
        site_name: name_in(f.lang, &context.row.name, context.row.name_ar.as_deref()),
        service_name,
        service_lang,
        site: site.to_owned(),
        service: service.to_owned(),
        modes,
        mode: form.mode.clone(),
        cal,
        times,
        form,
        error,
        verify_phone: context.row.verify_phone,
        f,
    };
    let mut response = render(&page);
    if let Some(status) = status {
        *response.status_mut() = status;
    }
    Ok(response)
}

async fn submit(
    State(state): State<AppState>,
    f: Frame,
    ClientIp(client): ClientIp,
    Path((site, service)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<BookForm>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let context = SiteContext::load(app, &site).await.or_page(&f)?;
    let Some(start) = form.start.clone().filter(|s| !s.is_empty()) else {
        let error = (
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            f.tr.s("portal.error.no_time").to_owned(),
        );
        return book_page(&state, f, &site, &service, None, form, Some(error)).await;
    };
    let phone = phone_input(&form.phone);
    let code_again = |f, form, error| code_page(&context, f, &site, &service, &start, form, error);
    let wants_code = form.action == "code" || form.otp.trim().is_empty();
    if context.row.verify_phone && wants_code {
        let sent = match Phone::parse(&phone) {
            Ok(phone) => otp::send(app, &phone, f.lang.code(), &client).await,
            Err(invalid) => Err(invalid.into()),
        };
        return match sent {
            Ok(()) => Ok(code_again(f, form, None)),
            Err(e) if form.action == "code" => {
                let error = errors::explain(f.tr, &e);
                Ok(code_again(f, form, Some(error)))
            }
            Err(e) => {
                let error = errors::explain(f.tr, &e);
                book_page(&state, f, &site, &service, None, form, Some(error)).await
            }
        };
    }
    let booking = NewAppointment {
        service: service.clone(),
        mode: Some(form.mode.clone()),
        start: start.clone(),
        name: form.name.clone(),
        phone,
        email: Some(form.email.trim().to_owned()).filter(|e| !e.is_empty()),
        persons: Some(form.persons.trim().parse().unwrap_or(1)),
        otp: context.row.verify_phone.then(|| form.otp.trim().to_owned()),
        lang: Some(f.lang.code().to_owned()),
    };
    let booked = appointments::book(app, &client, &site, booking).await;
    match booked {
        Ok(view) => {
            let token = view.manage_token.unwrap_or_default();
            let to = format!(
                "/appointments/{}/confirmation?token={token}",
                view.reference
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(AppError::Invalid(invalid)) if invalid.field == "otp" => {
            let error = errors::explain(f.tr, &AppError::Invalid(invalid));
            Ok(code_again(f, form, Some(error)))
        }
        Err(e) => {
            let error = errors::explain(f.tr, &e);
            let mut form = form;
            if matches!(e, AppError::Conflict { .. }) {
                form.start = None;
            }
            book_page(&state, f, &site, &service, None, form, Some(error)).await
        }
    }
}

fn code_page(
    context: &SiteContext,
    f: Frame,
    site: &str,
    service: &str,
    start: &str,
    mut form: BookForm,
    error: Option<(axum::http::StatusCode, String)>,
) -> Response {
    let service_name = context
        .service(service)
        .map(|s| name_in(f.lang, &s.name, s.name_ar.as_deref()))
        .unwrap_or_default();
    form.start = Some(start.to_owned());
    form.otp.clear();
    let status = error.as_ref().map(|(s, _)| *s);
    let page = CodePage {
        when: dates::when(f.lang, start),
        site: site.to_owned(),
        service: service.to_owned(),
        service_name,
        form,
        error: error.map(|(_, text)| text),
        f,
    };
    let mut response = render(&page);
    if let Some(status) = status {
        *response.status_mut() = status;
    }
    response
}
