//! `/admin/sites/{site}/voice`: the clips the office records so that its
//! lobby says calls in Tamazight (`app::voice`): each clip the site needs,
//! whether it is there (and a player for it), and what is missing. Sending
//! a file is the one thing here done by a script (`admin-voice.js`: the
//! file goes as it is to `PUT /api/v1/sites/{site}/voice/{name}`, which
//! checks it as for any client); without a script the page still lists.

use crate::app::voice::{self, VoiceView};
use crate::http::AppState;
use crate::http::pages::admin::{Nav, Office};
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/sites/{site}/voice", get(show))
}

/// One clip the site needs, or has.
struct Line {
    name: String,
    /// Its address with its version, when the site has it.
    url: Option<String>,
    bytes: i64,
}

#[derive(Template)]
#[template(path = "admin_setup_voice.html")]
struct VoicePage {
    f: Frame,
    nav: Nav,
    site: String,
    tamazight: bool,
    lines: Vec<Line>,
    missing: usize,
}

async fn show(office: Office) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    let frame = frame.for_office();
    let app = &state.app;
    let read = async {
        let view: VoiceView = voice::view(app, &staff.who, &site).await?;
        let tamazight = crate::app::sites::require(app, &site).await?.tamazight;
        let nav = staff.nav(&state, &frame, Some(&site)).await?;
        Ok::<_, crate::app::AppError>((view, tamazight, nav))
    };
    let (view, tamazight, nav) = match read.await {
        Ok(found) => found,
        Err(error) => return PageError::new(&frame, error).into_response(),
    };
    let mut names = view.required.clone();
    names.extend(
        view.clips
            .iter()
            .map(|c| c.name.clone())
            .filter(|n| !view.required.contains(n)),
    );
    let lines = names
        .into_iter()
        .map(|name| {
            let clip = view.clips.iter().find(|c| c.name == name);
            Line {
                url: clip.map(|c| format!("/api/v1/sites/{site}/voice/{name}?v={}", c.version)),
                bytes: clip.map_or(0, |c| c.bytes),
                name,
            }
        })
        .collect();
    render(&VoicePage {
        missing: view.missing.len(),
        f: frame,
        nav,
        site,
        tamazight,
        lines,
    })
}
