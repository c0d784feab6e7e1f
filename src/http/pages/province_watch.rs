//! An office of a province, watched read-only by the province's account
//! (and admins), from the province's page:
//! `/province/{province}/sites/{site}/live` is the supervisors' live board
//! (the same fragment, at `…/live/panel`, which `admin-supervision.js`
//! fetches again when the site's stream moves), and
//! `/province/{province}/sites/{site}/stats?from=&to=` its statistics. No
//! form changes anything and no button acts; the use cases
//! (`app::supervision::live`, `app::stats::site_stats`) refuse a caller the
//! province may not read. A site outside the province is 404.

use super::admin::supervision::live::Board;
use super::admin::supervision::range_figures::RangeFigures;
use super::frame::{Frame, PageError, render, render_at};
use super::province::Reader;
use crate::app::auth::Principal;
use crate::app::{AppError, AppResult, province, supervision};
use crate::http::AppState;
use crate::store;
use askama::Template;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/province/{province}/sites/{site}/live", get(live))
        .route("/province/{province}/sites/{site}/live/panel", get(panel))
        .route("/province/{province}/sites/{site}/stats", get(stats_page))
}

/// The office a page is about, once the caller may read it.
pub struct Watched {
    pub province: String,
    pub site: String,
    /// The office's name in the page's language.
    pub name: String,
}

/// The province's account or an admin (403 otherwise), and a site of that
/// province (404 otherwise).
async fn watched(
    state: &AppState,
    frame: &Frame,
    who: &Principal,
    (province, site): (String, String),
) -> AppResult<Watched> {
    province::require_reader(who, &province)?;
    let sites = store::provinces::sites(&state.app.db, &province).await?;
    let office = sites
        .into_iter()
        .find(|s| s.id == site)
        .ok_or(AppError::NotFound("site"))?;
    let name = match (frame.lang.code(), office.name_ar) {
        ("ar", Some(ar)) if !ar.is_empty() => ar,
        _ => office.name,
    };
    Ok(Watched {
        province,
        site,
        name,
    })
}

#[derive(Template)]
#[template(path = "province_live.html")]
struct LivePage {
    f: Frame,
    w: Watched,
    b: Board,
}

#[derive(Template)]
#[template(path = "admin_supervision_panel.html")]
struct Panel {
    f: Frame,
    b: Board,
}

async fn board(
    state: &AppState,
    frame: &Frame,
    who: &Principal,
    path: (String, String),
) -> AppResult<(Watched, Board)> {
    let w = watched(state, frame, who, path).await?;
    let v = supervision::live(&state.app, who, &w.site).await?;
    Ok((w, Board::new(v, frame)))
}

async fn live(
    State(state): State<AppState>,
    frame: Frame,
    Reader(who): Reader,
    Path(path): Path<(String, String)>,
) -> Response {
    let frame = frame.for_office();
    match board(&state, &frame, &who, path).await {
        Ok((w, b)) => render(&LivePage { f: frame, w, b }),
        Err(error) => PageError::new(&frame, error).into_response(),
    }
}

async fn panel(
    State(state): State<AppState>,
    frame: Frame,
    Reader(who): Reader,
    Path(path): Path<(String, String)>,
) -> Response {
    let frame = frame.for_office();
    match board(&state, &frame, &who, path).await {
        Ok((_, b)) => render(&Panel { f: frame, b }),
        Err(error) => PageError::new(&frame, error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "province_stats.html")]
struct StatsPage {
    w: Watched,
    figures: RangeFigures,
}

impl std::ops::Deref for StatsPage {
    type Target = RangeFigures;

    fn deref(&self) -> &RangeFigures {
        &self.figures
    }
}

async fn stats_page(
    State(state): State<AppState>,
    frame: Frame,
    Reader(who): Reader,
    Path(path): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let frame = frame.for_office();
    let w = match watched(&state, &frame, &who, path).await {
        Ok(w) => w,
        Err(error) => return PageError::new(&frame, error).into_response(),
    };
    let (figures, read) =
        RangeFigures::read(&state.app, frame, &who, &w.site, query.as_deref()).await;
    let mut page = StatsPage { w, figures };
    match read {
        Ok(s) => {
            page.figures.show(s);
            render(&page)
        }
        Err(error @ AppError::Invalid(_)) => {
            let status = page.figures.refuse(&error);
            render_at(&page, Some(status))
        }
        Err(error) => PageError::new(&page.f, error).into_response(),
    }
}
