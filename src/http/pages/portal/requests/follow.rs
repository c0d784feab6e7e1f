//! A request's own pages: the confirmation right after it is filed
//! (`/requests/{ref}/filed?token=…`) and its status (`/requests/{ref}`),
//! for the holder of its token or the citizen logged in with its phone.
//! Anyone else, a wrong token included, gets the 404 page.

use super::super::citizen::long_date;
use super::super::follow::{Asked, Record, Shown};
use crate::app::AppResult;
use crate::app::requests::{self, RequestView};
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;

/// What a request's pages add to any record's.
struct More {
    expected: String,
    reason: Option<String>,
}

#[derive(Template)]
#[template(path = "portal_request_status.html")]
struct StatusPage {
    f: Frame,
    r: Shown<More>,
}

#[derive(Template)]
#[template(path = "portal_request_filed.html")]
struct FiledPage {
    f: Frame,
    r: Shown<More>,
}

/// Reads the request for this caller and puts it in words.
async fn load(state: &AppState, f: &Frame, asked: &Asked) -> AppResult<Shown<More>> {
    let app = &state.app;
    let view: RequestView = requests::get(app, &asked.reference, asked.access()).await?;
    let more = More {
        expected: long_date(f.lang, &view.expected_ready_on),
        reason: view.reason.clone(),
    };
    let record = Record {
        family: "request",
        base: "/requests",
        site: &view.site,
        service: Some(&view.service),
        reference: &view.reference,
        status: &view.status,
        history: (view.history.iter())
            .map(|s| (s.status.as_str(), s.at.as_str(), s.reason.as_deref()))
            .collect(),
    };
    Shown::of(app, f, asked, record, more).await
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
