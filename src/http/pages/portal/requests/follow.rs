//! A request's own pages: the confirmation right after it is filed
//! (`/requests/{ref}/filed?token=…`) and its status (`/requests/{ref}`),
//! for the holder of its token or the citizen logged in with its phone.
//! Anyone else, a wrong token included, gets the 404 page.

use super::super::citizen::long_date;
use super::super::follow::{Asked, Step, Words, place};
use crate::app::AppResult;
use crate::app::requests::{self, RequestView};
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;

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
async fn load(state: &AppState, f: &Frame, asked: &Asked) -> AppResult<Shown> {
    let app = &state.app;
    let view: RequestView = requests::get(app, &asked.reference, asked.access()).await?;
    let lang = f.lang;
    let (office, service) = place(app, lang, &view.site, Some(&view.service)).await?;
    let (tr, family) = (f.tr, "request");
    let words = Words { tr, lang, family };
    let (full_link, link) = asked.links(app, "/requests", &view.reference);
    Ok(Shown {
        status: words.status(&view.status),
        office,
        service: service.unwrap_or_default(),
        expected: long_date(lang, &view.expected_ready_on),
        reason: view.reason.clone(),
        history: view
            .history
            .iter()
            .map(|s| words.step(&s.status, &s.at, s.reason.as_deref()))
            .collect(),
        full_link,
        link,
        state: view.status,
        reference: view.reference,
    })
}

pub async fn status(
    State(state): State<AppState>,
    f: Frame,
    asked: Asked,
) -> Result<Response, PageError> {
    match load(&state, &f, &asked).await {
        Ok(r) => Ok(render(&StatusPage { f, r })),
        Err(error) => Err(PageError::new(&f, error)),
    }
}

pub async fn filed(
    State(state): State<AppState>,
    f: Frame,
    asked: Asked,
) -> Result<Response, PageError> {
    match load(&state, &f, &asked).await {
        Ok(r) => Ok(render(&FiledPage { f, r })),
        Err(error) => Err(PageError::new(&f, error)),
    }
}
