//! Document requests on the citizen portal: `/requests` (choose an office
//! and a certificate, or follow a request), the request form
//! `/requests/new/{site}/{service}` (`form`), and a request's own pages
//! (`follow`: its confirmation and its status; `receipt`: its printable
//! receipt, a private link).

mod follow;
mod form;
mod receipt;

use super::citizen::{self, local_name};
use super::follow::Find;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests", get(home))
        .route("/requests/follow", get(find))
        .route(
            "/requests/new/{site}/{service}",
            get(form::page).post(form::submit),
        )
        .route("/requests/{reference}", get(follow::status))
        .route("/requests/{reference}/filed", get(follow::filed))
        .route("/requests/{reference}/receipt", get(receipt::page))
}

/// A certificate an office delivers on request: a service that takes
/// working days to prepare (services done on the spot, such as a
/// legalisation, have no processing delay and are not requested ahead).
struct Choice {
    href: String,
    name: String,
    days: i64,
}

struct Office {
    name: String,
    choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "portal_request_home.html")]
struct HomePage {
    f: Frame,
    offices: Vec<Office>,
}

async fn home(State(state): State<AppState>, f: Frame) -> Result<Response, PageError> {
    let all = citizen::offices(&state.app).await.or_page(&f)?;
    let offices = all
        .into_iter()
        .map(|site| Office {
            name: local_name(f.lang, &site.name, site.name_ar.as_deref()),
            choices: site
                .services
                .iter()
                .filter(|s| s.processing_days > 0)
                .map(|s| Choice {
                    href: format!("/requests/new/{}/{}", site.id, s.id),
                    name: local_name(f.lang, &s.name, s.name_ar.as_deref()),
                    days: s.processing_days,
                })
                .collect(),
        })
        .filter(|o| !o.choices.is_empty())
        .collect();
    Ok(render(&HomePage { f, offices }))
}

/// The "follow a request" form: to the request's page, which says 404
/// unless the code is its own.
async fn find(f: Frame, Query(find): Query<Find>) -> Response {
    let token = citizen::clean_code(&find.token, 200);
    match (find.reference(), token) {
        (Some(reference), Some(token)) => {
            Redirect::to(&format!("/requests/{reference}?token={token}")).into_response()
        }
        _ => PageError::new(&f, crate::app::AppError::NotFound("request")).into_response(),
    }
}
