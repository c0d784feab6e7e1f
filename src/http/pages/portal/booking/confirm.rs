//! The confirmation `/appointments/{ref}/confirmation?token=…`, where a
//! booking lands: the reference, the local time, the manage link (also as
//! a QR code to scan from another phone) and the calendar file.

use super::qr;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render};
use crate::http::pages::portal::held::{Held, Shown};
use askama::Template;
use axum::extract::State;
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
    a: Shown,
    manage: String,
    qr: String,
}

/// What the citizen sees once booked: the reference, the time, the manage
/// link (also as a QR code to scan from another phone) and the calendar file.
pub async fn confirmation(
    State(state): State<AppState>,
    held: Held,
) -> Result<Response, PageError> {
    let manage = held.manage_url(&state);
    Ok(render(&DonePage {
        a: held.shown(&state),
        qr: qr::svg(&manage, held.f.tr.s("portal.done.qr")),
        manage,
        f: held.f,
    }))
}
