//! `/admin/sites/{site}/complaints/{reference}`: one complaint with its
//! text and history, and what a supervisor does with it: give it to
//! someone of the site, answer it (the citizen gets an SMS, as through the
//! API) or close it saying why.

use super::super::{FormError, Nav, Office, Staff};
use super::complaints::{is_open, service_name};
use super::{Flash, short_time};
use crate::app::AppError;
use crate::app::access::Access;
use crate::app::complaints::{self, Answer, Assign, Close, ComplaintView};
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render_at};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sites/{site}/complaints/{reference}", get(page))
        .route(
            "/admin/sites/{site}/complaints/{reference}/{action}",
            post(act),
        )
}

#[derive(Template)]
#[template(path = "admin_ops_complaint.html")]
struct ComplaintPage {
    f: Frame,
    nav: Nav,
    site: String,
    c: ComplaintView,
    service: String,
    /// Who the complaint may be given to.
    assignees: Vec<String>,
    /// The form that was refused (`assign`, `answer`, `close`), with what
    /// was typed in it and why.
    refused: Option<(String, String, FormError)>,
    flash: Option<&'static str>,
}

impl ComplaintPage {
    fn is_open(&self) -> bool {
        is_open(&self.c.status)
    }

    fn when(&self, rfc3339: &str) -> String {
        short_time(rfc3339)
    }

    /// The refusal of the form `action`, if it is the refused one.
    fn error_of(&self, action: &str) -> Option<&FormError> {
        self.refused
            .as_ref()
            .filter(|(a, _, _)| a == action)
            .map(|(_, _, e)| e)
    }

    /// What was typed in the form `action`, when it was refused.
    fn typed(&self, action: &str) -> &str {
        self.refused
            .as_ref()
            .filter(|(a, _, _)| a == action)
            .map_or("", |(_, typed, _)| typed.as_str())
    }

    /// Any refusal: shown above the page when the forms are gone (the
    /// complaint was answered or closed meanwhile).
    fn refusal(&self) -> Option<&FormError> {
        self.refused.as_ref().map(|(_, _, e)| e)
    }

    fn is_assignee(&self, username: &str) -> bool {
        self.c.assigned_to.as_deref() == Some(username)
    }
}

/// Any of the three forms: the one field each has.
#[derive(Deserialize)]
struct Step {
    #[serde(default)]
    to: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    note: String,
}

async fn page(
    office: Office,
    Path((_, reference)): Path<(String, String)>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let (state, frame, staff, site) = office.into_parts();
    let flash = flash.key(&[
        ("assigned", "admin.ops.complaint.assigned"),
        ("answered", "admin.ops.complaint.answered"),
        ("closed", "admin.ops.complaint.closed"),
    ]);
    show(&state, frame, &staff, site, reference, None, flash).await
}

async fn show(
    state: &AppState,
    frame: Frame,
    staff: &Staff,
    site: String,
    reference: String,
    refused: Option<(String, String, FormError)>,
    flash: Option<&'static str>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(&frame, e);
    let nav = staff.nav(state, &frame, Some(&site)).await.map_err(fail)?;
    let access = Access {
        who: Some(&staff.who),
        token: None,
    };
    let c = complaints::get(&state.app, &reference, access)
        .await
        .map_err(fail)?;
    if c.site != site {
        return Err(fail(AppError::NotFound("complaint")));
    }
    let services = crate::app::console::services(&state.app, &site)
        .await
        .map_err(fail)?;
    let assignees = complaints::assignees(&state.app, &staff.who, &site)
        .await
        .map_err(fail)?;
    let status = refused.as_ref().map(|(_, _, e)| e.status);
    let page = ComplaintPage {
        service: service_name(&services, &c.service, frame.lang.code()),
        f: frame,
        nav,
        site,
        c,
        assignees,
        refused,
        flash,
    };
    Ok(render_at(&page, status))
}

async fn act(
    office: Office,
    Path((_, reference, action)): Path<(String, String, String)>,
    CsrfForm(step): CsrfForm<Step>,
) -> Result<Response, PageError> {
    let (state, frame, staff, site) = office.into_parts();
    let fail = |e| PageError::new(&frame, e);
    staff.nav(&state, &frame, Some(&site)).await.map_err(fail)?;
    // The complaint must be this site's: the page's address says which.
    let access = Access {
        who: Some(&staff.who),
        token: None,
    };
    let found = complaints::get(&state.app, &reference, access)
        .await
        .map_err(fail)?;
    if found.site != site {
        return Err(fail(AppError::NotFound("complaint")));
    }
    let (app, who) = (&state.app, &staff.who);
    let (typed, outcome, done) = match action.as_str() {
        "assign" => {
            let to = step.to.trim().to_owned();
            let input = Assign { to: to.clone() };
            (
                to,
                complaints::assign(app, who, &reference, input).await,
                "assigned",
            )
        }
        "answer" => {
            let input = Answer {
                answer: step.answer.clone(),
            };
            let outcome = complaints::answer(app, who, &reference, input).await;
            (step.answer, outcome, "answered")
        }
        "close" => {
            let input = Close {
                note: step.note.clone(),
            };
            (
                step.note,
                complaints::close(app, who, &reference, input).await,
                "closed",
            )
        }
        _ => return Err(fail(AppError::NotFound("action"))),
    };
    match outcome {
        Ok(_) => {
            let to = format!("/admin/sites/{site}/complaints/{reference}?done={done}");
            Ok(Redirect::to(&to).into_response())
        }
        Err(error @ (AppError::Forbidden(_) | AppError::NotFound(_))) => Err(fail(error)),
        Err(error) => {
            let error = FormError::new(frame.tr, &error);
            let refused = Some((action, typed, error));
            show(&state, frame, &staff, site, reference, refused, None).await
        }
    }
}
