//! The statistics as one CSV table for spreadsheets: a `section` column
//! (`total`, `service`, `agent`, `hour`, `day`), the group's `key` and
//! `name`, and the ticket figures; a figure a section has not, or without
//! data, is an empty cell.

use super::{SiteStats, TicketFigures};
use std::fmt::Write;

const HEADER: [&str; 12] = [
    "section",
    "key",
    "name",
    "issued",
    "served",
    "no_shows",
    "cancelled",
    "mean_wait_seconds",
    "median_wait_seconds",
    "p90_wait_seconds",
    "mean_service_seconds",
    "over_target",
];

pub fn to_csv(stats: &SiteStats) -> String {
    let mut out = String::new();
    line(&mut out, HEADER.map(str::to_owned));
    let mut row = |section: &str, key: &str, name: &str, f: &TicketFigures, over: Option<i64>| {
        let cells = [section.to_owned(), key.to_owned(), name.to_owned()]
            .into_iter()
            .chain(figures(f))
            .chain([number(over)]);
        line(&mut out, cells);
    };
    row("total", "", &stats.site, &stats.totals, None);
    for s in &stats.services {
        row(
            "service",
            &s.service,
            &s.name,
            &s.figures,
            Some(s.over_target),
        );
    }
    for a in &stats.agents {
        row("agent", &a.agent, "", &a.figures, None);
    }
    for h in &stats.hours {
        let f = TicketFigures {
            issued: h.issued,
            served: h.served,
            mean_wait_seconds: h.mean_wait_seconds,
            ..TicketFigures::default()
        };
        let mut cells: Vec<String> = ["hour".to_owned(), h.hour.to_string(), String::new()]
            .into_iter()
            .chain(figures(&f))
            .collect();
        // An hour has no no-show, cancelled, median, p90 or service figure.
        for i in [5, 6, 8, 9, 10] {
            cells[i].clear();
        }
        cells.push(String::new());
        line(&mut out, cells);
    }
    for d in &stats.days {
        let f = TicketFigures {
            issued: d.issued,
            served: d.served,
            no_shows: d.no_shows,
            mean_wait_seconds: d.mean_wait_seconds,
            ..TicketFigures::default()
        };
        let mut cells: Vec<String> = ["day".to_owned(), d.day.clone(), String::new()]
            .into_iter()
            .chain(figures(&f))
            .collect();
        for i in [6, 8, 9, 10] {
            cells[i].clear();
        }
        cells.push(String::new());
        line(&mut out, cells);
    }
    out
}

fn figures(f: &TicketFigures) -> impl Iterator<Item = String> {
    [
        f.issued.to_string(),
        f.served.to_string(),
        f.no_shows.to_string(),
        f.cancelled.to_string(),
        decimal(f.mean_wait_seconds),
        decimal(f.median_wait_seconds),
        decimal(f.p90_wait_seconds),
        decimal(f.mean_service_seconds),
    ]
    .into_iter()
}

fn decimal(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn number(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// One CSV record (RFC 4180): a field with a comma, quote or line break is
/// quoted, its quotes doubled; lines end with CRLF.
fn line(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            let _ = write!(out, "\"{}\"", cell.replace('"', "\"\""));
        } else {
            out.push_str(&cell);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_when_needed() {
        let mut out = String::new();
        line(
            &mut out,
            ["a".to_owned(), "b,c".to_owned(), "say \"hi\"".to_owned()],
        );
        assert_eq!(out, "a,\"b,c\",\"say \"\"hi\"\"\"\r\n");
    }
}
