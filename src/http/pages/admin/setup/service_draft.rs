//! The service form's values (`services.rs`): read from a service, read
//! from what was typed, and turned into the patch the use case takes.

use super::fields::{Fields, number};
use crate::app::services::{RequiredDocument, ServicePatch, ServiceView};
use crate::domain::Invalid;

/// The numbered settings, in the order the form shows them.
pub(super) const NUMBERS: [&str; 8] = [
    "slot_minutes",
    "slot_capacity",
    "min_notice_minutes",
    "horizon_days",
    "service_minutes",
    "target_wait_minutes",
    "processing_days",
    "remote_share_percent",
];

/// The form's values: a service's, or what was typed.
#[derive(Debug, Clone, Default)]
pub(super) struct Draft {
    pub(super) id: String,
    pub(super) prefix: String,
    pub(super) name: String,
    pub(super) name_ar: String,
    pub(super) name_en: String,
    pub(super) kind: String,
    pub(super) name_zgh: String,
    pub(super) walk_in: bool,
    pub(super) in_person: bool,
    pub(super) video: bool,
    pub(super) numbers: Vec<(&'static str, String)>,
    /// Name in French and in Arabic of each document row.
    pub(super) documents: Vec<(String, String)>,
}

pub(super) fn stored(view: ServiceView) -> Draft {
    let values = [
        view.slot_minutes,
        view.slot_capacity,
        view.min_notice_minutes,
        view.horizon_days,
        view.service_minutes,
        view.target_wait_minutes,
        view.processing_days,
        view.remote_share_percent,
    ];
    Draft {
        in_person: view.appointment_modes.iter().any(|m| m == "in_person"),
        video: view.appointment_modes.iter().any(|m| m == "video"),
        id: view.id,
        prefix: view.prefix,
        name: view.name,
        name_ar: view.name_ar.unwrap_or_default(),
        name_en: view.name_en.unwrap_or_default(),
        kind: view.kind.unwrap_or_default(),
        name_zgh: view.name_zgh.unwrap_or_default(),
        walk_in: view.walk_in,
        numbers: NUMBERS
            .into_iter()
            .zip(values)
            .map(|(k, v)| (k, v.to_string()))
            .collect(),
        documents: view
            .required_documents
            .into_iter()
            .map(|d| (d.name, d.name_ar.unwrap_or_default()))
            .collect(),
    }
}

pub(super) fn typed(form: &Fields) -> Draft {
    let mut documents = Vec::new();
    for (name, value) in form.pairs() {
        if let Some(row) = name.strip_prefix("doc_fr_") {
            let ar = form.get(&format!("doc_ar_{row}"));
            documents.push((value.trim().to_owned(), ar.trim().to_owned()));
        }
    }
    Draft {
        id: form.get("id").to_owned(),
        prefix: form.get("prefix").to_owned(),
        name: form.get("name").to_owned(),
        name_ar: form.get("name_ar").to_owned(),
        name_en: form.get("name_en").to_owned(),
        kind: form.get("kind").to_owned(),
        name_zgh: form.get("name_zgh").to_owned(),
        walk_in: form.ticked("walk_in"),
        in_person: form.ticked("in_person"),
        video: form.ticked("video"),
        numbers: NUMBERS
            .into_iter()
            .map(|k| (k, form.get(k).to_owned()))
            .collect(),
        documents,
    }
}

/// Every field of the form as a full patch; empty document rows are left
/// out, and a row needs its French name.
pub(super) fn input_of(draft: &Draft) -> Result<ServicePatch, Invalid> {
    let value = |field: &'static str| -> Result<Option<i64>, Invalid> {
        let typed = draft.numbers.iter().find(|(k, _)| *k == field);
        match typed {
            // Left out (a form of before this setting): it keeps its value.
            Some((_, v)) if field == "remote_share_percent" && v.trim().is_empty() => Ok(None),
            _ => typed.map(|(_, v)| number(field, v)).transpose(),
        }
    };
    let modes = [("in_person", draft.in_person), ("video", draft.video)]
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(mode, _)| mode.to_owned())
        .collect();
    let documents = draft
        .documents
        .iter()
        .filter(|(fr, ar)| !fr.is_empty() || !ar.is_empty())
        .map(|(fr, ar)| RequiredDocument {
            name: fr.clone(),
            name_ar: Some(ar.clone()).filter(|a| !a.is_empty()),
        })
        .collect();
    Ok(ServicePatch {
        prefix: Some(draft.prefix.trim().to_owned()),
        name: Some(draft.name.clone()),
        // Blank clears the Arabic name.
        name_ar: Some(draft.name_ar.clone()),
        name_en: Some(draft.name_en.clone()),
        // Blank clears the kind: the service leaves the earliest-slot search.
        kind: Some(draft.kind.clone()),
        name_zgh: Some(draft.name_zgh.clone()),
        walk_in: Some(draft.walk_in),
        appointment_modes: Some(modes),
        slot_minutes: value("slot_minutes")?,
        slot_capacity: value("slot_capacity")?,
        service_minutes: value("service_minutes")?,
        required_documents: Some(documents),
        processing_days: value("processing_days")?,
        min_notice_minutes: value("min_notice_minutes")?,
        horizon_days: value("horizon_days")?,
        target_wait_minutes: value("target_wait_minutes")?,
        remote_share_percent: value("remote_share_percent")?,
    })
}
