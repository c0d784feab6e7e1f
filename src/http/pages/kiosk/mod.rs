//! The kiosk `/kiosk/{site}`: the lobby's upright touch screen, in French
//! and Arabic at once (the chosen language first, the other under it).
//! From its home a citizen takes a ticket (`take`), checks in with an
//! appointment reference (`checkin`), follows a document request or reads
//! a service's required documents (`lookup`) or its guide (`guide`),
//! confirms the arrival of a ticket taken from afar (`present`), files
//! a document request (`file`, which ends on its printed `receipt`), or
//! follows a file of another administration (`files`); every ticket ends on its
//! print view (`ticket`), which the kiosk's printer prints.
//!
//! Only a browser set up as a kiosk of the site (opened once with
//! `?device=TOKEN`, which `frame::prepare` turns into the session cookie)
//! gets these pages; any other gets a page saying the kiosk is not set up.

mod checkin;
mod file;
mod files;
mod guide;
mod lookup;
mod present;
pub mod receipt;
mod take;
mod ticket;

use super::cookies;
use super::frame::{Frame, PageError, render};
use super::i18n::{Lang, Tr};
use crate::app::AppError;
use crate::app::auth::{self, Principal};
use crate::app::services::ServiceView;
use crate::app::sites::{self, SiteView};
use crate::domain::role::DeviceKind;
use crate::http::AppState;
use crate::http::auth::SESSION_COOKIE;
use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::{StatusCode, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/kiosk/{site}", get(home))
        .route("/kiosk/{site}/services/{service}", get(take::choose))
        .route("/kiosk/{site}/tickets", axum::routing::post(take::issue))
        .route("/kiosk/{site}/tickets/{id}", get(ticket::show))
        .route(
            "/kiosk/{site}/checkin",
            get(checkin::form).post(checkin::submit),
        )
        .route("/kiosk/{site}/requests", get(lookup::request))
        .route("/kiosk/{site}/documents", get(lookup::documents))
        .route("/kiosk/{site}/guide", get(guide::list))
        .route("/kiosk/{site}/guide/{service}", get(guide::show))
        .route("/kiosk/{site}/files", get(files::form).post(files::follow))
        .route("/kiosk/{site}/file", get(file::choose))
        .route(
            "/kiosk/{site}/file/{service}",
            get(file::page).post(file::submit),
        )
}

/// A request from this site's kiosk: its frame (French or Arabic), the
/// kiosk itself, and the site with its services.
pub struct Kiosk {
    pub app: std::sync::Arc<crate::app::App>,
    pub f: Frame,
    pub who: Principal,
    pub site: SiteView,
}

impl FromRequestParts<AppState> for Kiosk {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let f = match Frame::from_request_parts(parts, state).await {
            Ok(f) => f.for_office(),
            Err(never) => match never {},
        };
        // Every kiosk path is `/kiosk/{site}/…`.
        let site = parts.uri.path().split('/').nth(2).unwrap_or("").to_owned();
        let who = match kiosk_of(state, parts, &site).await {
            Ok(who) => who,
            Err(expired) => {
                let page = NotSetUp { f, site, expired };
                let mut response = render(&page);
                *response.status_mut() = StatusCode::FORBIDDEN;
                return Err(response);
            }
        };
        let site = sites::get(&state.app, &site)
            .await
            .map_err(|e| PageError::new(&f, e).into_response())?;
        let f = f.with_tamazight(site.tamazight);
        Ok(Kiosk {
            app: state.app.clone(),
            f,
            who,
            site,
        })
    }
}

/// The kiosk device of `site` whose token is this browser's session; else
/// whether that token was a device's that expired unused.
async fn kiosk_of(state: &AppState, parts: &Parts, site: &str) -> Result<Principal, bool> {
    let token = cookies::read(&parts.headers, SESSION_COOKIE).ok_or(false)?;
    let who = auth::authenticate(&state.app, token)
        .await
        .map_err(|e| auth::is_device_idle(&e))?;
    let here = matches!(&who, Principal::Device { kind: DeviceKind::Kiosk, site: own, .. }
        if own == site);
    if here { Ok(who) } else { Err(false) }
}

impl Kiosk {
    /// The kiosk's home, in French: where it goes back to when idle.
    pub fn home(&self) -> String {
        format!("/kiosk/{}?lang=fr", self.site.id)
    }

