//! `/admin/stats/{site}?from=&to=`: a site's figures over a range of local
//! days (the last 30 by default) as tables and server-drawn charts, and
//! `…/export.csv`, the same figures as the API's CSV for a browser logged
//! in by its session cookie. Both read `app::stats::site_stats`; a bad
//! range is shown in place with the API's 422. The page's tables: per
//! service, per channel (with remote tickets' wait at home and in the
//! lobby), per agent, and document requests' processing.

use super::super::{Nav, Office};
use super::charts::{self, ChartText, DayVolume};
use super::figures::Chart;
use super::range_figures::RangeFigures;
use crate::app::AppResult;
use crate::app::stats::{self, SiteStats, StatsQuery};
use crate::domain::Invalid;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render_at};
use askama::Template;
use axum::Router;
use axum::extract::RawQuery;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/stats/{site}", get(page))
        .route("/admin/stats/{site}/export.csv", get(export))
}

/// The range typed in the form; empty fields are the defaults.
#[derive(Debug, Default, Deserialize)]
pub struct RangeForm {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

impl RangeForm {
    fn query(&self) -> StatsQuery {
        let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        StatsQuery {
            from: given(&self.from),
            to: given(&self.to),
            format: None,
        }
    }
}

/// The form as typed (to show it again) and the query it makes; a query
/// that is no form (a field twice…) is refused like a malformed date.
pub fn read(raw: Option<&str>) -> (RangeForm, AppResult<StatsQuery>) {
    match serde_urlencoded::from_str::<RangeForm>(raw.unwrap_or("")) {
        Ok(form) => {
            let query = form.query();
            (form, Ok(query))
        }
        Err(_) => (
            RangeForm::default(),
            Err(Invalid::new(
                "range",
                "the range is written from=YYYY-MM-DD&to=YYYY-MM-DD",
            )
            .into()),
        ),
    }
}

#[derive(Template)]
#[template(path = "admin_supervision_stats.html")]
struct StatsPage {
    nav: Nav,
    site: String,
    figures: RangeFigures,
}

impl std::ops::Deref for StatsPage {
    type Target = RangeFigures;

    fn deref(&self) -> &RangeFigures {
        &self.figures
    }
}

impl StatsPage {
    fn csv_link(&self) -> String {
        let query = serde_urlencoded::to_string([("from", &self.from), ("to", &self.to)])
            .unwrap_or_default();
        format!("/admin/stats/{}/export.csv?{query}", self.site)
    }
}

async fn page(office: Office, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let (state, frame, staff, site) = office.into_parts();
    let (figures, read) =
        RangeFigures::read(&state.app, frame, &staff.who, &site, query.as_deref()).await;
    let mut page = StatsPage { nav, site, figures };
    let status = match read {
        Ok(s) => {
            page.figures.show(s);
            None
        }
        Err(error) => Some(page.figures.refuse(&error)),
    };
    Ok(render_at(&page, status))
}

/// The three charts of the page, named in its language.
pub fn draw(f: &Frame, s: &SiteStats) -> Vec<Chart> {
    let tr = f.tr;
    let hours: Vec<(i8, Option<f64>)> = s
        .hours
        .iter()
        .map(|h| (h.hour, h.mean_wait_seconds))
        .collect();
    let waits = charts::waits_by_hour(
        &hours,
        &ChartText {
            id: "chart-waits",
            title: tr.s("admin.supervision.chart.waits"),
            x: tr.s("admin.supervision.chart.hour"),
            y: tr.s("admin.supervision.chart.minutes"),
            series: &[],
            lang: f.lang,
        },
    );
    let agents: Vec<(String, Option<f64>)> = s
        .agents
        .iter()
        .map(|a| (a.agent.clone(), a.figures.mean_service_seconds))
        .collect();
    let service = charts::service_times(
        &agents,
        &ChartText {
            id: "chart-service",
            title: tr.s("admin.supervision.chart.service"),
            x: tr.s("admin.supervision.agent"),
            y: tr.s("admin.supervision.chart.minutes"),
            series: &[],
            lang: f.lang,
        },
    );
    vec![
        Chart::new(tr.s("admin.supervision.chart.waits"), waits),
        daily(f, s),
        Chart::new(tr.s("admin.supervision.chart.service"), service),
    ]
}

/// Tickets issued and served per day.
pub fn daily(f: &Frame, s: &SiteStats) -> Chart {
    let tr = f.tr;
    let days: Vec<DayVolume> = s
        .days
        .iter()
        .map(|d| DayVolume {
            label: d.day.get(8..10).unwrap_or("").to_owned() + "/" + d.day.get(5..7).unwrap_or(""),
            issued: d.issued,
            served: d.served,
        })
        .collect();
    let svg = charts::daily_volume(
        &days,
        &ChartText {
            id: "chart-volume",
            title: tr.s("admin.supervision.chart.volume"),
            x: tr.s("admin.supervision.chart.day"),
            y: tr.s("admin.supervision.chart.tickets"),
            series: &[
                tr.s("admin.supervision.issued"),
                tr.s("admin.supervision.served"),
            ],
            lang: f.lang,
        },
    );
    Chart::new(tr.s("admin.supervision.chart.volume"), svg)
}

async fn export(office: Office, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let fail = |e| office.fail(e);
    let query = read(query.as_deref()).1.map_err(fail)?;
    let Office {
        state, staff, site, ..
    } = &office;
    let figures = stats::site_stats(&state.app, &staff.who, site, &query)
        .await
        .map_err(fail)?;
    Ok(crate::http::stats::csv_file(&figures))
}
