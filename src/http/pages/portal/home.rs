//! The portal's first pages: `/` lists the offices, `/sites/{site}` is an
//! office's page — its hours, the digital guide of its procedures (each
//! service with its channels and the documents to bring), the queue now,
//! and the links to book, to join the queue from afar or to request a
//! document.

use super::booking::{dates, name_in, service_name_in};
use super::earliest;
use crate::app::{directory, queue, sites};
use crate::domain::opening_hours::DAYS;
use crate::http::AppState;
use crate::http::client_ip::ClientIp;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(offices))
        .route("/sites/{site}", get(office))
}

struct OfficeLink {
    id: String,
    name: String,
}

#[derive(Template)]
#[template(path = "portal_home.html")]
struct HomePage {
    f: Frame,
    offices: Vec<OfficeLink>,
    /// "The earliest slot available", when some office has kinds.
    earliest: Option<earliest::Block>,
}

async fn offices(
    State(state): State<AppState>,
    f: Frame,
    ClientIp(client): ClientIp,
    Query(ask): Query<earliest::SearchQuery>,
) -> Result<Response, PageError> {
    let offices = directory::offices(&state.app)
        .await
        .or_page(&f)?
        .into_iter()
        .map(|o| OfficeLink {
            name: name_in(f.lang, &o.name, o.name_ar.as_deref()),
            id: o.id,
        })
        .collect();
    let earliest = earliest::block(&state, &f, &client, &ask).await;
    Ok(render(&HomePage {
        f,
        offices,
        earliest,
    }))
}

struct Hours {
    day: &'static str,
    /// "08:30–12:00, 14:00–16:30", empty when closed.
    times: String,
}

struct Procedure {
    id: String,
    /// The name, and `fr` when an English page shows the French one.
    name: (String, Option<&'static str>),
    walk_in: bool,
    in_person: bool,
    video: bool,
    /// Whether a document can be requested online and collected later.
    request: bool,
    processing_days: i64,
    documents: Vec<String>,
    /// People waiting now and the estimate in minutes, for walk-in services.
    waiting: Option<(i64, i64)>,
    /// Joining the queue from here, for services that take remote tickets.
    remote: Option<super::remote::offer::Button>,
}

#[derive(Template)]
#[template(path = "portal_site.html")]
struct SitePage {
    f: Frame,
    site: String,
    name: String,
    /// The other office language's name, shown under the first.
    other_name: Option<String>,
    hours: Vec<Hours>,
    services: Vec<Procedure>,
}

async fn office(
    State(state): State<AppState>,
    f: Frame,
    Path(site): Path<String>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let view = sites::get(app, &site).await.or_page(&f)?;
    // The queue is a bonus on this page: an office whose queue cannot be
    // read now is still shown, without it.
    let queue = queue::snapshot(app, &site).await.ok();
    let mut remote = super::remote::offer::buttons(app, &f, &site).await;
    let hours = DAYS
        .iter()
        .map(|(key, day)| Hours {
            day: dates::weekday_name(f.lang, *day),
            times: view
                .opening_hours
                .get(*key)
                .map(|spans| {
                    spans
                        .iter()
                        .map(|[from, to]| format!("{from}–{to}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default(),
        })
        .collect();
    let services = view
        .services
        .iter()
        .map(|s| Procedure {
            id: s.id.clone(),
            name: service_name_in(f.lang, &s.name, s.name_ar.as_deref(), s.name_en.as_deref()),
            walk_in: s.walk_in,
            in_person: s.appointment_modes.iter().any(|m| m == "in_person"),
            video: s.appointment_modes.iter().any(|m| m == "video"),
            request: s.processing_days > 0,
            processing_days: s.processing_days,
            documents: s
                .required_documents
                .iter()
                .map(|d| name_in(f.lang, &d.name, d.name_ar.as_deref()))
                .collect(),
            waiting: queue
                .as_ref()
                .and_then(|q| q.services.iter().find(|w| w.id == s.id))
                .filter(|_| s.walk_in)
                .map(|w| (w.waiting, (w.estimated_wait_seconds + 59) / 60)),
            remote: remote.remove(&s.id),
        })
        .collect();
    let name = name_in(f.lang, &view.name, view.name_ar.as_deref());
    let other = match f.lang {
        crate::http::pages::i18n::Lang::Ar => Some(view.name.clone()),
        _ => view.name_ar.clone(),
    };
    Ok(render(&SitePage {
        other_name: other.filter(|o| *o != name),
        name,
        site,
        hours,
        services,
        f,
    }))
}
