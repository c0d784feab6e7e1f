//! The home page's search "the earliest slot available": a kind chosen
//! from those offered, an optional city and a mode, then the offices with
//! their first free slots; each slot is a link to that office's booking
//! page with the slot chosen. A plain GET form: no script.

use super::booking::{calendar::chosen_href, dates, errors, name_in, service_name_in};
use crate::app::AppError;
use crate::app::earliest::{self, EarliestQuery, KindChoice};
use crate::http::AppState;
use crate::http::pages::frame::Frame;
use crate::http::pages::i18n::Lang;
use serde::Deserialize;

/// What the home page's form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    pub kind: String,
    pub city: String,
    pub mode: String,
}

pub struct KindOption {
    pub kind: String,
    pub label: String,
    pub selected: bool,
}

pub struct Time {
    pub when: String,
    pub start: String,
    pub href: String,
}

pub struct Office {
    pub site: String,
    pub name: String,
    pub city: Option<String>,
    /// "2.4 km", in the page's digits.
    pub distance: Option<String>,
    pub service_name: (String, Option<&'static str>),
    pub timezone: String,
    pub times: Vec<Time>,
}

/// The block as the page shows it.
pub struct Block {
    pub kinds: Vec<KindOption>,
    pub city: String,
    pub video: bool,
    /// A search was made (a kind was chosen).
    pub searched: bool,
    pub error: Option<String>,
    pub offices: Vec<Office>,
}

/// The block: the kinds offered, and the search's answer when one is asked.
/// `None` when no office has a service with a kind.
pub async fn block(state: &AppState, f: &Frame, client: &str, ask: &SearchQuery) -> Option<Block> {
    let app = &state.app;
    let kinds = match earliest::kinds(app).await {
        Ok(kinds) if !kinds.is_empty() => kinds,
        // The search is a bonus on the home page: without it, the offices
        // are still listed.
        _ => return None,
    };
    let kind = ask.kind.trim();
    let video = ask.mode == "video";
    let mut block = Block {
        kinds: kinds
            .iter()
            .map(|k| KindOption {
                label: label(f.lang, k),
                selected: k.kind == kind,
                kind: k.kind.clone(),
            })
            .collect(),
        city: ask.city.trim().to_owned(),
        video,
        searched: !kind.is_empty(),
        error: None,
        offices: Vec::new(),
    };
    if kind.is_empty() {
        return Some(block);
    }
    let query = EarliestQuery {
        service: kind.to_owned(),
        near: Some(block.city.clone()).filter(|c| !c.is_empty()),
        mode: Some(if video { "video" } else { "in_person" }.to_owned()),
        ..EarliestQuery::default()
    };
    match earliest::search(app, client, &query).await {
        Ok(list) => {
            block.offices = list
                .offices
                .into_iter()
                .map(|o| {
                    let base = format!("/book/{}/{}?mode={}", o.site, o.service, list.mode);
                    Office {
                        name: name_in(f.lang, &o.site_name, o.site_name_ar.as_deref()),
                        distance: o.distance_km.map(|km| {
                            format!("{} {}", f.lang.number(km), f.tr.s("portal.earliest.km"))
                        }),
                        service_name: service_name_in(
                            f.lang,
                            &o.service_name,
                            o.service_name_ar.as_deref(),
                            o.service_name_en.as_deref(),
                        ),
                        times: o
                            .slots
                            .into_iter()
                            .map(|s| Time {
                                when: dates::when(f.lang, &s.start),
                                href: chosen_href(&base, &s.start),
                                start: s.start,
                            })
                            .collect(),
                        site: o.site,
                        city: o.city,
                        timezone: o.timezone,
                    }
                })
                .collect();
        }
        Err(AppError::Invalid(invalid)) if invalid.field == "near" => {
            block.error = Some(f.tr.s("portal.earliest.bad_city").to_owned());
        }
        Err(error) => block.error = Some(errors::explain(f.tr, &error).1),
    }
    Some(block)
}

fn label(lang: Lang, kind: &KindChoice) -> String {
    service_name_in(
        lang,
        &kind.name,
        kind.name_ar.as_deref(),
        kind.name_en.as_deref(),
    )
    .0
}
