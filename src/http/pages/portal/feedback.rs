//! The feedback page `/feedback/{token}`, linked from the SMS sent after a
//! walk-in visit (`app::visits`): a rating from 1 to 5 and an optional
//! comment, taken once. A link already answered says so when opened; an
//! unknown link gets the 404 page.

use super::citizen::{self, say};
use crate::app::AppError;
use crate::app::visits::{self, FeedbackAnswer};
use crate::domain::Invalid;
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/feedback/{token}", get(page).post(submit))
        .route("/feedback/{token}/thanks", get(thanks))
}

#[derive(Debug, Default, Deserialize)]
struct Fields {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

/// One choice of the rating, 1 to 5, with its word.
struct Choice {
    value: u8,
    word: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "portal_feedback.html")]
struct FormPage {
    f: Frame,
    choices: Vec<Choice>,
    comment: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "portal_feedback_done.html")]
struct DonePage {
    f: Frame,
    /// Thanks for this answer, or "already answered".
    already: bool,
}

fn form(f: Frame, fields: Fields, error: Option<String>) -> FormPage {
    let choices = (1..=5u8)
        .map(|value| Choice {
            value,
            word: f
                .tr
                .s(&format!("portal.feedback.rating.{value}"))
                .to_owned(),
            checked: fields.rating == value.to_string(),
        })
        .collect();
    FormPage {
        f,
        choices,
        comment: fields.comment,
        error,
    }
}

/// A token of the shape ours have; anything else is no feedback link.
fn token_of(f: &Frame, token: &str) -> Result<String, PageError> {
    citizen::clean_code(token, 200)
        .ok_or_else(|| PageError::new(f, AppError::NotFound("feedback request")))
}

/// The form, or "already answered", as soon as the link is opened.
async fn page(
    State(state): State<AppState>,
    f: Frame,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let token = token_of(&f, &token)?;
    let answered = visits::feedback_answered(&state.app, &token)
        .await
        .or_page(&f)?;
    if answered {
        return Ok(render(&DonePage { f, already: true }));
    }
    Ok(render(&form(f, Fields::default(), None)))
}

async fn submit(
    State(state): State<AppState>,
    f: Frame,
    Path(token): Path<String>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let token = token_of(&f, &token)?;
    let result = match fields.rating.trim().parse::<i64>() {
        Ok(rating) => {
            let answer = FeedbackAnswer {
                rating,
                comment: Some(fields.comment.clone()),
            };
            visits::answer_feedback(&state.app, &token, answer).await
        }
        Err(_) => Err(Invalid::new("rating", "1 to 5").into()),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/feedback/{token}/thanks")).into_response()),
        Err(AppError::Conflict { .. }) => {
            let mut response = render(&DonePage { f, already: true });
            *response.status_mut() = StatusCode::CONFLICT;
            Ok(response)
        }
        Err(error @ AppError::Invalid(_)) => {
            let message = say(f.tr, &error);
            let mut response = render(&form(f, fields, Some(message)));
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(error) => Err(PageError::new(&f, error)),
    }
}

async fn thanks(f: Frame, Path(token): Path<String>) -> Result<Response, PageError> {
    token_of(&f, &token)?;
    Ok(render(&DonePage { f, already: false }))
}
