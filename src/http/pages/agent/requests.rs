//! `/agent/requests`: the site's document requests by status, each with
//! the steps it may take next as small forms (no script needed). A step
//! goes through `app::requests::set_status`, which tells the citizen.

use super::{Agent, AtSite, Desk, refused};
use crate::app::AppError;
use crate::app::requests::{self, ChangeStatus, RequestView};
use crate::domain::request::RequestStatus;
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

/// The statuses in the order an office works through them.
const STATUSES: [&str; 5] = ["submitted", "processing", "ready", "delivered", "rejected"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/requests", get(page))
        .route("/agent/requests/{reference}/status", post(change))
}

/// The requests of one status.
struct Group {
    status: &'static str,
    requests: Vec<RequestView>,
}

#[derive(Template)]
#[template(path = "agent_requests.html")]
struct RequestsPage {
    f: Frame,
    user: String,
    desk: Desk,
    groups: Vec<Group>,
    error: Option<String>,
}

impl RequestsPage {
    /// The steps a request in `status` may take next.
    fn next_steps(&self, status: &str) -> Vec<&'static str> {
        let Some(from) = RequestStatus::parse(status) else {
            return Vec::new();
        };
        ["processing", "ready", "delivered"]
            .into_iter()
            .filter(|s| RequestStatus::parse(s).is_some_and(|to| from.may_become(to)))
            .collect()
    }

    fn may_reject(&self, status: &str) -> bool {
        RequestStatus::parse(status).is_some_and(|s| s.may_become(RequestStatus::Rejected))
    }
}

#[derive(Deserialize)]
struct Step {
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    site: String,
}

async fn page(State(state): State<AppState>, at: AtSite) -> Result<Response, PageError> {
    show(&state, at, None).await
}

async fn change(
    State(state): State<AppState>,
    Agent { frame, who }: Agent,
    Path(reference): Path<String>,
    CsrfForm(step): CsrfForm<Step>,
) -> Result<Response, PageError> {
    let reason = Some(step.reason.trim().to_owned()).filter(|r| !r.is_empty());
    let input = ChangeStatus {
        status: step.status,
        reason,
    };
    match requests::set_status(&state.app, &who, &reference, input).await {
        Ok(done) => {
            let to = format!("/agent/requests?site={}#{}", done.site, done.status);
            Ok(Redirect::to(&to).into_response())
        }
        Err(error) => {
            let message = |frame: &Frame, error: &AppError| match error {
                AppError::Invalid(invalid) if invalid.field == "reason" => {
                    frame.tr.s("agent.requests.reason_needed").to_owned()
                }
                other => other.to_string(),
            };
            refused(frame, error, message, |frame, message| async move {
                let at = AtSite::resolve(&state, frame, who, Some(step.site)).await?;
                show(&state, at, Some(message)).await
            })
            .await
        }
    }
}

async fn show(state: &AppState, at: AtSite, error: Option<String>) -> Result<Response, PageError> {
    let fail = |e| PageError::new(&at.frame, e);
    let site = &at.site;
    let all = requests::of_site(&state.app, &at.who, site, None)
        .await
        .map_err(fail)?;
    let desk = at.desk(state).await?;
    let mut groups: Vec<Group> = STATUSES
        .iter()
        .map(|status| Group {
            status,
            requests: Vec::new(),
        })
        .collect();
    for request in all {
        if let Some(group) = groups.iter_mut().find(|g| g.status == request.status) {
            group.requests.push(request);
        }
    }
    Ok(render(&RequestsPage {
        user: at.user(),
        f: at.frame,
        desk,
        groups,
        error,
    }))
}
