//! The document requests' processing as the statistics page and the
//! monthly report show it (`admin_supervision_processing.html`): per
//! service, per agent and the overdue list, written for reading (times
//! in days, shares in percent).

use super::figures::{number, percent};
use crate::app::stats::{HandledFigures, ProcessingStats};
use crate::http::pages::frame::Frame;
use crate::http::pages::i18n::Lang;

/// A row of figures: a service, an agent or all of them.
pub struct Line {
    /// The row's id in the page.
    pub id: String,
    pub label: String,
    pub handled: i64,
    pub median_days: String,
    pub p90_days: String,
    pub within_delay: i64,
    pub share: String,
    /// The promised days and the overdue count (services and all only).
    pub promised: String,
    pub overdue: String,
}

pub struct Late {
    pub reference: String,
    pub service: String,
    pub status: String,
    pub filed_on: String,
    pub expected_ready_on: String,
    pub days_late: i64,
    pub agent: String,
}

pub struct ProcessingView {
    /// Every service, then all of them.
    pub services: Vec<Line>,
    pub agents: Vec<Line>,
    pub overdue: Vec<Late>,
    pub overdue_count: i64,
    /// More are overdue than listed.
    pub cut: bool,
}

pub fn view(f: &Frame, p: &ProcessingStats) -> ProcessingView {
    let arabic = f.lang.code() == "ar";
    let mut services: Vec<Line> = p
        .services
        .iter()
        .map(|s| {
            let name = s.name_ar.as_ref().filter(|_| arabic).unwrap_or(&s.name);
            Line {
                promised: s.processing_days.to_string(),
                overdue: s.overdue.to_string(),
                ..line(
                    f.lang,
                    format!("processing-{}", s.service),
                    name,
                    &s.figures,
                )
            }
        })
        .collect();
    let label = |id: &str| {
        p.services
            .iter()
            .find(|s| s.service == id)
            .map_or(id, |s| {
                s.name_ar.as_ref().filter(|_| arabic).unwrap_or(&s.name)
            })
            .to_owned()
    };
    services.push(Line {
        overdue: p.overdue_count.to_string(),
        ..line(
            f.lang,
            "processing-all".to_owned(),
            f.tr.s("admin.supervision.all"),
            &p.totals,
        )
    });
    ProcessingView {
        services,
        agents: p
            .agents
            .iter()
            .map(|a| {
                line(
                    f.lang,
                    format!("processing-agent-{}", a.agent),
                    &a.agent,
                    &a.figures,
                )
            })
            .collect(),
        overdue: p
            .overdue
            .iter()
            .map(|o| Late {
                reference: o.reference.clone(),
                service: label(&o.service),
                status: f
                    .tr
                    .s(&format!("portal.request.status.{}", o.status))
                    .to_owned(),
                filed_on: o.filed_at.get(..10).unwrap_or_default().to_owned(),
                expected_ready_on: o.expected_ready_on.clone(),
                days_late: o.days_late,
                agent: o.agent.clone().unwrap_or_else(|| "—".to_owned()),
            })
            .collect(),
        overdue_count: p.overdue_count,
        cut: p.overdue_count > p.overdue.len() as i64,
    }
}

fn line(lang: Lang, id: String, label: &str, f: &HandledFigures) -> Line {
    let days = |seconds: Option<f64>| number(lang, seconds.map(|s| s / 86_400.0));
    Line {
        id,
        label: label.to_owned(),
        handled: f.handled,
        median_days: days(f.median_seconds),
        p90_days: days(f.p90_seconds),
        within_delay: f.within_delay,
        share: percent(lang, f.within_delay_share),
        promised: "—".to_owned(),
        overdue: "—".to_owned(),
    }
}
