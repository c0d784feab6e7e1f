//! `/admin/stats/{site}?from=&to=`: a site's figures over a range of local
//! days (the last 30 by default) as tables and server-drawn charts, and
//! `…/export.csv`, the same figures as the API's CSV for a browser logged
//! in by its session cookie. Both read `app::stats::site_stats`; a bad
//! range is shown in place with the API's 422.

use super::super::{FormError, Nav, Staff};
use super::charts::{self, ChartText, DayVolume};
use super::{Chart, minutes};
use crate::app::stats::{self, SiteStats, StatsQuery};
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
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
    from: String,
    #[serde(default)]
    to: String,
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

#[derive(Template)]
#[template(path = "admin_supervision_stats.html")]
struct StatsPage {
    f: Frame,
    nav: Nav,
    site: String,
    from: String,
    to: String,
    error: Option<FormError>,
    s: Option<SiteStats>,
    charts: Vec<Chart>,
}

impl StatsPage {
    fn minutes(&self, seconds: Option<f64>) -> String {
        minutes(seconds)
    }

    fn csv_link(&self) -> String {
        let query = serde_urlencoded::to_string([("from", &self.from), ("to", &self.to)])
            .unwrap_or_default();
        format!("/admin/stats/{}/export.csv?{query}", self.site)
    }
}

async fn page(
    State(state): State<AppState>,
    frame: Frame,
    staff: Staff,
    Path(site): Path<String>,
    form: Option<Query<RangeForm>>,
) -> Result<Response, PageError> {
    let frame = frame.for_office();
    let fail = |e| PageError::new(&frame, e);
    let nav = staff.nav(&state, &frame, Some(&site)).await.map_err(fail)?;
    let Query(form) = form.unwrap_or_default();
    let mut page = StatsPage {
        from: form.from.trim().to_owned(),
        to: form.to.trim().to_owned(),
        f: frame,
        nav,
        site: site.clone(),
        error: None,
        s: None,
        charts: Vec::new(),
    };
    match stats::site_stats(&state.app, &staff.who, &site, &form.query()).await {
        Ok(s) => {
            page.from.clone_from(&s.from);
            page.to.clone_from(&s.to);
            page.charts = draw(&page.f, &s);
            page.s = Some(s);
            Ok(render(&page))
        }
        Err(error) => {
            let error = FormError::new(page.f.tr, &error);
            let status = error.status;
            page.error = Some(error);
            let mut response = render(&page);
            *response.status_mut() = status;
            Ok(response)
        }
    }
}

/// The three charts of the page, named in its language.
fn draw(f: &Frame, s: &SiteStats) -> Vec<Chart> {
    let tr = f.tr;
    let hours: Vec<(i8, Option<f64>)> = s.hours.iter().map(|h| (h.hour, h.mean_wait_seconds)).collect();
    let waits = charts::waits_by_hour(
        &hours,
        &ChartText {
            id: "chart-waits",
            title: tr.s("admin.supervision.chart.waits"),
            x: tr.s("admin.supervision.chart.hour"),
            y: tr.s("admin.supervision.chart.minutes"),
            series: &[],
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
            series: &[tr.s("admin.supervision.issued"), tr.s("admin.supervision.served")],
        },
    );
    Chart::new(tr.s("admin.supervision.chart.volume"), svg)
}

async fn export(
    State(state): State<AppState>,
    frame: Frame,
    staff: Staff,
    Path(site): Path<String>,
    form: Option<Query<RangeForm>>,
) -> Result<Response, PageError> {
    let frame = frame.for_office();
    let Query(form) = form.unwrap_or_default();
    let figures = stats::site_stats(&state.app, &staff.who, &site, &form.query())
        .await
        .map_err(|e| PageError::new(&frame, e))?;
    let disposition = format!(
        "attachment; filename=\"stats-{}-{}-{}.csv\"",
        figures.site, figures.from, figures.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        stats::to_csv(&figures),
    )
        .into_response())
}
