//! A complaint's own pages: the confirmation right after it is filed and
//! its status with the answer, for the holder of its token or the citizen
//! logged in with its phone. The SMS that says it was answered links here
//! without the token: someone neither holding it nor logged in is asked to
//! do one or the other (at 404, told nothing of the complaint).

use super::super::citizen::{clean_code, date_time, long_date};
use super::super::follow::{Asked, Record, Shown};
use crate::app::AppError;
use crate::app::complaints::{self, ComplaintView};
use crate::http::AppState;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

/// What a complaint's pages add to any record's.
struct More {
    subject: String,
    due: String,
    overdue: bool,
    answer: Option<String>,
    answered_at: Option<String>,
}

#[derive(Template)]
#[template(path = "portal_complaint_status.html")]
struct StatusPage {
    f: Frame,
    c: Shown<More>,
}

#[derive(Template)]
#[template(path = "portal_complaint_filed.html")]
struct FiledPage {
    f: Frame,
    c: Shown<More>,
}

#[derive(Template)]
#[template(path = "portal_complaint_locked.html")]
struct LockedPage {
    f: Frame,
    reference: String,
}

async fn load(state: &AppState, f: &Frame, asked: &Asked) -> Result<Shown<More>, AppError> {
    let app = &state.app;
    let view: ComplaintView = complaints::get(app, &asked.reference, asked.access()).await?;
    let lang = f.lang;
    let record = Record {
        family: "complaint",
        base: "/complaints",
        site: &view.site,
        service: view.service.as_deref(),
        reference: &view.reference,
        status: &view.status,
        history: (view.history.iter())
            .map(|s| (s.status.as_str(), s.at.as_str(), None))
            .collect(),
    };
    let more = More {
        subject: view.subject.clone(),
        due: long_date(lang, &view.answer_due_on),
        overdue: view.overdue,
        answer: view.answer.clone(),
        answered_at: view.answered_at.as_deref().map(|at| date_time(lang, at)),
    };
    Shown::of(app, f, asked, record, more).await
}

pub async fn status(
    State(state): State<AppState>,
    f: Frame,
    asked: Asked,
) -> Result<Response, PageError> {
    match load(&state, &f, &asked).await {
        Ok(c) => Ok(render(&StatusPage { f, c })),
        Err(AppError::NotFound(_)) if asked.token.is_none() => {
            let reference = clean_code(&asked.reference, 40).unwrap_or_default();
            let mut response = render(&LockedPage { f, reference });
            *response.status_mut() = StatusCode::NOT_FOUND;
            Ok(response)
        }
        Err(error) => Err(PageError::new(&f, error)),
    }
}

pub async fn filed(
    State(state): State<AppState>,
    f: Frame,
    asked: Asked,
) -> Result<Response, PageError> {
    let c = load(&state, &f, &asked).await.or_page(&f)?;
    Ok(render(&FiledPage { f, c }))
}
