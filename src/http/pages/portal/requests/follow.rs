//! A request's own pages: the confirmation right after it is filed
//! (`/requests/{ref}/filed?token=…`) and its status (`/requests/{ref}`),
//! for the holder of its token or the citizen logged in with its phone.
//! Anyone else, a wrong token included, gets the 404 page.

use super::super::citizen::{self, date_time, local_name, long_date};
use crate::app::appointments::Access;
use crate::app::requests::{self, RequestView};
use crate::app::{AppError, sites};
use crate::http::AppState;
use crate::http::auth::MaybeCaller;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// One step of the history, in words.
struct Step {
    status: String,
    at: String,
    reason: Option<String>,
}

/// What both pages show of a request.
struct Shown {
    reference: String,
    status: String,
    /// `submitted`, `processing`, `ready`, `delivered` or `rejected`.
    state: String,
    office: String,
    service: String,
    expected: String,
    reason: Option<String>,
    history: Vec<Step>,
    /// The private link, to keep (relative, and in full to copy).
    link: String,
    full_link: String,
}

#[derive(Template)]
#[template(path = "portal_request_status.html")]
struct StatusPage {
    f: Frame,
    r: Shown,
}

#[derive(Template)]
#[template(path = "portal_request_filed.html")]
struct FiledPage {
    f: Frame,
    r: Shown,
}

/// Reads the request for this caller and puts it in words.
async fn load(
    state: &AppState,
    f: &Frame,
    who: Result<MaybeCaller, AppError>,
    reference: &str,
    token: Option<&str>,
) -> Result<Shown, PageError> {
    // A stale session cookie is no reason to refuse the token's holder.
    let who = who.ok().and_then(|m| m.0);
    let token = token.and_then(|t| citizen::clean_code(t, 200));
    let access = Access {
        who: who.as_ref(),
        token: token.as_deref(),
    };
    let app = &state.app;
    let view: RequestView = requests::get(app, reference, access)
        .await
        .map_err(|e| PageError::new(f, e))?;
    let site = sites::get(app, &view.site)
        .await
        .map_err(|e| PageError::new(f, e))?;
    let (lang, tr) = (f.lang, f.tr);
    let service = site
        .services
        .iter()
        .find(|s| s.id == view.service)
        .map_or(view.service.clone(), |s| {
            local_name(lang, &s.name, s.name_ar.as_deref())
        });
    let word = |status: &str| tr.s(&format!("portal.request.status.{status}")).to_owned();
    let link = match &token {
        Some(token) => format!("/requests/{}?token={token}", view.reference),
        None => format!("/requests/{}", view.reference),
    };
    Ok(Shown {
        status: word(&view.status),
        office: local_name(lang, &site.name, site.name_ar.as_deref()),
        service,
        expected: long_date(lang, &view.expected_ready_on),
        reason: view.reason.clone(),
        history: view
            .history
            .iter()
            .map(|s| Step {
                status: word(&s.status),
                at: date_time(lang, &s.at),
                reason: s.reason.clone(),
            })
            .collect(),
        full_link: format!("{}{link}", app.public_url),
        link,
        state: view.status,
        reference: view.reference,
    })
}

pub async fn status(
    State(state): State<AppState>,
    f: Frame,
    who: Result<MaybeCaller, AppError>,
    Path(reference): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let r = load(&state, &f, who, &reference, query.token.as_deref()).await?;
    Ok(render(&StatusPage { f, r }))
}

pub async fn filed(
    State(state): State<AppState>,
    f: Frame,
    who: Result<MaybeCaller, AppError>,
    Path(reference): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let r = load(&state, &f, who, &reference, query.token.as_deref()).await?;
    Ok(render(&FiledPage { f, r }))
}
