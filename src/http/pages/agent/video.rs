//! `/agent/video`: the site's video appointments of one day, each with its
//! call link and, from its start, two small forms (no script needed) to
//! record how it went through `app::video::record`.

use super::{Agent, AtSite, Desk, refused};
use crate::app::AppError;
use crate::app::appointments::{self, AppointmentView};
use crate::app::video::{self, Outcome};
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/video", get(page))
        .route("/agent/video/{reference}/outcome", post(record))
}

#[derive(Template)]
#[template(path = "agent_video.html")]
struct VideoPage {
    f: Frame,
    user: String,
    desk: Desk,
    day: String,
    calls: Vec<AppointmentView>,
    /// Now, to tell which calls have begun.
    now: jiff::Timestamp,
    error: Option<String>,
}

impl VideoPage {
    /// `HH:MM` of an RFC 3339 instant in the site's offset.
    fn time_of<'a>(&self, at: &'a str) -> &'a str {
        at.get(11..16).unwrap_or(at)
    }

    /// Whether the agent may record (or correct) the call's outcome now.
    fn may_record(&self, call: &AppointmentView) -> bool {
        matches!(call.status.as_str(), "booked" | "no_show") && self.has_begun(call)
    }

    fn has_begun(&self, call: &AppointmentView) -> bool {
        call.start
            .parse::<jiff::Timestamp>()
            .is_ok_and(|start| start <= self.now)
    }
}

#[derive(Deserialize)]
struct Choice {
    date: Option<String>,
}

#[derive(Deserialize)]
struct Step {
    outcome: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    date: String,
}

async fn page(
    State(state): State<AppState>,
    at: AtSite,
    Query(choice): Query<Choice>,
) -> Result<Response, PageError> {
    let day = choice.date.filter(|d| !d.is_empty());
    show(&state, at, day, None).await
}

async fn record(
    State(state): State<AppState>,
    Agent { frame, who }: Agent,
    Path(reference): Path<String>,
    CsrfForm(step): CsrfForm<Step>,
) -> Result<Response, PageError> {
    let input = Outcome {
        outcome: step.outcome,
    };
    let day = Some(step.date).filter(|d| !d.is_empty());
    match video::record(&state.app, &who, &reference, input).await {
        Ok(done) => {
            let date = done.start.get(..10).unwrap_or_default();
            let to = format!(
                "/agent/video?site={}&date={date}#call-{reference}",
                done.site
            );
            Ok(Redirect::to(&to).into_response())
        }
        Err(error) => {
            let message = |frame: &Frame, error: &AppError| match error {
                AppError::Conflict {
                    code: "too_early", ..
                } => frame.tr.s("agent.video.too_early").to_owned(),
                AppError::Conflict { .. } => frame.tr.s("agent.video.changed").to_owned(),
                other => other.to_string(),
            };
            refused(frame, error, message, |frame, message| async move {
                let at = AtSite::resolve(&state, frame, who, Some(step.site)).await?;
                show(&state, at, day, Some(message)).await
            })
            .await
        }
    }
}

async fn show(
    state: &AppState,
    at: AtSite,
    day: Option<String>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(&at.frame, e);
    let site = &at.site;
    let calls: Vec<AppointmentView> =
        appointments::of_day(&state.app, &at.who, site, day.as_deref())
            .await
            .map_err(fail)?
            .into_iter()
            .filter(|a| a.mode == "video")
            .collect();
    let desk = at.desk(state).await?;
    let context = crate::app::sites::SiteContext::load(&state.app, site)
        .await
        .map_err(fail)?;
    let now = state.app.clock.now_ms();
    let today = context.day_of(now);
    Ok(render(&VideoPage {
        user: at.user(),
        now: jiff::Timestamp::from_millisecond(now).unwrap_or_default(),
        day: day.unwrap_or(today),
        f: at.frame,
        desk,
        calls,
        error,
    }))
}
