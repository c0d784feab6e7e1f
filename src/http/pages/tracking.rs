//! Ticket tracking `/t/{ticket}`: the page the ticket's QR code opens on
//! the citizen's phone. It shows the number, the service, the status, the
//! place in line and the estimated wait, server-rendered; `tracking.js`
//! keeps it current from `/ws/tickets/{id}` and, once the ticket is
//! called, shows the counter to go to. The ticket's phone is never shown.

use super::frame::{Frame, PageError, render};
use super::lobby::view::counter_words;
use super::portal::booking::name_in;
use crate::app::{sites, tickets};
use crate::domain::ticket::Status;
use crate::http::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::BTreeMap;

pub fn router() -> Router<AppState> {
    Router::new().route("/t/{ticket}", get(track))
}

#[derive(Template)]
#[template(path = "tracking.html")]
struct Tracking {
    f: Frame,
    id: String,
    number: String,
    office: String,
    service: String,
    status: Status,
    position: Option<i64>,
    wait_minutes: Option<i64>,
    /// Where to go, once called: "Guichet 3" in the page's language.
    counter: Option<String>,
    /// Service names by id, for the script (a transfer changes the service).
    services_json: String,
}

async fn track(State(state): State<AppState>, f: Frame, Path(id): Path<String>) -> Response {
    let ticket = match tickets::get(&state.app, &id).await {
        Ok(ticket) => ticket,
        Err(error) => return PageError::new(&f, error).into_response(),
    };
    let site = match sites::get(&state.app, &ticket.site).await {
        Ok(site) => site,
        Err(error) => return PageError::new(&f, error).into_response(),
    };
    let local = |fr: &str, ar: Option<&str>| name_in(f.lang, fr, ar);
    let names: BTreeMap<&str, String> = site
        .services
        .iter()
        .map(|s| (s.id.as_str(), local(&s.name, s.name_ar.as_deref())))
        .collect();
    let service = names
        .get(ticket.service.as_str())
        .cloned()
        .unwrap_or_else(|| ticket.service.clone());
    let counter = ticket
        .counter
        .as_ref()
        .and_then(|c| c["label"].as_str())
        .map(|label| counter_words(label, f.tr));
    let page = Tracking {
        office: local(&site.name, site.name_ar.as_deref()),
        services_json: super::frame::script_json(
            &serde_json::to_string(&names).unwrap_or_else(|_| "{}".to_owned()),
        ),
        id: ticket.id,
        number: ticket.number,
        service,
        status: ticket.status,
        position: ticket.position,
        wait_minutes: ticket
            .estimated_wait_seconds
            .map(|s| ((s + 59) / 60).max(1)),
        counter,
        f,
    };
    render(&page)
}

impl Tracking {
    /// The status's words key.
    fn status_key(&self) -> &'static str {
        match self.status {
            Status::Waiting => "portal.track.status.waiting",
            Status::Called => "portal.track.status.called",
            Status::Serving => "portal.track.status.serving",
            Status::Done => "portal.track.status.done",
            Status::NoShow => "portal.track.status.no_show",
            Status::Cancelled => "portal.track.status.cancelled",
        }
    }

    fn called(&self) -> bool {
        self.status == Status::Called
    }

    fn waiting(&self) -> bool {
        self.status == Status::Waiting
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::pages::i18n::{Lang, Tr};

    fn counter_name(tr: Tr, label: &str) -> String {
        counter_words(label, tr)
    }

    #[test]
    fn counters_are_named_in_the_page_language() {
        assert_eq!(counter_name(Lang::Ar.tr(), "Guichet 3"), "الشباك رقم 3");
        assert_eq!(counter_name(Lang::Fr.tr(), "Guichet 12"), "Guichet 12");
        assert_eq!(counter_name(Lang::En.tr(), "Accueil"), "Accueil");
    }
}
