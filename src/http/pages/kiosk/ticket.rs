//! A ticket just taken at the kiosk, which is also its print view: the
//! `kiosk-print.css` stylesheet (media `print`) lays it out for an 80 mm
//! thermal printer, and `kiosk.js` prints it and goes back to the home.
//! The kiosk's browser runs with `--kiosk-printing`, so printing asks
//! nothing. The QR code links to the ticket's tracking page `/t/{id}`.

use super::{Kiosk, Names};
use crate::app::receipts::day_month_year;
use crate::app::tickets;
use crate::domain::ticket::{Priority, Status};
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};

/// Seconds the ticket stays on screen before the kiosk is ready for the next.
const SHOWN_SECONDS: u32 = 12;

#[derive(Template)]
#[template(path = "kiosk_ticket.html")]
struct TicketPage {
    f: Frame,
    home: String,
    site: Names,
    number: String,
    service: Names,
    /// Local date and time of issue, as printed (`23/11/2026`, `09:05`).
    day: String,
    time: String,
    /// People waiting before this ticket; `None` once it is called.
    ahead: Option<i64>,
    wait_minutes: Option<i64>,
    priority: Option<&'static str>,
    url: String,
    qr: String,
    shown_seconds: u32,
}

pub async fn show(k: Kiosk, Path((_, id)): Path<(String, String)>) -> Response {
    let ticket = match tickets::get(&k.app, &id).await {
        Ok(t) if t.site == k.site.id => t,
        Ok(_) => {
            let gone = crate::app::AppError::NotFound("ticket");
            return PageError::new(&k.f, gone).into_response();
        }
        Err(error) => return PageError::new(&k.f, error).into_response(),
    };
    let service = k.service(&ticket.service).map_or_else(
        || Names::of(k.f.lang, &ticket.service, None),
        |s| k.service_of(s).names,
    );
    let url = format!("{}/t/{}", k.app.links.public_url, ticket.id);
    let waiting = ticket.status == Status::Waiting;
    let priority = match ticket.priority {
        Priority::Normal => None,
        Priority::Priority => Some("kiosk.ticket.priority"),
        Priority::Appointment => Some("kiosk.ticket.appointment"),
    };
    let page = TicketPage {
        home: k.home(),
        site: k.site_names(),
        number: ticket.number,
        service,
        day: day_month_year(&ticket.issued_at),
        time: ticket.issued_at.get(11..16).unwrap_or("").to_owned(),
        ahead: ticket.position.filter(|_| waiting).map(|p| p - 1),
        wait_minutes: ticket
            .estimated_wait_seconds
            .filter(|_| waiting)
            .map(|s| ((s + 59) / 60).max(1)),
        priority,
        qr: qr_svg(&url),
        url,
        shown_seconds: SHOWN_SECONDS,
        f: k.f,
    };
    render(&page)
}

/// The QR code of `url` as an inline SVG element (no XML prologue), or
/// nothing if the URL is too long to encode, in which case the printed
/// address still says where to look.
pub(super) fn qr_svg(url: &str) -> String {
    let Ok(code) = qrcode::QrCode::new(url.as_bytes()) else {
        return String::new();
    };
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(180, 180)
        .build();
    svg.find("<svg")
        .map(|at| svg[at..].replacen("<svg ", "<svg class=\"qr-code\" aria-hidden=\"true\" ", 1))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_inline_svg() {
        let svg = qr_svg("https://guichet.example/t/abc");
        assert!(svg.starts_with("<svg class=\"qr-code\""), "{svg}");
        assert!(svg.ends_with("</svg>"));
    }
}
