//! What the pages that follow a citizen's filed record share (document
//! requests, complaints): how they are asked (the reference in the path,
//! the token in the query, the caller if logged in), the record's office
//! and service in words, its private link, and the "follow" form that
//! leads there by reference.

use super::citizen::{clean_code, date_time, local_name};
use crate::app::access::Access;
use crate::app::auth::Principal;
use crate::app::{App, AppResult, sites};
use crate::http::AppState;
use crate::http::auth::MaybeCaller;
use crate::http::pages::frame::Frame;
use crate::http::pages::i18n::{Lang, Tr};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// A follow page's request: `/{family}/{reference}?token=…`.
pub struct Asked {
    pub reference: String,
    /// The token, if one made of our characters was given.
    pub token: Option<String>,
    /// The caller; a stale session cookie is no reason to refuse the
    /// token's holder, so it counts as no caller.
    pub who: Option<Principal>,
}

impl Asked {
    /// What the use case checks: the token, or the caller's phone or role.
    pub fn access(&self) -> Access<'_> {
        Access {
            who: self.who.as_ref(),
            token: self.token.as_deref(),
        }
    }

    /// The record's private link under `base` (with the token it was
    /// asked with): relative, and in full to copy.
    pub fn links(&self, app: &App, base: &str, reference: &str) -> (String, String) {
        let link = match &self.token {
            Some(token) => format!("{base}/{reference}?token={token}"),
            None => format!("{base}/{reference}"),
        };
        (format!("{}{link}", app.links.public_url), link)
    }
}

impl FromRequestParts<AppState> for Asked {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let who = MaybeCaller::from_request_parts(parts, state).await;
        let Path(reference) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Query(query) = Query::<TokenQuery>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self {
            reference,
            token: query.token.as_deref().and_then(|t| clean_code(t, 200)),
            who: who.ok().and_then(|m| m.0),
        })
    }
}

/// A record's office, and one of its services by id, in `lang` (the id
/// itself for a service the office no longer has).
pub async fn place(
    app: &App,
    lang: Lang,
    site: &str,
    service: Option<&str>,
) -> AppResult<(String, Option<String>)> {
    let site = sites::get(app, site).await?;
    let service = service.map(|id| {
        site.services
            .iter()
            .find(|s| s.id == id)
            .map_or(id.to_owned(), |s| {
                local_name(lang, &s.name, s.name_ar.as_deref())
            })
    });
    let office = local_name(lang, &site.name, site.name_ar.as_deref());
    Ok((office, service))
}

/// A status in words: `portal.{family}.status.{status}`.
pub fn status_word(tr: Tr, family: &str, status: &str) -> String {
    tr.s(&format!("portal.{family}.status.{status}")).to_owned()
}

/// A step of a record's history, in words.
pub struct Step {
    pub status: String,
    pub at: String,
    pub reason: Option<String>,
}

/// A record of `family` (`request`, `complaint`) put in the page's words.
pub struct Words {
    pub tr: Tr,
    pub lang: Lang,
    pub family: &'static str,
}

impl Words {
    pub fn status(&self, status: &str) -> String {
        status_word(self.tr, self.family, status)
    }

    /// A step: its status in words, its local time, and why (if said).
    pub fn step(&self, status: &str, at: &str, reason: Option<&str>) -> Step {
        Step {
            status: self.status(status),
            at: date_time(self.lang, at),
            reason: reason.map(str::to_owned),
        }
    }
}

/// What a followed record's pages show, whatever its kind; `more` is what
/// its kind adds (a request's expected day, a complaint's answer).
pub struct Shown<M> {
    pub reference: String,
    /// The status in words, and as stored (`state`, for the page's style).
    pub status: String,
    pub state: String,
    pub office: String,
    pub service: Option<String>,
    pub history: Vec<Step>,
    /// The private link, to keep (relative, and in full to copy).
    pub link: String,
    pub full_link: String,
    pub more: M,
}

/// The record behind a follow page, as its use case read it.
pub struct Record<'a> {
    /// `request` or `complaint`: the words' family.
    pub family: &'static str,
    /// Where its pages are: `/requests`, `/complaints`.
    pub base: &'static str,
    pub site: &'a str,
    pub service: Option<&'a str>,
    pub reference: &'a str,
    pub status: &'a str,
    /// Each step: its status, when, and why (if said).
    pub history: Vec<(&'a str, &'a str, Option<&'a str>)>,
}

impl<M> Shown<M> {
    /// The `record` put in the page's words for the caller who `asked`.
    pub async fn of(
        app: &App,
        f: &Frame,
        asked: &Asked,
        record: Record<'_>,
        more: M,
    ) -> AppResult<Self> {
        let lang = f.lang;
        let (office, service) = place(app, lang, record.site, record.service).await?;
        let words = Words {
            tr: f.tr,
            lang,
            family: record.family,
        };
        let (full_link, link) = asked.links(app, record.base, record.reference);
        Ok(Self {
            reference: record.reference.to_owned(),
            status: words.status(record.status),
            state: record.status.to_owned(),
            office,
            service,
            history: record
                .history
                .iter()
                .map(|(status, at, reason)| words.step(status, at, *reason))
                .collect(),
            link,
            full_link,
            more,
        })
    }
}

/// The "follow" form's fields, as typed.
#[derive(Deserialize)]
pub struct Find {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    pub token: String,
}

impl Find {
    /// The reference typed, upper-cased, if made of our characters.
    pub fn reference(&self) -> Option<String> {
        clean_code(&self.reference.to_uppercase(), 40)
    }
}
