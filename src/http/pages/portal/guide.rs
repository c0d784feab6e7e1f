//! The digital guide of procedures on the portal: `/guide` lists every
//! office's procedures, `/guide/{site}/{service}` is one procedure's guide
//! (`app::guides`). Plain HTML in French, Arabic and English, complete
//! without JavaScript; each page has its title, description, canonical
//! address and its other languages' addresses, and may be kept by any
//! cache for 5 minutes (it holds nothing personal, and no cookie is set
//! with it: `frame::prepare`).

use super::booking::{name_in, service_name_in};
use crate::app::guides::{self, GuideView, ServiceDetail};
use crate::app::services::ServiceView;
use crate::domain::guide::Channel;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use crate::http::pages::i18n::{Lang, Tr};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;

/// How long a browser or a shared cache may keep a guide page.
pub const CACHE: &str = "public, max-age=300";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/guide", get(index))
        .route("/guide/{site}/{service}", get(procedure))
}

/// The address of a page in one language, and in each language for the
/// `hreflang` alternates.
struct Addresses {
    canonical: String,
    alternates: Vec<(&'static str, String)>,
}

impl Addresses {
    fn of(public_url: &str, path: &str, lang: Lang) -> Self {
        let at = |l: Lang| format!("{public_url}{path}?lang={}", l.code());
        Addresses {
            canonical: at(lang),
            alternates: Lang::ALL.iter().map(|l| (l.code(), at(*l))).collect(),
        }
    }
}

/// The frame of a page any cache may keep: without the visitor's CSRF
/// token (these pages have no form), which must not reach another
/// visitor through a shared cache.
fn shared(mut f: Frame) -> Frame {
    f.csrf.clear();
    f
}

/// A page any cache may keep for a while.
fn cacheable(mut response: Response) -> Response {
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    }
    response
}

struct Entry {
    id: String,
    name: String,
    /// The language of `name` where it is not the page's (`fr`, for an
    /// English page without an English name).
    name_lang: Option<&'static str>,
    summary: Option<String>,
}

struct Office {
    id: String,
    name: String,
    services: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "portal_guide.html")]
struct IndexPage {
    f: Frame,
    at: Addresses,
    offices: Vec<Office>,
}

async fn index(State(state): State<AppState>, f: Frame) -> Result<Response, PageError> {
    let f = shared(f);
    let all = guides::all(&state.app).await.or_page(&f)?;
    let code = f.lang.code();
    let offices = all
        .into_iter()
        .filter(|s| !s.services.is_empty())
        .map(|s| Office {
            name: name_in(f.lang, &s.site.name, s.site.name_ar.as_deref()),
            id: s.site.id,
            services: s
                .services
                .iter()
                .map(|d| {
                    let (name, name_lang) = named(f.lang, &d.service);
                    Entry {
                        id: d.service.id.clone(),
                        name,
                        name_lang,
                        summary: d.guide.as_ref().map(|g| g.summary.in_lang(code).to_owned()),
                    }
                })
                .collect(),
        })
        .collect();
    let at = Addresses::of(&state.app.links.public_url, "/guide", f.lang);
    Ok(cacheable(render(&IndexPage { f, at, offices })))
}

/// A guide's texts in one language.
pub struct Written {
    pub summary: String,
    pub eligibility: String,
    pub steps: Vec<String>,
    pub fees: String,
    /// The channels' words.
    pub channels: Vec<String>,
    pub counter_only: bool,
}

impl Written {
    pub fn of(guide: &GuideView, tr: Tr) -> Self {
        let code = tr.lang.code();
        Written {
            summary: guide.summary.in_lang(code).to_owned(),
            eligibility: guide.eligibility.in_lang(code).to_owned(),
            steps: guide
                .steps
                .iter()
                .map(|s| s.in_lang(code).to_owned())
                .collect(),
            fees: guide.fees.in_lang(code).to_owned(),
            channels: guide
                .channels
                .iter()
                .map(|c| channel_words(*c, tr))
                .collect(),
            counter_only: guide.counter_only(),
        }
    }
}

pub fn channel_words(channel: Channel, tr: Tr) -> String {
    tr.s(&format!("guide.channel.{}", channel.as_str()))
        .to_owned()
}

/// The legal delay in words.
pub fn delay_words(days: i64, tr: Tr) -> String {
    match days {
        0 => tr.s("guide.delay_now").to_owned(),
        days => tr.n("guide.delay_days", days),
    }
}

/// The documents to bring, in a language (French where the service's list
/// has no translation).
pub fn documents_in(detail: &ServiceDetail, lang: Lang) -> Vec<String> {
    detail
        .service
        .required_documents
        .iter()
        .map(|d| name_in(lang, &d.name, d.name_ar.as_deref()))
        .collect()
}

#[derive(Template)]
#[template(path = "portal_guide_service.html")]
struct ProcedurePage {
    f: Frame,
    at: Addresses,
    site: String,
    site_name: String,
    id: String,
    name: String,
    name_lang: Option<&'static str>,
    description: String,
    written: Option<Written>,
    documents: Vec<String>,
    delay: String,
    book: bool,
    request: bool,
}

async fn procedure(
    State(state): State<AppState>,
    f: Frame,
    Path((site, service)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let f = shared(f);
    let app = &state.app;
    let fail = |e| PageError::new(&f, e);
    let site_view = crate::app::sites::require(app, &site).await.map_err(fail)?;
    let detail = guides::service(app, &site, &service).await.map_err(fail)?;
    let written = detail.guide.as_ref().map(|g| Written::of(g, f.tr));
    let description = written
        .as_ref()
        .map(|w| short(&w.summary, 160))
        .unwrap_or_else(|| f.tr.s("guide.description").to_owned());
    let s = &detail.service;
    let page = ProcedurePage {
        at: Addresses::of(
            &app.links.public_url,
            &format!("/guide/{site}/{service}"),
            f.lang,
        ),
        site_name: name_in(f.lang, &site_view.name, site_view.name_ar.as_deref()),
        name: named(f.lang, s).0,
        name_lang: named(f.lang, s).1,
        id: s.id.clone(),
        documents: documents_in(&detail, f.lang),
        delay: delay_words(s.processing_days, f.tr),
        book: !s.appointment_modes.is_empty(),
        request: s.processing_days > 0,
        description,
        written,
        site,
        f,
    };
    Ok(cacheable(render(&page)))
}

/// At most `max` characters, cut at a word with "…".
pub fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    let at_word = cut
        .rsplit_once(char::is_whitespace)
        .map_or(cut.as_str(), |(a, _)| a);
    format!("{}…", at_word.trim_end())
}

/// A service's name in the page's language, and the language it is in
/// where that is not the page's.
fn named(lang: Lang, s: &ServiceView) -> (String, Option<&'static str>) {
    service_name_in(lang, &s.name, s.name_ar.as_deref(), s.name_en.as_deref())
}

#[cfg(test)]
mod tests {
    #[test]
    fn descriptions_are_cut_at_a_word() {
        assert_eq!(super::short("un deux trois", 40), "un deux trois");
        assert_eq!(super::short("un deux trois", 10), "un deux…");
    }
}
