//! The monthly report's content: the figures of the printable report page
//! (`displays/templates/admin_supervision_report.html`), in the same words
//! and order, as a `report::Report`.

use super::Words;
use crate::app::stats::{SiteStats, TicketFigures};
use crate::report::{Block, Report, Section, Table};
use crate::store::sites::SiteRow;

const KEY: &str = "admin.supervision";

pub fn office(s: &SiteStats, site: &SiteRow, first: jiff::civil::Date, w: &dyn Words) -> Report {
    let t = |key: &str| w.text(&format!("{KEY}.{key}"));
    let month = format!(
        "{} {}",
        t(&format!("month.{}", first.month())),
        first.year()
    );
    let name_ar = site.name_ar.as_deref().filter(|n| !n.is_empty());
    let office = match (w.rtl(), name_ar) {
        (true, Some(ar)) => format!("{ar} · {}", site.name),
        (false, Some(ar)) => format!("{} · {ar}", site.name),
        (_, None) => site.name.clone(),
    };
    let minutes = |v: Option<f64>| dash(v.map(|s| w.number(s / 60.0)));
    let service_name = |name: &str, ar: &Option<String>| match (w.rtl(), ar) {
        (true, Some(ar)) if !ar.is_empty() => ar.clone(),
        _ => name.to_owned(),
    };
    let figures = |rows: Vec<(&str, String)>| {
        Block::Table(Table {
            head: vec![String::new(), String::new()],
            rows: rows.into_iter().map(|(k, v)| vec![t(k), v]).collect(),
        })
    };
    let totals: &TicketFigures = &s.totals;

    let volumes = Section {
        heading: t("report.volumes"),
        blocks: vec![figures(vec![
            ("issued", totals.issued.to_string()),
            ("served", totals.served.to_string()),
            ("no_shows", totals.no_shows.to_string()),
            ("cancelled", totals.cancelled.to_string()),
        ])],
    };

    let mut wait_rows: Vec<Vec<String>> = s
        .services
        .iter()
        .map(|v| {
            vec![
                service_name(&v.name, &v.name_ar),
                v.figures.issued.to_string(),
                v.figures.served.to_string(),
                v.figures.no_shows.to_string(),
                minutes(v.figures.mean_wait_seconds),
                minutes(v.figures.median_wait_seconds),
                minutes(v.figures.p90_wait_seconds),
                v.target_wait_minutes.to_string(),
                v.over_target.to_string(),
            ]
        })
        .collect();
    wait_rows.push(vec![
        t("all"),
        totals.issued.to_string(),
        totals.served.to_string(),
        totals.no_shows.to_string(),
        minutes(totals.mean_wait_seconds),
        minutes(totals.median_wait_seconds),
        minutes(totals.p90_wait_seconds),
        "—".to_owned(),
        "—".to_owned(),
    ]);
    let waits = Section {
        heading: t("report.waits"),
        blocks: vec![
            Block::Note(t("in_minutes")),
            Block::Table(Table {
                head: [
                    "service",
                    "issued",
                    "served",
                    "no_shows",
                    "mean_wait",
                    "median_wait",
                    "p90_wait",
                    "target",
                    "over_target",
                ]
                .map(t)
                .to_vec(),
                rows: wait_rows,
            }),
        ],
    };

    let requests = Section {
        heading: t("report.requests"),
        blocks: vec![Block::Table(Table {
            head: [
                "service",
                "filed",
                "processed",
                "mean_days",
                "promised_days",
                "on_time",
                "rejected",
            ]
            .map(t)
            .to_vec(),
            rows: s
                .services
                .iter()
                .map(|v| {
                    let r = &v.requests;
                    let filed = r.submitted + r.processing + r.ready + r.delivered + r.rejected;
                    vec![
                        service_name(&v.name, &v.name_ar),
                        filed.to_string(),
                        r.processed.to_string(),
                        dash(r.mean_processing_days.map(|d| w.number(d))),
                        dash(r.processing_days.map(|d| d.to_string())),
                        r.on_time.to_string(),
                        r.rejected.to_string(),
                    ]
                })
                .collect(),
        })],
    };

    let a = &s.appointments;
    let percent = |share: Option<f64>| {
        dash(share.map(|s| match w.lang() {
            "en" => format!("{}%", w.number(s * 100.0)),
            _ => format!("{} %", w.number(s * 100.0)),
        }))
    };
    let appointments = Section {
        heading: t("report.appointments"),
        blocks: vec![figures(vec![
            ("booked", a.booked.to_string()),
            ("honoured", a.honoured.to_string()),
            ("no_shows", a.no_shows.to_string()),
            ("no_show_rate", percent(a.no_show_rate)),
        ])],
    };
    let c = &s.complaints;
    let complaints = Section {
        heading: t("report.complaints"),
        blocks: vec![figures(vec![
            ("received", c.received.to_string()),
            ("answered_in_time", c.answered_in_time.to_string()),
            ("answered", c.answered.to_string()),
            ("overdue", c.overdue.to_string()),
        ])],
    };
    let f = &s.feedback;
    let feedback = Section {
        heading: t("report.feedback"),
        blocks: vec![figures(vec![
            ("answers", f.answers.to_string()),
            (
                "mean_rating",
                dash(f.mean_rating.map(|r| format!("{} / 5", w.number(r)))),
            ),
        ])],
    };
    // The days read from the left in Arabic too (a left-to-right isolate).
    let period = match w.rtl() {
        true => format!("{} \u{2066}{} – {}\u{2069}", t("period"), s.from, s.to),
        false => format!("{} {} – {}", t("period"), s.from, s.to),
    };
    Report {
        lang: w.lang().to_owned(),
        rtl: w.rtl(),
        title: format!("{} — {month}", t("report.title")),
        // Noto Sans has no arrow: a dash between the days.
        lines: vec![office, period],
        sections: vec![volumes, waits, requests, appointments, complaints, feedback],
    }
}

fn dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "—".to_owned())
}
