//! Checking in at the kiosk with an appointment's reference: typed on the
//! screen's keypad, or by a QR/barcode scanner, which types like a
//! keyboard and ends with Enter. The appointment's ticket is then printed
//! like any other; a refusal (too early, another day, unknown) is said in
//! both languages.
//!
//! The same form confirms the arrival of a ticket taken from afar (web or
//! SMS): its number (`A012`) typed, or the tracking link of its SMS
//! (`…/t/{id}`) scanned (`present`).

use super::{Kiosk, Names, explain, present};
use crate::app::checkin;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// The keys of the on-screen keypad: the characters of references.
pub(super) const KEYS: &str = "ABCDEFGHJKMNPQRSTVWXYZ23456789-";
/// The keys of the check-in keypad: references and ticket numbers, whose
/// prefix is any letter and whose digits include 0 and 1.
const CHECKIN_KEYS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";

#[derive(Template)]
#[template(path = "kiosk_checkin.html")]
pub(super) struct CheckIn {
    f: Frame,
    home: String,
    site: String,
    reference: String,
    keys: Vec<char>,
    error: Option<Names>,
}

pub async fn form(k: Kiosk) -> Response {
    render(&page(&k, "", None))
}

pub(super) fn page(k: &Kiosk, reference: &str, error: Option<Names>) -> CheckIn {
    CheckIn {
        f: k.f.clone(),
        home: k.home(),
        site: k.site.id.clone(),
        reference: reference.to_owned(),
        keys: CHECKIN_KEYS.chars().collect(),
        error,
    }
}

#[derive(Debug, Deserialize)]
pub struct CheckInForm {
    #[serde(default)]
    reference: String,
}

pub async fn submit(k: Kiosk, CsrfForm(form): CsrfForm<CheckInForm>) -> Response {
    if let Some(arrival) = present::arrival(&form.reference) {
        return present::confirm(&k, arrival, &form.reference).await;
    }
    // Scanners and fingers add spaces and small letters; references have neither.
    let reference: String = form
        .reference
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .take(64)
        .collect();
    if reference.is_empty() {
        let said = Names::said(k.f.tr, k.f.other(), "kiosk.error.no_reference", "");
        let page = page(&k, "", Some(said));
        return (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response();
    }
    match checkin::check_in(&k.app, &k.who, &reference).await {
        Ok(ticket) => {
            Redirect::to(&format!("/kiosk/{}/tickets/{}", k.site.id, ticket.id)).into_response()
        }
        Err(error) => match explain(&k, &error) {
            Some(said) => {
                let status = crate::http::error::status_of(&error);
                (status, render(&page(&k, &reference, Some(said)))).into_response()
            }
            None => PageError::new(&k.f, error).into_response(),
        },
    }
}
