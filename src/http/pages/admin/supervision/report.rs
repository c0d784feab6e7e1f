//! `/admin/report/{site}?month=YYYY-MM` (last month by default): the
//! monthly follow-up an office sends the ministry, as a page to print on
//! A4 — volumes, waits against targets, document requests against their
//! promised days, appointments, complaints, feedback and the daily volume
//! chart. The figures are `app::stats::site_stats` over the month.

use super::super::{FormError, Nav, Office};
use super::figures::{Chart, minutes, percent};
use super::processing::{self, ProcessingView};
use crate::app::monthly_report;
use crate::app::stats::{self, SiteStats, StatsQuery};
use crate::app::supervision::month_days;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::RawQuery;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/report/{site}", get(page))
        .route("/admin/report/{site}/pdf", get(pdf))
}

#[derive(Debug, Default, Deserialize)]
struct MonthForm {
    #[serde(default)]
    month: String,
}

#[derive(Template)]
#[template(path = "admin_supervision_report.html")]
struct ReportPage {
    f: Frame,
    nav: Nav,
    site: String,
    name: String,
    name_ar: Option<String>,
    /// As typed, or the month shown (`YYYY-MM`).
    month: String,
    /// The month in words, in the page's language.
    month_words: String,
    error: Option<FormError>,
    s: Option<SiteStats>,
    chart: Option<Chart>,
    processing: Option<ProcessingView>,
    /// Offers the page of the addresses the report is mailed to.
    is_admin: bool,
}

impl ReportPage {
    fn minutes(&self, seconds: &Option<f64>) -> String {
        minutes(self.f.lang, *seconds)
    }

    fn percent(&self, share: &Option<f64>) -> String {
        percent(self.f.lang, *share)
    }

    fn number(&self, value: &Option<f64>) -> String {
        super::figures::number(self.f.lang, *value)
    }
}

async fn page(office: Office, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let (state, frame, staff, site) = office.into_parts();
    let fail = |e| PageError::new(&frame, e);
    let view = crate::app::sites::get(&state.app, &site)
        .await
        .map_err(fail)?;
    let form: Option<MonthForm> = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).ok();
    let zone = crate::app::sites::zone_of(&state.app, &site)
        .await
        .map_err(fail)?;
    let today = crate::domain::time::local_day(state.app.clock.now(), &zone);
    let mut page = ReportPage {
        month: form.as_ref().map_or("", |f| f.month.trim()).to_owned(),
        month_words: String::new(),
        name: view.name,
        name_ar: view.name_ar.filter(|n| !n.is_empty()),
        site: site.clone(),
        f: frame,
        nav,
        error: None,
        s: None,
        chart: None,
        processing: None,
        is_admin: staff.is_admin,
    };
    // A query that is no form (a field twice…) is a malformed month.
    let asked = form
        .as_ref()
        .map_or(Some("?"), |_| Some(page.month.as_str()));
    let figures = match month_days(asked, today) {
        Ok((from, to)) => {
            let query = StatsQuery {
                from: Some(from.to_string()),
                to: Some(to.to_string()),
                format: None,
            };
            page.month = from.strftime("%Y-%m").to_string();
            page.month_words = format!(
                "{} {}",
                page.f
                    .tr
                    .s(&format!("admin.supervision.month.{}", from.month())),
                from.year()
            );
            stats::site_stats(&state.app, &staff.who, &site, &query)
                .await
                .map_err(|e| FormError::new(page.f.tr, &e))
        }
        Err(invalid) => Err(FormError::new(page.f.tr, &invalid.into())),
    };
    match figures {
        Ok(s) => {
            page.chart = Some(super::stats::daily(&page.f, &s));
            page.processing = Some(processing::view(&page.f, &s.processing));
            page.s = Some(s);
            Ok(render(&page))
        }
        Err(error) => {
            let status = error.status;
            page.error = Some(error);
            let mut response = render(&page);
            *response.status_mut() = status;
            Ok(response)
        }
    }
}

/// `/admin/report/{site}/pdf?month=YYYY-MM`: the same month as a PDF, in
/// the page's language (`app::monthly_report`).
async fn pdf(office: Office, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let (state, frame, staff, site) = office.into_parts();
    let form: MonthForm = serde_urlencoded::from_str(query.as_deref().unwrap_or(""))
        .map_err(|_| PageError::new(&frame, crate::domain::Invalid::new("month", "YYYY-MM")))?;
    let month = Some(form.month.trim()).filter(|m| !m.is_empty());
    let pdf = monthly_report::office_pdf(&state.app, &staff.who, &site, month, &frame.tr)
        .await
        .map_err(|e| PageError::new(&frame, e))?;
    Ok(crate::http::reports::pdf_file(pdf))
}
