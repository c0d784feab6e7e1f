//! The audit log at the edge: a middleware around every route that
//! records each state-changing request (any method but GET, HEAD and
//! OPTIONS) made with a staff or device token, JSON API and pages alike,
//! with its answer's status; and `GET /api/v1/audit` to read the log.
//!
//! A creation's target is what it created (a [`CreatedTarget`] in its
//! response, `http::created`), after the ids of its path.
//!
//! The login handlers put a [`LoginAttempt`] in their response, so logins
//! are recorded under the name tried (the writer keeps it only if it is an
//! account). What is recorded from a request is its method, route template,
//! path parameters (never one holding a token), client address and
//! status: never a body or a query string, so no citizen's personal data.
//!
//! The middleware authenticates the caller once and leaves the principal
//! in the request's extensions, where `Caller` and `MaybeCaller` take it
//! instead of reading the token again.

use super::AppState;
use super::auth::{Authenticated, Caller, token_of};
use super::created::CreatedTarget;
use super::error::{ApiJson, ApiQuery};
use crate::app::audit::{self, Actor, AuditPage, AuditQuery, Entry, Owner};
use crate::app::auth::{self, Principal};
use crate::app::{App, AppResult, error::ErrorBody};
use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::net::SocketAddr;
use std::sync::Arc;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// Put in a login's response by its handler: the name that was tried.
#[derive(Debug, Clone)]
pub struct LoginAttempt(pub String);

/// Routes whose path names something with a site, the parameter that
/// names it, and where to look the site up.
const OWNERS: &[(&str, &str, Owner)] = &[
    ("/counters/{counter}", "counter", Owner::Counter),
    ("/tickets/{id}", "id", Owner::Ticket),
    ("/appointments/{reference}", "reference", Owner::Appointment),
    ("/requests/{reference}", "reference", Owner::Request),
    ("/complaints/{reference}", "reference", Owner::Complaint),
    ("/devices/{id}", "id", Owner::Device),
    ("/outbox/{id}", "id", Owner::Message),
];

/// Records state-changing requests of staff and devices.
pub async fn record(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let Some(route) = request.extensions().get::<MatchedPath>().cloned() else {
        return next.run(request).await;
    };
    let at = app.clock.now_ms();
    let method = request.method().as_str().to_owned();
    let client_ip =
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| {
                super::client_ip::client(peer.ip(), request.headers(), &app.guards.trusted_proxies)
                    .to_string()
            });
    let (mut parts, body) = request.into_parts();
    let params: Vec<(String, String)> = RawPathParams::from_request_parts(&mut parts, &app)
        .await
        .map(|p| {
            p.iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect()
        })
        .unwrap_or_default();
    let mut principal = None;
    if let Some(token) = token_of(&parts)
        && let Ok(who) = auth::authenticate(&app, &token).await
    {
        parts.extensions.insert(Authenticated {
            token,
            who: who.clone(),
        });
        principal = Some(who).filter(|who| !matches!(who, Principal::Citizen { .. }));
    }
    let response = next.run(Request::from_parts(parts, body)).await;
    let actor = match (response.extensions().get::<LoginAttempt>(), principal) {
        (Some(LoginAttempt(name)), _) => Actor::Login(name.clone()),
        (None, Some(who)) => Actor::Principal(who),
        (None, None) => return response,
    };
    let route = route.as_str();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    // The path's ids, then what the request created (`super::created`).
    let created = response.extensions().get::<CreatedTarget>();
    let target = params
        .iter()
        .filter(|(k, _)| k != "site" && !k.contains("token"))
        .map(|(k, v)| format!("{k}:{v}"))
        .chain(created.map(|CreatedTarget(name)| name.clone()))
        .collect::<Vec<_>>()
        .join(" ");
    let owner = OWNERS
        .iter()
        .find(|(needle, _, _)| route.contains(needle))
        .and_then(|(_, name, owner)| Some((*owner, param(name)?)));
    let site = param("site");
    let target = match (target.is_empty(), &site) {
        (false, _) => Some(target),
        (true, Some(site)) => Some(format!("site:{site}")),
        (true, None) => None,
    };
    app.audit.record(Entry {
        at,
        actor,
        site,
        action: match response.extensions().get::<LoginAttempt>() {
            Some(_) => "login".to_owned(),
            None => format!("{method} {route}"),
        },
        target,
        owner,
        client_ip,
        status: response.status().as_u16(),
    });
    response
}

/// The audit log, newest first, a page of 50 at a time.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = AuditPage),
        (status = 403, description = "not an admin, or a supervisor asking for another site", body = ErrorBody),
        (status = 422, description = "a bound that is neither a day nor an instant", body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> AppResult<ApiJson<AuditPage>> {
    Ok(ApiJson(audit::list(&state.app, &who, &query).await?))
}
