//! The remote ticket `/t/{id}/joined`, where a join lands: the number big,
//! the place in line and the estimate, when to leave home (the office's
//! travel margin), how to check in at the kiosk, and the tracking page's
//! link with its QR code. Public like `/t/{id}`: the id is unguessable.
//! A ticket that is not a waiting remote one goes to its tracking page.

use super::minutes;
use crate::app::{sites, tickets};
use crate::domain::ticket::Status;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use crate::http::pages::portal::booking::{qr, service_name_in};
use crate::http::pages::portal::citizen::local_name;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "portal_remote_ticket.html")]
struct TicketPage {
    f: Frame,
    id: String,
    number: String,
    office: String,
    service: String,
    /// `fr` when an English page shows the French name.
    service_lang: Option<&'static str>,
    position: Option<i64>,
    wait_minutes: Option<i64>,
    travel_margin: i64,
    track_url: String,
    qr: String,
}

pub(super) async fn page(
    State(state): State<AppState>,
    f: Frame,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let ticket = tickets::get(app, &id).await.or_page(&f)?;
    if !ticket.remote || ticket.status != Status::Waiting {
        return Ok(Redirect::to(&format!("/t/{}", ticket.id)).into_response());
    }
    let site = sites::get(app, &ticket.site).await.or_page(&f)?;
    let (service, service_lang) = site
        .services
        .iter()
        .find(|s| s.id == ticket.service)
        .map(|s| {
            let (ar, en) = (s.name_ar.as_deref(), s.name_en.as_deref());
            service_name_in(f.lang, &s.name, ar, en)
        })
        .unwrap_or_else(|| (ticket.service.clone(), None));
    let track_url = format!("{}/t/{}", app.links.public_url, ticket.id);
    Ok(render(&TicketPage {
        qr: qr::svg(&track_url, f.tr.s("portal.remote.qr")),
        office: local_name(f.lang, &site.name, site.name_ar.as_deref()),
        service,
        service_lang,
        id: ticket.id,
        number: ticket.number,
        position: ticket.position,
        wait_minutes: ticket.estimated_wait_seconds.map(minutes),
        travel_margin: site.travel_margin_minutes,
        track_url,
        f,
    }))
}