    /// The site's name in the page's language and in the other one.
    pub fn site_names(&self) -> Names {
        Names::of(self.f.lang, &self.site.name, self.site.name_ar.as_deref())
    }

    /// Every service of the site, as the kiosk shows them.
    pub fn services(&self) -> Vec<Service> {
        let all = self.site.services.iter();
        all.map(|s| self.service_of(s)).collect()
    }

    /// A service as the kiosk shows it, with its Tamazight name on a site
    /// that shows Tamazight.
    pub fn service_of(&self, s: &ServiceView) -> Service {
        let mut service = Service::of(self.f.lang, s);
        if self.f.zgh {
            service.names.zgh = s.name_zgh.clone();
        }
        service
    }

    pub fn service(&self, id: &str) -> Option<&ServiceView> {
        self.site.services.iter().find(|s| s.id == id)
    }
}

/// A name as the kiosk shows it: in the page's language, and under it in
/// the other office language when that reads differently.
#[derive(Debug, Clone)]
pub struct Names {
    pub main: String,
    pub other: Option<String>,
    /// In Tamazight (Tifinagh), on a site that shows it, when there is one.
    pub zgh: Option<String>,
}

impl Names {
    /// From a French name and its optional Arabic one.
    pub fn of(lang: Lang, fr: &str, ar: Option<&str>) -> Self {
        let ar = ar.filter(|a| !a.trim().is_empty());
        let (main, other) = match (lang, ar) {
            (Lang::Ar, Some(ar)) => (ar, Some(fr)),
            (_, ar) => (fr, ar),
        };
        Names {
            main: main.to_owned(),
            other: other.map(str::to_owned),
            zgh: None,
        }
    }

    /// A message in both languages: `key` with `{}` replaced by `value`.
    pub fn said(tr: Tr, other: Tr, key: &str, value: impl std::fmt::Display) -> Self {
        let value = value.to_string();
        Names {
            main: tr.f(key, &value),
            other: Some(other.f(key, &value)),
            zgh: None,
        }
    }
}

/// A service on the kiosk: its names and its required documents.
#[derive(Debug, Clone)]
pub struct Service {
    pub id: String,
    pub names: Names,
    pub documents: Vec<Names>,
}

impl Service {
    pub fn of(lang: Lang, s: &ServiceView) -> Self {
        Service {
            id: s.id.clone(),
            names: Names::of(lang, &s.name, s.name_ar.as_deref()),
            documents: s
                .required_documents
                .iter()
                .map(|d| Names::of(lang, &d.name, d.name_ar.as_deref()))
                .collect(),
        }
    }
}

/// What the kiosk says about an error a citizen can act on, in both
/// languages; `None` for the errors only a page of its own can explain.
pub fn explain(k: &Kiosk, error: &AppError) -> Option<Names> {
    let key = match error {
        AppError::Invalid(invalid) if invalid.field == "phone" => "kiosk.error.phone",
        AppError::NotFound(_) => "kiosk.error.unknown",
        AppError::Conflict { code, .. } => match *code {
            "site_closed" => "kiosk.error.closed",
            "too_early" => "kiosk.error.too_early",
            "appointment_missed" => "kiosk.error.missed",
            "already_checked_in" => "kiosk.error.already",
            "video_appointment" => "kiosk.error.video",
            _ => "kiosk.error.not_booked",
        },
        _ => return None,
    };
    Some(Names::said(
        k.f.tr,
        k.f.other(),
        key,
        k.site.checkin_early_minutes,
    ))
}

#[derive(Template)]
#[template(path = "kiosk_unset.html")]
struct NotSetUp {
    f: Frame,
    site: String,
    /// Its token expired unused: an admin must give it a new one.
    expired: bool,
}

impl NotSetUp {
    fn reason(&self) -> &'static str {
        if self.expired {
            "kiosk.unset.expired"
        } else {
            "kiosk.unset.body"
        }
    }
}

#[derive(Template)]
#[template(path = "kiosk_home.html")]
struct Home {
    f: Frame,
    home: String,
    site: String,
    names: Names,
    services: Vec<Service>,
}

async fn home(k: Kiosk) -> Response {
    let services = k
        .site
        .services
        .iter()
        .filter(|s| s.walk_in)
        .map(|s| k.service_of(s))
        .collect();
    render(&Home {
        home: k.home(),
        names: k.site_names(),
        site: k.site.id.clone(),
        services,
        f: k.f,
    })
}
