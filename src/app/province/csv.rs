//! A comparison as one CSV table: a row per office in the comparison's
//! order, the same columns as the JSON (then each column's rank), empty
//! where there is nothing to measure. Cells are written as the site's
//! statistics CSV writes them (RFC 4180, formulas defused).

use super::{Comparison, OfficeFigures};
use crate::app::stats::csv_line;
use crate::domain::comparison::Column;

const FIGURES: [&str; 18] = [
    "site",
    "name",
    "name_ar",
    "visits",
    "served",
    "median_wait_seconds",
    "p90_wait_seconds",
    "median_service_seconds",
    "no_shows",
    "no_show_share",
    "requests_ready",
    "requests_on_time_share",
    "complaints_due",
    "complaints_in_time_share",
    "feedback_answers",
    "feedback_score",
    "appointments_due",
    "appointments_kept_share",
];

fn cell<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn cells(o: &OfficeFigures) -> Vec<String> {
    let mut row = vec![
        o.site.clone(),
        o.name.clone(),
        cell(o.name_ar.as_deref()),
        o.visits.to_string(),
        o.served.to_string(),
        cell(o.median_wait_seconds),
        cell(o.p90_wait_seconds),
        cell(o.median_service_seconds),
        o.no_shows.to_string(),
        cell(o.no_show_share),
        o.requests_ready.to_string(),
        cell(o.requests_on_time_share),
        o.complaints_due.to_string(),
        cell(o.complaints_in_time_share),
        o.feedback_answers.to_string(),
        cell(o.feedback_score),
        o.appointments_due.to_string(),
        cell(o.appointments_kept_share),
    ];
    row.extend(Column::ALL.map(|c| cell(o.ranks.get(c.as_str()))));
    row
}

pub fn to_csv(comparison: &Comparison) -> String {
    let mut out = String::new();
    let mut header: Vec<String> = FIGURES.map(str::to_owned).to_vec();
    header.extend(Column::ALL.map(|c| format!("rank_{}", c.as_str())));
    csv_line(&mut out, header);
    for office in &comparison.offices {
        csv_line(&mut out, cells(office));
    }
    out
}
