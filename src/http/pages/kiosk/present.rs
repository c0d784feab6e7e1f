//! A ticket taken from afar (web or SMS) confirmed present at the kiosk's
//! check-in form: by its number (`A012`, typed) or by the tracking link
//! its SMS carries (`https://…/t/{id}`, scanned from the QR code). The
//! screen says "present, wait for your number" with the number, or why
//! not: unknown number, already lapsed, not a ticket taken from afar.

use super::checkin::page;
use super::{Kiosk, Names};
use crate::app::{AppError, remote_queue};
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::response::{IntoResponse, Response};

/// What was typed or scanned, when it is a ticket rather than an
/// appointment reference.
#[derive(Debug, PartialEq, Eq)]
pub enum Arrival {
    /// A ticket number: one letter and 3 to 6 digits, uppercase.
    Number(String),
    /// A ticket's id, from its tracking link.
    Ticket(String),
}

/// Longest id a tracking link carries (ids are 22 characters).
const MAX_ID: usize = 64;

/// The ticket in `input`: a tracking link's id (kept as typed: ids are
/// case-sensitive), or a ticket number; `None` for anything else, which
/// is an appointment reference. Appointment references are 8 characters
/// in two halves, never one letter and digits only up to 7 characters.
pub fn arrival(input: &str) -> Option<Arrival> {
    let input = input.trim();
    if let Some((_, after)) = input.split_once("/t/") {
        let id: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .take(MAX_ID + 1)
            .collect();
        return (!id.is_empty() && id.len() <= MAX_ID).then_some(Arrival::Ticket(id));
    }
    let number: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .take(16)
        .collect();
    let mut chars = number.chars();
    let letter = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    let digits = chars.as_str();
    let is_number =
        letter && (3..=6).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    is_number.then_some(Arrival::Number(number))
}

#[derive(Template)]
#[template(path = "kiosk_present.html")]
struct Present {
    f: Frame,
    home: String,
    number: String,
    service: Names,
}

/// Marks the ticket present and shows the confirmation, or the check-in
/// form again with why not.
pub async fn confirm(k: &Kiosk, arrival: Arrival, typed: &str) -> Response {
    let done = match &arrival {
        Arrival::Ticket(id) => remote_queue::present(&k.app, &k.who, id).await,
        Arrival::Number(number) => {
            remote_queue::present_by_number(&k.app, &k.who, &k.site.id, number).await
        }
    };
    match done {
        Ok(ticket) => {
            let service = k.service(&ticket.service).map_or_else(
                || Names::of(k.f.lang, &ticket.service, None),
                |s| k.service_of(s).names,
            );
            render(&Present {
                f: k.f.clone(),
                home: k.home(),
                number: ticket.number,
                service,
            })
        }
        Err(error) => match refusal(&error) {
            Some(key) => {
                let said = Names::said(k.f.tr, k.f.other(), key, "");
                let shown = match &arrival {
                    Arrival::Number(number) => number.as_str(),
                    Arrival::Ticket(_) => typed.trim(),
                };
                let status = crate::http::error::status_of(&error);
                let shown: String = shown.chars().take(80).collect();
                (status, render(&page(k, &shown, Some(said)))).into_response()
            }
            None => PageError::new(&k.f, error).into_response(),
        },
    }
}

/// The kiosk's words for a refused presence.
fn refusal(error: &AppError) -> Option<&'static str> {
    Some(match error {
        AppError::NotFound(_) | AppError::Forbidden(_) => "kiosk.present.unknown",
        AppError::Invalid(_) => "kiosk.present.unknown",
        AppError::Conflict { code, message } => match *code {
            "not_remote" => "kiosk.present.not_remote",
            "lapsed" => "kiosk.present.lapsed",
            // Lapsed and closed by the sweep: it ended as a no-show.
            "not_waiting" if message.ends_with("no_show") => "kiosk.present.lapsed",
            _ => "kiosk.present.over",
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_links_are_tickets_references_are_not() {
        let number = |n: &str| Some(Arrival::Number(n.to_owned()));
        assert_eq!(arrival("A012"), number("A012"));
        assert_eq!(arrival(" a012 \n"), number("A012"));
        assert_eq!(arrival("B1000"), number("B1000"));
        let id = "Zk3_q-9PxYw2Lm8Nn4Rr1A";
        let ticket = Some(Arrival::Ticket(id.to_owned()));
        assert_eq!(
            arrival(&format!("https://guichet.example.ma/t/{id}")),
            ticket
        );
        assert_eq!(arrival(&format!("http://x/t/{id}?lang=ar")), ticket);
        assert_eq!(arrival(&format!("/t/{id}/\n")), ticket);
        for reference in [
            "K7M2-Q9PX",
            "k7m2q9px",
            "A0123456",
            "DR-004217",
            "A01",
            "AB012",
            "",
            "/t/",
        ] {
            assert_eq!(arrival(reference), None, "{reference:?}");
        }
        assert_eq!(arrival(&format!("/t/{}", "a".repeat(65))), None);
    }
}
