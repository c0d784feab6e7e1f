//! Ticket tracking `/t/{ticket}`: the page the ticket's QR code opens on
//! the citizen's phone. It shows the number, the service, the status, the
//! place in line and the estimated wait, server-rendered; `tracking.js`
//! keeps it current from `/ws/tickets/{id}` and, once the ticket is
//! called, shows the counter to go to. The ticket's phone is never shown.
//! A remote ticket (joined from a phone) also says where its holder
//! stands: on the way (check in at the kiosk on arrival), present, held
//! aside (its turn came: check in before HH:MM or it lapses), or lapsed.

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
    /// A remote ticket's line: where its holder stands, in words.
    remote: Option<RemoteLine>,
}

/// Where a remote ticket's holder stands, as the page says it.
struct RemoteLine {
    /// `on_the_way`, `present`, `held` or `lapsed`; empty when nothing is
    /// to be said (called, being served, done).
    state: &'static str,
    text: String,
}

impl RemoteLine {
    /// The line of a remote ticket, or `None` for a ticket taken at the office.
    fn of(ticket: &tickets::TicketView, tr: crate::http::pages::i18n::Tr) -> Option<Self> {
        if !ticket.remote {
            return None;
        }
        let present = ticket.present == Some(true);
        let (state, text) = match ticket.status {
            Status::Waiting if ticket.held => {
                let until = ticket.held_until.as_deref().and_then(|at| at.get(11..16));
                match until {
                    Some(hm) => ("held", tr.f("portal.track.remote.held", hm)),
                    None => ("held", tr.s("portal.track.remote.held_soon").to_owned()),
                }
            }
            Status::Waiting if present => {
                ("present", tr.s("portal.track.remote.present").to_owned())
            }
            Status::Waiting => (
                "on_the_way",
                tr.s("portal.track.remote.on_the_way").to_owned(),
            ),
            Status::NoShow if !present => ("lapsed", tr.s("portal.track.remote.lapsed").to_owned()),
            _ => ("", String::new()),
        };
        Some(Self { state, text })
    }
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
        remote: RemoteLine::of(&ticket, f.tr),
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

    fn remote(status: Status, present: bool, held_until: Option<&str>) -> tickets::TicketView {
        tickets::TicketView {
            id: "t".into(),
            number: "P004".into(),
            site: "s".into(),
            service: "passport".into(),
            status,
            priority: crate::domain::ticket::Priority::Normal,
            position: None,
            estimated_wait_seconds: None,
            issued_at: "2026-11-26T09:00:00+00:00".into(),
            called_at: None,
            counter: None,
            recalls: 0,
            remote: true,
            present: Some(present),
            held: held_until.is_some(),
            held_until: held_until.map(str::to_owned),
        }
    }

    #[test]
    fn a_remote_ticket_says_where_its_holder_stands() {
        let line = |t: &tickets::TicketView, lang: Lang| RemoteLine::of(t, lang.tr());
        let held = remote(Status::Waiting, false, Some("2026-11-26T09:15:00+01:00"));
        let said = line(&held, Lang::Fr).expect("a line");
        assert_eq!(said.state, "held");
        assert!(said.text.contains("avant 09:15,"), "{}", said.text);
        let said = line(&held, Lang::Ar).expect("a line");
        assert!(said.text.contains("قبل 09:15"), "{}", said.text);
        let away = line(&remote(Status::Waiting, false, None), Lang::Fr);
        assert_eq!(away.map(|l| l.state), Some("on_the_way"));
        let here = line(&remote(Status::Waiting, true, None), Lang::Fr);
        assert_eq!(here.map(|l| l.state), Some("present"));
        let lapsed = line(&remote(Status::NoShow, false, None), Lang::En).expect("a line");
        assert_eq!(lapsed.state, "lapsed");
        assert!(
            lapsed.text.contains("not confirmed in time"),
            "{}",
            lapsed.text
        );
        // Called while present, then absent at the counter: a plain no-show.
        let absent = line(&remote(Status::NoShow, true, None), Lang::Fr).expect("a line");
        assert_eq!((absent.state, absent.text.as_str()), ("", ""));
        let mut walk_in = remote(Status::Waiting, false, None);
        walk_in.remote = false;
        assert!(line(&walk_in, Lang::Fr).is_none());
    }

    #[test]
    fn counters_are_named_in_the_page_language() {
        assert_eq!(counter_name(Lang::Ar.tr(), "Guichet 3"), "الشباك رقم 3");
        assert_eq!(counter_name(Lang::Fr.tr(), "Guichet 12"), "Guichet 12");
        assert_eq!(counter_name(Lang::En.tr(), "Accueil"), "Accueil");
    }
}
