//! `/admin/sites/{site}/complaints`: the site's complaints inbox, open ones
//! first, overdue ones (past their due day in the site's local day) before
//! the others, then by due day — the order `complaints::of_site` gives.

use super::super::{Nav, Office};
use super::short_time;
use crate::app::complaints::{self, ComplaintView};
use crate::app::console::{self, ServiceRef};
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/sites/{site}/complaints", get(page))
}

#[derive(Template)]
#[template(path = "admin_ops_complaints.html")]
struct ComplaintsPage {
    f: Frame,
    nav: Nav,
    site: String,
    complaints: Vec<ComplaintView>,
    services: Vec<ServiceRef>,
}

impl ComplaintsPage {
    fn service_name(&self, id: &Option<String>) -> String {
        service_name(&self.services, id, self.f.lang.code())
    }

    fn when(&self, rfc3339: &str) -> String {
        short_time(rfc3339)
    }

    fn open_count(&self) -> i64 {
        let open = self.complaints.iter().filter(|c| is_open(&c.status));
        i64::try_from(open.count()).unwrap_or(i64::MAX)
    }
}

/// Whether a complaint still waits for its answer.
pub(super) fn is_open(status: &str) -> bool {
    matches!(status, "received" | "in_progress")
}

/// A service's name in `lang`, or a dash when the complaint names none.
pub(super) fn service_name(services: &[ServiceRef], id: &Option<String>, lang: &str) -> String {
    match id {
        Some(id) => services
            .iter()
            .find(|s| &s.id == id)
            .map_or(id.as_str(), |s| s.name_in(lang))
            .to_owned(),
        None => "—".to_owned(),
    }
}

async fn page(office: Office) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let (state, frame, staff, site) = office.into_parts();
    let fail = |e| PageError::new(&frame, e);
    let complaints = complaints::of_site(&state.app, &staff.who, &site, None)
        .await
        .map_err(fail)?;
    let services = console::services(&state.app, &site).await.map_err(fail)?;
    Ok(render(&ComplaintsPage {
        f: frame,
        nav,
        site,
        complaints,
        services,
    }))
}
