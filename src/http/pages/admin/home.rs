//! `/admin`: the sites the caller may look after, each with the way to
//! its sections. A supervisor has one.

use super::{Admin, Nav};
use crate::app::console;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin", get(home))
}

#[derive(Template)]
#[template(path = "admin_home.html")]
struct HomePage {
    f: Frame,
    nav: Nav,
    sites: Vec<(String, String)>,
}

async fn home(admin: Admin) -> Result<Response, PageError> {
    let Admin {
        state,
        frame,
        staff,
    } = admin;
    let frame = frame.for_office();
    let fail = |e| PageError::new(&frame, e);
    let nav = staff.nav(&state, &frame, None).await.map_err(fail)?;
    let sites = console::sites_of(&state.app, &staff.who)
        .await
        .map_err(fail)?;
    Ok(render(&HomePage {
        f: frame,
        nav,
        sites,
    }))
}
