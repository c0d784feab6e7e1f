//! `/province/{province}?from=&to=&sort=`: the province's offices compared
//! over a range of local days, for the province's account and admins: the
//! table (each column's header a link that ranks by it, no script), a
//! server-drawn chart of median waits, and `…/export.csv`, the API's CSV
//! for a browser logged in by its session cookie. `/province` is where a
//! province account lands after logging in; an admin finds every province
//! listed there. All of it reads `app::province`.

use super::admin::FormError;
use super::admin::supervision::charts::{self, ChartText};
use super::admin::supervision::figures::{Chart, minutes, number, percent};
use super::cookies;
use super::frame::{Frame, PageError, render};
use crate::app::auth::Principal;
use crate::app::province::admin::{self, ProvinceView};
use crate::app::province::{self, Comparison, ComparisonQuery, OfficeFigures};
use crate::domain::comparison::Column;
use crate::http::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/province", get(home))
        .route("/province/{province}", get(page))
        .route("/province/{province}/export.csv", get(export))
        .route("/province/{province}/report.pdf", get(report))
}

/// Whoever is logged in by the session cookie; nobody is sent to log in.
pub struct Reader(pub Principal);

impl FromRequestParts<AppState> for Reader {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match cookies::session(&state.app, &parts.headers).await {
            Some(who) => Ok(Reader(who)),
            None => {
                let here = parts
                    .uri
                    .path_and_query()
                    .map_or("/province", |p| p.as_str());
                let next = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
                Err(Redirect::to(&format!("/agent/login?{next}")).into_response())
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct Form {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    sort: String,
}

impl Form {
    fn query(&self) -> ComparisonQuery {
        let given = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        ComparisonQuery {
            from: given(&self.from),
            to: given(&self.to),
            sort: given(&self.sort),
        }
    }
}

#[derive(Template)]
#[template(path = "province_list.html")]
struct ListPage {
    f: Frame,
    provinces: Vec<ProvinceView>,
}

/// A province account's own page; for an admin, the list of provinces.
async fn home(State(state): State<AppState>, frame: Frame, Reader(who): Reader) -> Response {
    if let Principal::Province { province, .. } = &who {
        return Redirect::to(&format!("/province/{province}")).into_response();
    }
    match admin::list(&state.app, &who).await {
        Ok(provinces) => render(&ListPage {
            f: frame,
            provinces,
        }),
        Err(error) => PageError::new(&frame, error).into_response(),
    }
}

/// One column's header: its name, the link ranking by it, whether the
/// table is ranked by it now.
struct Header {
    name: String,
    link: String,
    sorted: bool,
    /// `aria-sort` when ranked by it: best first.
    order: &'static str,
}

#[derive(Template)]
#[template(path = "province_comparison.html")]
struct ComparisonPage {
    f: Frame,
    province: String,
    from: String,
    to: String,
    error: Option<FormError>,
    c: Option<Comparison>,
    headers: Vec<Header>,
    chart: Option<Chart>,
}

impl ComparisonPage {
    fn link(&self, sort: &str) -> String {
        let query = serde_urlencoded::to_string([
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("sort", sort),
        ])
        .unwrap_or_default();
        format!("/province/{}?{query}", self.province)
    }

    fn csv_link(&self) -> String {
        let query = serde_urlencoded::to_string([("from", &self.from), ("to", &self.to)])
            .unwrap_or_default();
        format!("/province/{}/export.csv?{query}", self.province)
    }

    fn name<'a>(&self, o: &'a OfficeFigures) -> &'a str {
        match (self.f.lang.code(), &o.name_ar) {
            ("ar", Some(ar)) if !ar.is_empty() => ar,
            _ => &o.name,
        }
    }

