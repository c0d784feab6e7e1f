//! The receipt of a document request, in French and Arabic at once: what
//! the kiosk prints on its 80 mm roll right after a request is filed, and
//! what the private link `receipt_url` shows (`portal::requests::receipt`).
//! Reference, procedure, documents to bring or hand in, the expected day
//! in working days, and a QR code of the receipt's own link to follow it.
//! It names no one: the receipt carries no name, phone or e-mail.

use super::{Kiosk, Names, Service};
use crate::app::receipts::day_month_year;
use crate::app::requests::RequestView;
use crate::app::sites::SiteView;
use crate::http::pages::frame::{Frame, render};
use crate::http::pages::i18n::Lang;
use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::Response;

/// Seconds the receipt stays on the kiosk's screen once printed.
const SHOWN_SECONDS: u32 = 15;

/// What a receipt says.
pub struct Paper {
    pub site: Names,
    pub reference: String,
    pub service: Names,
    /// Local `dd/mm/yyyy HH:MM` of filing.
    pub filed: String,
    /// Local `dd/mm/yyyy` it should be ready.
    pub ready_on: String,
    pub days: i64,
    pub documents: Vec<Names>,
    /// The ticket taken with it at the kiosk, printed on the same paper.
    pub ticket: Option<String>,
    pub url: String,
    pub qr: String,
}

impl Paper {
    /// The receipt of `view`, filed at `site`, whose private link is `url`.
    pub fn of(lang: Lang, site: &SiteView, view: &RequestView, url: String) -> Self {
        let service = site.services.iter().find(|s| s.id == view.service);
        let (names, documents) = match service {
            Some(s) => {
                let s = Service::of(lang, s);
                (s.names, s.documents)
            }
            None => (Names::of(lang, &view.service, None), Vec::new()),
        };
        let time = view.created_at.get(11..16).unwrap_or("");
        Paper {
            site: Names::of(lang, &site.name, site.name_ar.as_deref()),
            reference: view.reference.clone(),
            service: names,
            filed: format!("{} {time}", day_month_year(&view.created_at)),
            ready_on: day_month_year(&view.expected_ready_on),
            days: service.map_or(0, |s| s.processing_days),
            documents,
            ticket: None,
            qr: super::ticket::qr_svg(&url),
            url,
        }
    }
}

#[derive(Template)]
#[template(path = "kiosk_receipt.html")]
struct KioskReceipt {
    f: Frame,
    home: String,
    paper: Paper,
    shown_seconds: u32,
}

/// The kiosk's print view of a receipt, answered to the filing form's
/// POST itself: no address of it stays in the browser's history.
pub fn print(k: &Kiosk, paper: Paper) -> Response {
    no_store(render(&KioskReceipt {
        home: k.home(),
        paper,
        shown_seconds: SHOWN_SECONDS,
        f: k.f.clone(),
    }))
}

/// Keeps a page that holds a citizen's details or a private link out of
/// every cache, the browser's back-forward cache included.
pub fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
