//! A province's month as a PDF: its offices side by side
//! (`app::province::compare` over the month's days), one row an office,
//! with the columns of the province's comparison page.

use super::{Pdf, Words, render};
use crate::app::auth::Principal;
use crate::app::province::{self, Comparison, ComparisonQuery, OfficeFigures};
use crate::app::supervision::month_days;
use crate::app::{App, AppResult};
use crate::report::{Block, Report, Section, Table};

/// The month of `province` (`YYYY-MM`; last month, by the UTC calendar,
/// when `None`) for its province accounts and admins.
pub async fn province_pdf(
    app: &App,
    who: &Principal,
    id: &str,
    month: Option<&str>,
    words: &dyn Words,
) -> AppResult<Pdf> {
    province::require_reader(who, id)?;
    let today = app.clock.now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let (first, _) = month_days(month, today)?;
    let report = province_report(app, id, first, words).await?;
    Ok(Pdf {
        file_name: format!(
            "rapport-province-{id}-{}-{}.pdf",
            first.strftime("%Y-%m"),
            words.lang()
        ),
        bytes: render(vec![report]).await?,
    })
}

/// The report of `id` for the month starting `first`, whoever asks (the
/// caller has checked).
pub(super) async fn province_report(
    app: &App,
    id: &str,
    first: jiff::civil::Date,
    words: &dyn Words,
) -> AppResult<Report> {
    let query = ComparisonQuery {
        from: Some(first.to_string()),
        to: Some(first.last_of_month().to_string()),
        sort: None,
    };
    let comparison = province::comparison(app, id, &query).await?;
    Ok(content(&comparison, first, words))
}

fn content(c: &Comparison, first: jiff::civil::Date, w: &dyn Words) -> Report {
    let t = |key: &str| w.text(key);
    let month = format!(
        "{} {}",
        t(&format!("admin.supervision.month.{}", first.month())),
        first.year()
    );
    let name = |name: &str, ar: &Option<String>| match (w.rtl(), ar) {
        (true, Some(ar)) if !ar.is_empty() => ar.clone(),
        _ => name.to_owned(),
    };
    let minutes = |v: Option<f64>| v.map_or("—".to_owned(), |s| w.number(s / 60.0));
    let share =
        |v: Option<f64>| v.map_or("—".to_owned(), |s| format!("{} %", w.number(s * 100.0)));
    let row = |o: &OfficeFigures| {
        vec![
            name(&o.name, &o.name_ar),
            o.visits.to_string(),
            minutes(o.median_wait_seconds),
            minutes(o.p90_wait_seconds),
            minutes(o.median_service_seconds),
            share(o.no_show_share),
            share(o.requests_on_time_share),
            share(o.complaints_in_time_share),
            o.feedback_score.map_or("—".to_owned(), |s| w.number(s)),
            share(o.appointments_kept_share),
        ]
    };
    let columns = [
        "visits",
        "median_wait",
        "p90_wait",
        "median_service",
        "no_show_share",
        "requests_on_time",
        "complaints_in_time",
        "feedback_score",
        "appointments_kept",
    ];
    let mut head = vec![t("province.office")];
    head.extend(columns.iter().map(|c| t(&format!("province.column.{c}"))));
    Report {
        lang: w.lang().to_owned(),
        rtl: w.rtl(),
        title: format!(
            "{} · {}",
            t("admin.supervision.report.title"),
            t("province.title")
        ),
        lines: vec![name(&c.name, &c.name_ar), month],
        sections: vec![Section {
            heading: t("province.title"),
            blocks: vec![
                Block::Note(t("province.explain_pdf")),
                Block::Table(Table {
                    head,
                    rows: c.offices.iter().map(row).collect(),
                }),
            ],
        }],
    }
}