    /// The office's cells, column by column: the figure and its rank.
    fn cells(&self, o: &OfficeFigures) -> Vec<(String, String)> {
        let lang = self.f.lang;
        Column::ALL
            .iter()
            .map(|c| {
                let shown = match c {
                    Column::Visits => o.visits.to_string(),
                    Column::MedianWait | Column::P90Wait | Column::MedianService => {
                        minutes(lang, o.value(*c))
                    }
                    Column::FeedbackScore => number(lang, o.feedback_score),
                    _ => percent(lang, o.value(*c)),
                };
                let rank = o
                    .ranks
                    .get(c.as_str())
                    .map_or_else(String::new, |r| format!("#{r}"));
                (shown, rank)
            })
            .collect()
    }

    fn title(&self) -> String {
        match &self.c {
            Some(c) => match (self.f.lang.code(), &c.name_ar) {
                ("ar", Some(ar)) if !ar.is_empty() => ar.clone(),
                _ => c.name.clone(),
            },
            None => self.province.clone(),
        }
    }
}

async fn page(
    State(state): State<AppState>,
    frame: Frame,
    Reader(who): Reader,
    Path(province): Path<String>,
    Query(form): Query<Form>,
) -> Response {
    let mut page = ComparisonPage {
        from: form.from.trim().to_owned(),
        to: form.to.trim().to_owned(),
        f: frame,
        province,
        error: None,
        c: None,
        headers: Vec::new(),
        chart: None,
    };
    match province::compare(&state.app, &who, &page.province, &form.query()).await {
        Ok(c) => {
            page.from.clone_from(&c.from);
            page.to.clone_from(&c.to);
            page.headers = Column::ALL
                .iter()
                .map(|col| Header {
                    name: page
                        .f
                        .tr
                        .s(&format!("province.column.{}", col.as_str()))
                        .to_owned(),
                    link: page.link(col.as_str()),
                    sorted: c.sort == col.as_str(),
                    order: if col.higher_is_better() {
                        "descending"
                    } else {
                        "ascending"
                    },
                })
                .collect();
            page.chart = Some(chart(&page.f, &c));
            page.c = Some(c);
            render(&page)
        }
        Err(error @ crate::app::AppError::Invalid(_)) => {
            let error = FormError::new(page.f.tr, &error);
            let status = error.status;
            page.error = Some(error);
            let mut response = render(&page);
            *response.status_mut() = status;
            response
        }
        Err(error) => PageError::new(&page.f, error).into_response(),
    }
}

/// Median wait per office, in minutes.
fn chart(f: &Frame, c: &Comparison) -> Chart {
    let bars: Vec<(String, Option<f64>)> = c
        .offices
        .iter()
        .map(|o| (o.site.clone(), o.median_wait_seconds))
        .collect();
    let title = f.tr.s("province.chart.median_wait");
    let svg = charts::service_times(
        &bars,
        &ChartText {
            id: "chart-median-wait",
            title,
            x: f.tr.s("province.office"),
            y: f.tr.s("admin.supervision.chart.minutes"),
            series: &[],
            lang: f.lang,
        },
    );
    Chart::new(title, svg)
}

async fn export(
    State(state): State<AppState>,
    frame: Frame,
    Reader(who): Reader,
    Path(province): Path<String>,
    Query(form): Query<Form>,
) -> Response {
    match province::compare(&state.app, &who, &province, &form.query()).await {
        Ok(c) => crate::http::provinces::csv_file(&c),
        Err(error) => PageError::new(&frame, error).into_response(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct Month {
    /// `YYYY-MM` (default: last month).
    month: Option<String>,
}

/// `/province/{p}/report.pdf?month=YYYY-MM`: the month's comparison as a
/// PDF, in the page's language.
async fn report(
    State(state): State<AppState>,
    frame: Frame,
    Reader(who): Reader,
    Path(province): Path<String>,
    Query(month): Query<Month>,
) -> Response {
    let pdf = crate::app::monthly_report::province_pdf(
        &state.app,
        &who,
        &province,
        month.month.as_deref(),
        &frame.tr,
    );
    match pdf.await {
        Ok(pdf) => crate::http::reports::pdf_file(pdf),
        Err(error) => PageError::new(&frame, error).into_response(),
    }
}
