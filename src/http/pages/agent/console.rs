//! `/agent`: the counters of the agent's site to choose from; and
//! `/agent/counters/{counter}`: the console itself. The console's live
//! part (counter state, current ticket, waiting list) is one fragment,
//! rendered here both inside the page and alone at `…/panel`, which the
//! page's script fetches again whenever the counter's stream moves.

use super::Agent;
use crate::app::auth::Principal;
use crate::app::console::{self, ConsoleView, CounterLine};
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent", get(counters))
        .route("/agent/counters/{counter}", get(page))
        .route("/agent/counters/{counter}/panel", get(panel))
}

#[derive(Template)]
#[template(path = "agent_counters.html")]
struct CountersPage {
    f: Frame,
    user: String,
    sites: Vec<(String, String)>,
    site: Option<String>,
    counters: Vec<CounterLine>,
}

#[derive(Template)]
#[template(path = "agent_console.html")]
struct ConsolePage {
    f: Frame,
    user: String,
    v: ConsoleView,
}

#[derive(Template)]
#[template(path = "agent_panel.html")]
struct Panel {
    f: Frame,
    v: ConsoleView,
}

#[derive(Deserialize)]
struct Choice {
    site: Option<String>,
}

async fn counters(
    State(state): State<AppState>,
    Agent { frame, who }: Agent,
    Query(choice): Query<Choice>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(&frame, e);
    let sites = console::sites_of(&state.app, &who).await.map_err(fail)?;
    // An agent has one site; an admin picks one.
    let site = choice
        .site
        .filter(|s| sites.iter().any(|(id, _)| id == s))
        .or_else(|| (sites.len() == 1).then(|| sites[0].0.clone()));
    let counters = match &site {
        Some(site) => console::counters(&state.app, &who, site)
            .await
            .map_err(fail)?,
        None => Vec::new(),
    };
    Ok(render(&CountersPage {
        user: who.username().unwrap_or_default().to_owned(),
        f: frame,
        sites,
        site,
        counters,
    }))
}

async fn page(
    State(state): State<AppState>,
    Agent { frame, who }: Agent,
    Path(counter): Path<String>,
) -> Result<Response, PageError> {
    let (f, v) = load(&state, frame, &who, &counter).await?;
    let user = who.username().unwrap_or_default().to_owned();
    Ok(render(&ConsolePage { f, user, v }))
}

async fn panel(
    State(state): State<AppState>,
    Agent { frame, who }: Agent,
    Path(counter): Path<String>,
) -> Result<Response, PageError> {
    let (f, v) = load(&state, frame, &who, &counter).await?;
    Ok(render(&Panel { f, v }))
}

/// What the console and its panel show of `counter`, in the office's look.
async fn load(
    state: &AppState,
    frame: Frame,
    who: &Principal,
    counter: &str,
) -> Result<(Frame, ConsoleView), PageError> {
    match console::console(&state.app, who, counter).await {
        Ok(view) => Ok((frame, view)),
        Err(error) => Err(PageError::new(&frame, error)),
    }
}
