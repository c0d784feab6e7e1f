//! The appointment a visitor holds, as every page about it reads it: with
//! its token (from the address, or from a form) or the visitor's citizen
//! session. Refused, it is the error page: a wrong token is a 404, so
//! nobody learns whether the reference exists.

use super::booking::{TokenQuery, dates, manage_url, mode_label, name_in, opaque, service_name_in};
use super::me;
use crate::app::AppResult;
use crate::app::access::Access;
use crate::app::appointments::{self, AppointmentView};
use crate::app::auth::Principal;
use crate::app::bring::{self, Bring};
use crate::app::sites::SiteContext;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError};
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// An appointment its visitor may see, with the page's frame. As an
/// extractor, the reference is the path's and the token is `?token=`.
pub struct Held {
    pub f: Frame,
    pub view: AppointmentView,
    pub context: Arc<SiteContext>,
    /// The token as given, if it could be one.
    pub token: Option<String>,
    citizen: Option<Principal>,
}

/// The appointment as its pages show it.
pub struct Shown {
    pub reference: String,
    pub when: String,
    pub site_name: String,
    pub service_name: String,
    /// `fr` when an English page shows the French name.
    pub service_lang: Option<&'static str>,
    pub mode: &'static str,
    pub persons: i64,
    pub status: &'static str,
    pub video_url: Option<String>,
    /// Still booked and ahead: it may be cancelled or moved.
    pub open: bool,
    pub cancelled: bool,
    /// `?token=…` (or `?` for a logged-in citizen): every link of the pages.
    pub query: String,
    pub token: String,
    /// What to bring and where to go.
    pub bring: Bring,
}

impl Held {
    /// Reads `reference` for this visitor: `token`, or their session.
    pub async fn load(
        state: &AppState,
        f: Frame,
        headers: &HeaderMap,
        reference: &str,
        token: Option<&str>,
    ) -> Result<Self, PageError> {
        let citizen = me::citizen(state, headers).await.map(|(_, who)| who);
        let token = opaque(token).map(str::to_owned);
        let access = Access {
            who: citizen.as_ref(),
            token: token.as_deref(),
        };
        let read = async {
            let view = appointments::get(&state.app, reference, access).await?;
            let context = SiteContext::load(&state.app, &view.site).await?;
            AppResult::Ok((view, context))
        };
        match read.await {
            Ok((view, context)) => Ok(Held {
                f,
                view,
                context,
                token,
                citizen,
            }),
            Err(error) => Err(PageError::new(&f, error)),
        }
    }

    /// Who acts on it: the same token or session it was read with.
    pub fn access(&self) -> Access<'_> {
        Access {
            who: self.citizen.as_ref(),
            token: self.token.as_deref(),
        }
    }

    /// The manage page in full, with the token (for QR codes and files).
    pub fn manage_url(&self, state: &AppState) -> String {
        manage_url(&state.app, &self.view.reference, self.token.as_deref())
    }

    pub fn shown(&self, state: &AppState) -> Shown {
        let (lang, view, context) = (self.f.lang, &self.view, &self.context);
        let token = self.token.clone().unwrap_or_default();
        let service = context.service(&view.service);
        let start = view.start.parse::<jiff::Timestamp>().ok();
        let ahead = start.is_some_and(|start| start > state.app.clock.now());
        let start_ms = start.map_or(0, jiff::Timestamp::as_millisecond);
        let bring =
            bring::for_appointment(context, &view.service, &view.mode, start_ms, lang.code());
        let (service_name, service_lang) = service.map_or((String::new(), None), |s| {
            service_name_in(lang, &s.name, s.name_ar.as_deref(), s.name_en.as_deref())
        });
        Shown {
            reference: view.reference.clone(),
            when: dates::when(lang, &view.start),
            site_name: name_in(lang, &context.row.name, context.row.name_ar.as_deref()),
            service_name,
            service_lang,
            mode: mode_label(lang, &view.mode),
            persons: view.persons,
            status: lang.tr().s(me::appointment_status(&view.status)),
            video_url: view.video_url.clone(),
            open: view.status == "booked" && ahead,
            cancelled: view.status == "cancelled",
            query: format!("?token={token}"),
            token,
            bring,
        }
    }
}

impl FromRequestParts<AppState> for Held {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Ok(f) = Frame::from_request_parts(parts, state).await;
        let Path(reference) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let token = Query::<TokenQuery>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|Query(query)| query.token);
        Held::load(state, f, &parts.headers, &reference, token.as_deref())
            .await
            .map_err(IntoResponse::into_response)
    }
}
