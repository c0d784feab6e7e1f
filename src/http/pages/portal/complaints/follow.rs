//! A complaint's own pages: the confirmation right after it is filed and
//! its status with the answer, for the holder of its token or the citizen
//! logged in with its phone. The SMS that says it was answered links here
//! without the token: someone neither holding it nor logged in is asked to
//! do one or the other (at 404, told nothing of the complaint).

use super::super::citizen::{clean_code, date_time, long_date};
use super::super::follow::{Asked, Step, Words, place};
use crate::app::AppError;
use crate::app::complaints::{self, ComplaintView};
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

struct Shown {
    reference: String,
    status: String,
    /// `received`, `in_progress`, `answered` or `closed`.
    state: String,
    office: String,
    service: Option<String>,
    subject: String,
    due: String,
    overdue: bool,
    answer: Option<String>,
    answered_at: Option<String>,
    history: Vec<Step>,
    link: String,
    full_link: String,
}

#[derive(Template)]
#[template(path = "portal_complaint_status.html")]
struct StatusPage {
    f: Frame,
    c: Shown,
}

#[derive(Template)]
#[template(path = "portal_complaint_filed.html")]
struct FiledPage {
    f: Frame,
    c: Shown,
}

#[derive(Template)]
#[template(path = "portal_complaint_locked.html")]
struct LockedPage {
    f: Frame,
    reference: String,
}

async fn load(state: &AppState, f: &Frame, asked: &Asked) -> Result<Shown, AppError> {
    let app = &state.app;
    let view: ComplaintView = complaints::get(app, &asked.reference, asked.access()).await?;
    let lang = f.lang;
    let (office, service) = place(app, lang, &view.site, view.service.as_deref()).await?;
    let (tr, family) = (f.tr, "complaint");
    let words = Words { tr, lang, family };
    let (full_link, link) = asked.links(app, "/complaints", &view.reference);
    Ok(Shown {
        status: words.status(&view.status),
        office,
        service,
        due: long_date(lang, &view.answer_due_on),
        overdue: view.overdue,
        answered_at: view.answered_at.as_deref().map(|at| date_time(lang, at)),
        history: view
            .history
            .iter()
            .map(|s| words.step(&s.status, &s.at, None))
            .collect(),
        full_link,
        link,
        answer: view.answer,
        subject: view.subject,
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
    let c = load(&state, &f, &asked)
        .await
        .map_err(|e| PageError::new(&f, e))?;
    Ok(render(&FiledPage { f, c }))
}
