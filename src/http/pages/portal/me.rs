//! "My space" `/me`: a citizen logs in with their phone and a code sent by
//! SMS (`/me/login`), then sees their appointments and document requests;
//! the session is the same token the JSON API takes, in an HttpOnly cookie.

use super::booking::{dates, errors, mode_label, name_in, phone_input, service_name_in};
use crate::app::auth::{self, Principal};
use crate::app::citizens::{self, CitizenLogin};
use crate::app::otp;
use crate::app::sites::SiteContext;
use crate::domain::phone::Phone;
use crate::http::AppState;
use crate::http::auth::SESSION_COOKIE;
use crate::http::client_ip::ClientIp;
use crate::http::pages::cookies;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

/// How long the session cookie lives: the session's own length.
const SESSION_SECONDS: u64 = 24 * 60 * 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(page))
        .route("/me/login", get(login_page).post(login))
        .route("/me/logout", post(logout))
}

/// The logged-in citizen of this browser (token and who), if any; a stale
/// or foreign cookie is simply no one.
pub async fn citizen(state: &AppState, headers: &HeaderMap) -> Option<(String, Principal)> {
    let token = cookies::read(headers, SESSION_COOKIE)?;
    let who = auth::authenticate(&state.app, token).await.ok()?;
    matches!(who, Principal::Citizen { .. }).then(|| (token.to_owned(), who))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginForm {
    phone: String,
    otp: String,
    action: String,
}

#[derive(Template)]
#[template(path = "portal_me_login.html")]
struct LoginPage {
    f: Frame,
    phone: String,
    /// Whether a code was sent: the page then asks for it.
    code_sent: bool,
    error: Option<String>,
}

async fn login_page(f: Frame) -> Response {
    render(&LoginPage {
        f,
        phone: String::new(),
        code_sent: false,
        error: None,
    })
}

async fn login(
    State(state): State<AppState>,
    f: Frame,
    ClientIp(client): ClientIp,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Response {
    let app = &state.app;
    let phone = phone_input(&form.phone);
    let answer = |f: Frame, code_sent: bool, error: Option<(StatusCode, String)>| {
        let status = error.as_ref().map_or(StatusCode::OK, |(s, _)| *s);
        let mut response = render(&LoginPage {
            f,
            phone: form.phone.clone(),
            code_sent,
            error: error.map(|(_, text)| text),
        });
        *response.status_mut() = status;
        response
    };
    if form.action == "code" || form.otp.trim().is_empty() {
        let sent = match Phone::parse(&phone) {
            Ok(phone) => otp::send(app, &phone, f.lang.code(), &client).await,
            Err(invalid) => Err(invalid.into()),
        };
        return match sent {
            Ok(()) => answer(f, true, None),
            Err(e) => {
                let error = errors::explain(f.tr, &e);
                answer(f, form.action == "code", Some(error))
            }
        };
    }
    let input = CitizenLogin {
        phone,
        otp: form.otp.trim().to_owned(),
    };
    match citizens::login(app, input, &client).await {
        Ok(session) => {
            let cookie = cookies::set(app, SESSION_COOKIE, &session.token, Some(SESSION_SECONDS));
            let mut response = Redirect::to("/me").into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(e) => {
            let error = errors::explain(f.tr, &e);
            answer(f, true, Some(error))
        }
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm<LoginForm>,
) -> Response {
    if let Some((token, _)) = citizen(&state, &headers).await {
        // Already gone is as good as revoked: the cookie goes either way.
        let _ = auth::logout(&state.app, &token).await;
    }
    let mut response = Redirect::to("/").into_response();
    let cleared = cookies::set(&state.app, SESSION_COOKIE, "", Some(0));
    response.headers_mut().append(header::SET_COOKIE, cleared);
    response
}

/// An appointment as the history lists it.
struct Booked {
    reference: String,
    when: String,
    what: String,
    mode: &'static str,
    status: &'static str,
}

/// A document request as the history lists it.
struct Requested {
    reference: String,
    what: String,
    filed: String,
    ready_on: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "portal_me.html")]
struct MePage {
    f: Frame,
    phone: String,
    appointments: Vec<Booked>,
    requests: Vec<Requested>,
}

async fn page(
    State(state): State<AppState>,
    f: Frame,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some((_, who)) = citizen(&state, &headers).await else {
        return Ok(Redirect::to("/me/login").into_response());
    };
    let app = &state.app;
    let fail = |e| PageError::new(&f, e);
    let mut appointments = Vec::new();
    for a in citizens::my_appointments(app, &who).await.map_err(fail)? {
        let context = SiteContext::load(app, &a.site).await.map_err(fail)?;
        appointments.push(Booked {
            what: what(&f, &context, &a.service),
            when: dates::when(f.lang, &a.start),
            mode: mode_label(f.lang, &a.mode),
            status: f.tr.s(appointment_status(&a.status)),
            reference: a.reference,
        });
    }
    let mut requests = Vec::new();
    for r in citizens::my_requests(app, &who).await.map_err(fail)? {
        let context = SiteContext::load(app, &r.site).await.map_err(fail)?;
        let day = |text: &str| {
            crate::domain::time::parse_date("day", text.get(..10).unwrap_or(text))
                .map(|d| dates::long_day(f.lang, d))
                .unwrap_or_else(|_| text.to_owned())
        };
        requests.push(Requested {
            what: what(&f, &context, &r.service),
            filed: day(&r.created_at),
            ready_on: day(&r.expected_ready_on),
            status: f.tr.s(request_status(&r.status)),
            reference: r.reference,
        });
    }
    let phone = match &who {
        Principal::Citizen { phone } => phone.clone(),
        _ => String::new(),
    };
    Ok(render(&MePage {
        f,
        phone,
        appointments,
        requests,
    }))
}

/// "Passeport — Annexe Agdal"; on an English page, a service without an
/// English name is named in French, marked "(FR)".
fn what(f: &Frame, context: &SiteContext, service: &str) -> String {
    let site = name_in(f.lang, &context.row.name, context.row.name_ar.as_deref());
    let Some(s) = context.service(service) else {
        return site;
    };
    let (name, fallback) =
        service_name_in(f.lang, &s.name, s.name_ar.as_deref(), s.name_en.as_deref());
    match fallback {
        Some(lang) => format!("{name} ({}) — {site}", lang.to_uppercase()),
        None => format!("{name} — {site}"),
    }
}

pub fn appointment_status(status: &str) -> &'static str {
    match status {
        "booked" => "portal.status.booked",
        "checked_in" => "portal.status.checked_in",
        "done" => "portal.status.done",
        "no_show" => "portal.status.no_show",
        _ => "portal.status.cancelled",
    }
}

fn request_status(status: &str) -> &'static str {
    match status {
        "submitted" => "portal.request.submitted",
        "processing" => "portal.request.processing",
        "ready" => "portal.request.ready",
        "delivered" => "portal.request.delivered",
        _ => "portal.request.rejected",
    }
}
