//! `/files`: following a file of another administration (a passport, a
//! permit) with its reference and the holder's identifier (the national ID
//! number). The form is posted, so the identifier stays out of addresses
//! and history; anything wrong is one plain "not found" (404).

use crate::app::AppError;
use crate::app::partner_files::{self, Asker, FileView};
use crate::http::AppState;
use crate::http::client_ip::ClientIp;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use crate::http::pages::i18n::Lang;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route("/files", get(form).post(follow))
}

#[derive(Template)]
#[template(path = "portal_files.html")]
struct FilesPage {
    f: Frame,
    found: Option<Found>,
    /// The key of the words that say why nothing is shown.
    error: Option<&'static str>,
}

/// A file as the portal shows it, in the page's language.
struct Found {
    reference: String,
    partner: String,
    label: String,
    state: String,
    ready_on: Option<String>,
    updated_on: String,
}

impl Found {
    fn of(lang: Lang, v: FileView) -> Self {
        let arabic = lang == Lang::Ar;
        Found {
            partner: match (arabic, v.partner_ar) {
                (true, Some(ar)) => ar,
                _ => v.partner,
            },
            label: if arabic { v.label_ar } else { v.label_fr },
            state: v.status,
            ready_on: v.ready_on,
            updated_on: v.updated_on,
            reference: v.reference,
        }
    }

    fn status_key(&self) -> String {
        format!("portal.files.state.{}", self.state)
    }
}

async fn form(f: Frame) -> Response {
    render(&FilesPage {
        f,
        found: None,
        error: None,
    })
}

#[derive(Debug, Deserialize)]
struct FollowForm {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    holder_id: String,
}

async fn follow(
    State(state): State<AppState>,
    f: Frame,
    ClientIp(client): ClientIp,
    CsrfForm(form): CsrfForm<FollowForm>,
) -> Result<Response, PageError> {
    let asked = partner_files::follow(
        &state.app,
        Asker::Portal,
        &client,
        &form.reference,
        &form.holder_id,
    )
    .await;
    let (found, error) = match asked {
        Ok(view) => (Some(Found::of(f.lang, view)), None),
        Err(AppError::NotFound(_)) => (None, Some("portal.files.not_found")),
        Err(AppError::RateLimited { .. }) => (None, Some("portal.files.later")),
        Err(other) => return Err(PageError::new(&f, other)),
    };
    let status = match (&found, error) {
        (Some(_), _) => axum::http::StatusCode::OK,
        (None, Some("portal.files.later")) => axum::http::StatusCode::TOO_MANY_REQUESTS,
        (None, _) => axum::http::StatusCode::NOT_FOUND,
    };
    Ok((status, render(&FilesPage { f, found, error })).into_response())
}
