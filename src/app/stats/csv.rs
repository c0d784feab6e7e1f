//! The statistics as one CSV table for spreadsheets: a `section` column
//! (`total`, `service`, `agent`, `hour`, `day`), the group's `key` and
//! `name`, and the ticket figures; a figure a section has not, or without
//! data, is an empty cell.
//!
//! A cell a spreadsheet would take for a formula (one that starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return, such as a service named
//! `=HYPERLINK(…)`) is written with a `'` before it, unless it is a plain
//! number (`-3.5` stays a number).

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
/// quoted, its quotes doubled; lines end with CRLF. Formulas are defused.
fn line(out: &mut String, cells: impl IntoIterator<Item = String>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let cell = defused(cell);
        if cell.contains([',', '"', '\n', '\r']) {
            let _ = write!(out, "\"{}\"", cell.replace('"', "\"\""));
        } else {
            out.push_str(&cell);
        }
    }
    out.push_str("\r\n");
}

/// `cell`, with a `'` before it if a spreadsheet would run it as a formula.
fn defused(cell: String) -> String {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula && !is_number(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// A plain decimal number: a sign, digits, a fraction, an exponent.
fn is_number(cell: &str) -> bool {
    let unsigned = cell.strip_prefix(['-', '+']).unwrap_or(cell);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['-', '+']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            (digits(whole) || whole.is_empty())
                && (digits(fraction) || fraction.is_empty())
                && !(whole.is_empty() && fraction.is_empty())
        }
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        for (cell, written) in [
            (
                "=HYPERLINK(\"http://evil\",\"x\")",
                "'=HYPERLINK(\"http://evil\",\"x\")",
            ),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("-", "'-"),
            ("-3.5", "-3.5"),
            ("-12", "-12"),
            ("+4", "+4"),
            ("-1e-3", "-1e-3"),
            ("12.5", "12.5"),
            ("Passeport", "Passeport"),
            ("", ""),
        ] {
            assert_eq!(defused(cell.to_owned()), written, "{cell:?}");
        }
    }

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
