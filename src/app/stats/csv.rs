//! The statistics as one CSV table for spreadsheets: a `section` column
//! (`total`, `service`, `agent`, `hour`, `day`, then for document requests
//! `requests_total`, `requests_service`, `requests_agent` and `overdue`,
//! then `channel`, keyed `kiosk`, `desk`, `remote`, `appointment`, and
//! `remote_wait`, keyed `home` and `lobby`), the group's `key` and `name`,
//! and its figures; a figure a section has not, or without data, is an
//! empty cell. An `overdue` row's key is the request's reference, its name
//! the service. The `remote` channel's row has the `present`, `lapsed` and
//! `no_show_share` cells; a `remote_wait` row's `waited` is the tickets
//! measured.
//!
//! A cell a spreadsheet would take for a formula (one that starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return, such as a service named
//! `=HYPERLINK(…)`) is written with a `'` before it, unless it is a plain
//! number (`-3.5` stays a number).

use super::{HandledFigures, SiteStats, TicketFigures, WaitSplit};
use std::fmt::Write;

const HEADER: [&str; 26] = [
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
    "handled",
    "median_processing_seconds",
    "p90_processing_seconds",
    "within_delay",
    "within_delay_share",
    "overdue",
    "status",
    "expected_ready_on",
    "days_late",
    "agent",
    "waited",
    "present",
    "lapsed",
    "no_show_share",
];

/// One record, its cells set by column name.
struct Record([String; HEADER.len()]);

impl Record {
    fn new(section: &str, key: &str, name: &str) -> Self {
        Record(std::array::from_fn(|_| String::new()))
            .set("section", section)
            .set("key", key)
            .set("name", name)
    }

    fn set(mut self, column: &str, value: impl ToString) -> Self {
        let i = HEADER.iter().position(|c| *c == column);
        debug_assert!(i.is_some(), "no CSV column {column}");
        if let Some(i) = i {
            self.0[i] = value.to_string();
        }
        self
    }

    fn set_opt<T: ToString>(self, column: &str, value: Option<T>) -> Self {
        match value {
            Some(value) => self.set(column, value),
            None => self,
        }
    }

    fn tickets(self, f: &TicketFigures) -> Self {
        self.set("issued", f.issued)
            .set("served", f.served)
            .set("no_shows", f.no_shows)
            .set("cancelled", f.cancelled)
            .set_opt("mean_wait_seconds", f.mean_wait_seconds)
            .set_opt("median_wait_seconds", f.median_wait_seconds)
            .set_opt("p90_wait_seconds", f.p90_wait_seconds)
            .set_opt("mean_service_seconds", f.mean_service_seconds)
    }

    fn split(self, f: &WaitSplit) -> Self {
        self.set("waited", f.tickets)
            .set_opt("median_wait_seconds", f.median_seconds)
            .set_opt("p90_wait_seconds", f.p90_seconds)
    }

    fn processing(self, f: &HandledFigures) -> Self {
        self.set("handled", f.handled)
            .set_opt("median_processing_seconds", f.median_seconds)
            .set_opt("p90_processing_seconds", f.p90_seconds)
            .set("within_delay", f.within_delay)
            .set_opt("within_delay_share", f.within_delay_share)
    }
}

pub fn to_csv(stats: &SiteStats) -> String {
    let mut rows = vec![Record::new("total", "", &stats.site).tickets(&stats.totals)];
    for s in &stats.services {
        let r = Record::new("service", &s.service, &s.name);
        rows.push(r.tickets(&s.figures).set("over_target", s.over_target));
    }
    for a in &stats.agents {
        rows.push(Record::new("agent", &a.agent, "").tickets(&a.figures));
    }
    for h in &stats.hours {
        let r = Record::new("hour", &h.hour.to_string(), "")
            .set("issued", h.issued)
            .set("served", h.served)
            .set_opt("mean_wait_seconds", h.mean_wait_seconds);
        rows.push(r);
    }
    for d in &stats.days {
        let r = Record::new("day", &d.day, "")
            .set("issued", d.issued)
            .set("served", d.served)
            .set("no_shows", d.no_shows)
            .set_opt("mean_wait_seconds", d.mean_wait_seconds);
        rows.push(r);
    }
    let p = &stats.processing;
    let r = Record::new("requests_total", "", &stats.site).processing(&p.totals);
    rows.push(r.set("overdue", p.overdue_count));
    for s in &p.services {
        let r = Record::new("requests_service", &s.service, &s.name).processing(&s.figures);
        rows.push(r.set("overdue", s.overdue));
    }
    for a in &p.agents {
        rows.push(Record::new("requests_agent", &a.agent, "").processing(&a.figures));
    }
    for o in &p.overdue {
        let r = Record::new("overdue", &o.reference, &o.service)
            .set("status", &o.status)
            .set("expected_ready_on", &o.expected_ready_on)
            .set("days_late", o.days_late)
            .set_opt("agent", o.agent.as_deref());
        rows.push(r);
    }
    for c in &stats.channels {
        let mut r = Record::new("channel", &c.channel, "")
            .set("issued", c.issued)
            .set("served", c.served)
            .set("no_shows", c.no_shows)
            .set("cancelled", c.cancelled)
            .set("waited", c.waited)
            .set_opt("mean_wait_seconds", c.mean_wait_seconds)
            .set_opt("median_wait_seconds", c.median_wait_seconds)
            .set_opt("p90_wait_seconds", c.p90_wait_seconds);
        if c.channel == "remote" {
            let remote = &stats.remote;
            r = r
                .set("present", remote.present)
                .set("lapsed", remote.lapsed)
                .set_opt("no_show_share", remote.no_show_share);
        }
        rows.push(r);
    }
    rows.push(Record::new("remote_wait", "home", "").split(&stats.remote.from_home));
    rows.push(Record::new("remote_wait", "lobby", "").split(&stats.remote.in_lobby));
    let mut out = String::new();
    line(&mut out, HEADER.map(str::to_owned));
    for row in rows {
        line(&mut out, row.0);
    }
    out
}

/// One CSV record (RFC 4180): a field with a comma, quote or line break is
/// quoted, its quotes doubled; lines end with CRLF. Formulas are defused.
pub(crate) fn line(out: &mut String, cells: impl IntoIterator<Item = String>) {
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
