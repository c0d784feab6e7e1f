//! A complaint's own pages: the confirmation right after it is filed and
//! its status with the answer, for the holder of its token or the citizen
//! logged in with its phone. The SMS that says it was answered links here
//! without the token: someone neither holding it nor logged in is asked to
//! do one or the other (at 404, told nothing of the complaint).

use super::super::citizen::{self, date_time, local_name, long_date};
use crate::app::appointments::Access;
use crate::app::complaints::{self, ComplaintView};
use crate::app::{AppError, sites};
use crate::http::AppState;
use crate::http::auth::MaybeCaller;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

struct Step {
    status: String,
    at: String,
}

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

async fn load(
    state: &AppState,
    f: &Frame,
    who: Option<MaybeCaller>,
    reference: &str,
    token: Option<&str>,
) -> Result<Shown, AppError> {
    let who = who.and_then(|m| m.0);
    let access = Access {
        who: who.as_ref(),
        token,
    };
    let app = &state.app;
    let view: ComplaintView = complaints::get(app, reference, access).await?;
    let site = sites::get(app, &view.site).await?;
    let (lang, tr) = (f.lang, f.tr);
    let service = view.service.as_ref().map(|id| {
        site.services
            .iter()
            .find(|s| &s.id == id)
            .map_or(id.clone(), |s| {
                local_name(lang, &s.name, s.name_ar.as_deref())
            })
    });
    let word = |status: &str| {
        tr.s(&format!("portal.complaint.status.{status}"))
            .to_owned()
    };
    let link = match token {
        Some(token) => format!("/complaints/{}?token={token}", view.reference),
        None => format!("/complaints/{}", view.reference),
    };
    Ok(Shown {
        status: word(&view.status),
        office: local_name(lang, &site.name, site.name_ar.as_deref()),
        service,
        due: long_date(lang, &view.answer_due_on),
        overdue: view.overdue,
        answered_at: view.answered_at.as_deref().map(|at| date_time(lang, at)),
        history: view
            .history
            .iter()
            .map(|s| Step {
                status: word(&s.status),
                at: date_time(lang, &s.at),
            })
            .collect(),
        full_link: format!("{}{link}", app.public_url),
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
    who: Result<MaybeCaller, AppError>,
    Path(reference): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let token = query
        .token
        .as_deref()
        .and_then(|t| citizen::clean_code(t, 200));
    match load(&state, &f, who.ok(), &reference, token.as_deref()).await {
        Ok(c) => Ok(render(&StatusPage { f, c })),
        Err(AppError::NotFound(_)) if token.is_none() => {
            let reference = citizen::clean_code(&reference, 40).unwrap_or_default();
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
    who: Result<MaybeCaller, AppError>,
    Path(reference): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let token = query
        .token
        .as_deref()
        .and_then(|t| citizen::clean_code(t, 200));
    let c = load(&state, &f, who.ok(), &reference, token.as_deref())
        .await
        .map_err(|e| PageError::new(&f, e))?;
    Ok(render(&FiledPage { f, c }))
}
