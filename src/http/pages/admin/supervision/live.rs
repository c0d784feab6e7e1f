//! `/admin/live/{site}`: the site's counters and queues as they are, with
//! alerts. The board is one fragment, rendered inside the page and alone
//! at `…/panel`, which `admin-supervision.js` fetches again when the site's
//! stream moves; the same script ticks the minutes between fetches.
//! A province's read-only board (`pages::province_watch`) shows the same
//! [`Board`] in the same fragment.

use super::super::{Nav, Office};
use crate::app::supervision::{self, Alert, LiveView};
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render};
use crate::http::pages::i18n::Tr;
use askama::Template;
use axum::Router;
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/live/{site}", get(page))
        .route("/admin/live/{site}/panel", get(panel))
}

/// The board as a page or a fragment shows it: the view and its alerts
/// in the page's language and the office's other one.
pub struct Board {
    pub v: LiveView,
    pub alerts: Vec<(String, String)>,
}

impl Board {
    pub fn new(v: LiveView, frame: &Frame) -> Self {
        let alerts = v
            .alerts
            .iter()
            .map(|a| {
                (
                    alert_text(&v, a, frame.tr),
                    alert_text(&v, a, frame.other()),
                )
            })
            .collect();
        Self { v, alerts }
    }

    /// A service's name in `lang`, or its id if it is gone.
    pub fn service_name<'a>(&'a self, id: &'a str, lang: &str) -> &'a str {
        self.v
            .services
            .iter()
            .find(|s| s.id == id)
            .map_or(id, |s| s.name_in(lang))
    }
}

#[derive(Template)]
#[template(path = "admin_supervision_live.html")]
struct LivePage {
    f: Frame,
    nav: Nav,
    b: Board,
}

#[derive(Template)]
#[template(path = "admin_supervision_panel.html")]
struct Panel {
    f: Frame,
    b: Board,
}

async fn page(office: Office) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let b = board(&office).await?;
    Ok(render(&LivePage {
        f: office.frame,
        nav,
        b,
    }))
}

async fn panel(office: Office) -> Result<Response, PageError> {
    let b = board(&office).await?;
    Ok(render(&Panel { f: office.frame, b }))
}

/// The site's board as it is now.
async fn board(office: &Office) -> Result<Board, PageError> {
    let Office {
        state, staff, site, ..
    } = office;
    let v = supervision::live(&state.app, &staff.who, site).await;
    Ok(Board::new(v.map_err(|e| office.fail(e))?, &office.frame))
}

/// An alert in one language. Values are isolated (U+2068…U+2069) so that
/// numbers and Latin names keep their order inside Arabic text.
fn alert_text(v: &LiveView, alert: &Alert, tr: Tr) -> String {
    let iso = |s: &str| format!("\u{2068}{s}\u{2069}");
    match alert {
        Alert::OverTarget {
            service,
            longest_minutes,
            target_minutes,
        } => {
            let name = v
                .services
                .iter()
                .find(|s| &s.id == service)
                .map_or(service.as_str(), |s| s.name_in(tr.lang.code()));
            tr.s("admin.supervision.alert.over_target")
                .replace("{service}", &iso(name))
                .replace("{longest}", &iso(&longest_minutes.to_string()))
                .replace("{target}", &iso(&target_minutes.to_string()))
        }
        Alert::TooLong {
            counter,
            number,
            status,
            minutes,
        } => {
            let key = if status == "called" {
                "admin.supervision.alert.called_too_long"
            } else {
                "admin.supervision.alert.serving_too_long"
            };
            tr.s(key)
                .replace("{counter}", &iso(counter))
                .replace("{number}", &iso(number))
                .replace("{minutes}", &iso(&minutes.to_string()))
        }
    }
}
