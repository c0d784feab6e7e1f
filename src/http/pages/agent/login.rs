//! Logging in and out of the console: a form whose session token becomes
//! the `guichet_session` cookie for a working day. Wrong passwords are
//! told in place and rate limited by `app::auth::login`.

use super::Agent;
use crate::app::{AppError, auth};
use crate::http::AppState;
use crate::http::auth::SESSION_COOKIE;
use crate::http::client_ip::ClientIp;
use crate::http::pages::cookies;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, render};
use crate::http::pages::redirect;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

/// How long the session cookie lasts: the session's own lifetime.
const SESSION_SECONDS: u64 = auth::SESSION_HOURS as u64 * 3600;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/login", get(form).post(submit))
        .route("/agent/logout", post(logout))
}

#[derive(Template)]
#[template(path = "agent_login.html")]
struct LoginPage {
    f: Frame,
    username: String,
    error: Option<String>,
    /// Where to go once logged in (an admin page that asked for a login).
    next: String,
}

#[derive(Deserialize)]
struct Credentials {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Deserialize)]
struct Next {
    #[serde(default)]
    next: String,
}

/// `next` when it is a page of this service, else the console: a login
/// link must not send anyone to another site.
fn destination(next: &str) -> &str {
    redirect::local_target(next).unwrap_or("/agent")
}

/// Nothing but the CSRF field.
#[derive(Deserialize)]
struct Empty {}

async fn form(frame: Frame, Query(next): Query<Next>) -> Response {
    render(&LoginPage {
        f: frame.for_office(),
        username: String::new(),
        error: None,
        next: destination(&next.next).to_owned(),
    })
}

async fn submit(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    frame: Frame,
    CsrfForm(input): CsrfForm<Credentials>,
) -> Response {
    let frame = frame.for_office();
    let username = input.username.trim().to_owned();
    let attempt = crate::http::audit::LoginAttempt(username.clone());
    let mut response = match auth::login(&state.app, &username, &input.password, &client).await {
        Ok(session) => {
            let cookie = cookies::set(
                &state.app,
                SESSION_COOKIE,
                &session.token,
                Some(SESSION_SECONDS),
            );
            // A province account has no console: it lands on its province.
            let to = match destination(&input.next) {
                "/agent" if session.role == crate::domain::role::Role::Province => "/province",
                to => to,
            };
            let mut response = Redirect::to(to).into_response();
            response.headers_mut().append(header::SET_COOKIE, cookie);
            response
        }
        Err(error) => {
            let (status, message) = match &error {
                AppError::RateLimited { retry_after_secs } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    frame.tr.f("agent.login.too_many", retry_after_secs),
                ),
                AppError::Unauthorized(_) => (
                    StatusCode::UNAUTHORIZED,
                    frame.tr.s("agent.login.wrong").to_owned(),
                ),
                AppError::Forbidden(_) => (
                    StatusCode::FORBIDDEN,
                    frame.tr.s("agent.login.disabled").to_owned(),
                ),
                _ => {
                    tracing::error!(?error, "login failed");
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        frame.tr.s("common.unavailable").to_owned(),
                    )
                }
            };
            let mut response = render(&LoginPage {
                f: frame,
                username,
                error: Some(message),
                next: destination(&input.next).to_owned(),
            });
            *response.status_mut() = status;
            if let AppError::RateLimited { retry_after_secs } = error {
                let wait = axum::http::HeaderValue::from(retry_after_secs.max(1));
                response.headers_mut().insert(header::RETRY_AFTER, wait);
            }
            response
        }
    };
    response.extensions_mut().insert(attempt);
    response
}

/// Revokes the session and forgets the cookie.
async fn logout(
    State(state): State<AppState>,
    agent: Result<Agent, Response>,
    headers: axum::http::HeaderMap,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    if agent.is_ok()
        && let Some(token) = cookies::read(&headers, SESSION_COOKIE)
        && let Err(error) = auth::logout(&state.app, token).await
    {
        tracing::warn!(?error, "logout failed");
    }
    let mut response = Redirect::to("/agent/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(&state.app, SESSION_COOKIE, "", Some(0)),
    );
    response
}
