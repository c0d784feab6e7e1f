//! The lobby display `/display/{site}`: the latest call large, the last
//! calls, waiting per service, the office's announcements; live.

use super::frame::{Frame, PageError, render};
use crate::app::sites;
use crate::http::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/display/{site}", get(page))
}

#[derive(Template)]
#[template(path = "lobby.html")]
struct LobbyPage {
    f: Frame,
    site: String,
}

async fn page(
    State(state): State<AppState>,
    frame: Frame,
    Path(site): Path<String>,
) -> Result<Response, PageError> {
    let frame = frame.for_office();
    let _ = sites::get(&state.app, &site)
        .await
        .map_err(|e| PageError::new(&frame, e))?;
    Ok(render(&LobbyPage { f: frame, site }))
}
