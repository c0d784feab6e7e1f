//! The confirmation `/appointments/{ref}/confirmation?token=…`, where a
//! booking lands: the reference, the local time, the manage link (also as
//! a QR code to scan from another phone) and the calendar file.

use super::{dates, manage_url, mode_label, name_in, opaque, qr};
use crate::app::appointments::{self, Access};
use crate::app::sites::SiteContext;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render};
use crate::http::pages::portal::me;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}

#[derive(Template)]
#[template(path = "portal_book_done.html")]
struct DonePage {
    f: Frame,
    reference: String,
    when: String,
    site_name: String,
    service_name: String,
    mode: &'static str,
    video_url: Option<String>,
    manage: String,
    calendar: String,
    qr: String,
}

/// What the citizen sees once booked: the reference, the time, the manage
/// link (also as a QR code to scan from another phone) and the calendar file.
pub async fn confirmation(
    State(state): State<AppState>,
    f: Frame,
    headers: HeaderMap,
    Path(reference): Path<String>,
    Query(query): Query<TokenQuery>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let who = me::citizen(&state, &headers).await;
    let token = opaque(query.token.as_deref());
    let access = Access {
        who: who.as_ref().map(|(_, p)| p),
        token,
    };
    let view = appointments::get(app, &reference, access)
        .await
        .map_err(|e| PageError::new(&f, e))?;
    let context = SiteContext::load(app, &view.site)
        .await
        .map_err(|e| PageError::new(&f, e))?;
    let service = context.service(&view.service);
    let manage = manage_url(app, &view.reference, token);
    let page = DonePage {
        when: dates::when(f.lang, &view.start),
        site_name: name_in(f.lang, &context.row.name, context.row.name_ar.as_deref()),
        service_name: service
            .map(|s| name_in(f.lang, &s.name, s.name_ar.as_deref()))
            .unwrap_or_default(),
        mode: mode_label(f.lang, &view.mode),
        video_url: view.video_url.clone(),
        calendar: format!(
            "/appointments/{}/calendar.ics?token={}",
            view.reference,
            token.unwrap_or_default()
        ),
        qr: qr::svg(&manage, f.tr.s("portal.done.qr")),
        manage,
        reference: view.reference,
        f,
    };
    Ok(render(&page))
}
