//! A request's printable receipt, `/requests/{ref}/receipt?token=…`: the
//! `receipt_url` every filing answers with, and the kiosk's QR code. A
//! private link, like the manage links: the token in the address reads it
//! (or the citizen logged in with its phone, or the site's staff); anyone
//! else, a wrong token included, gets the plain 404 page. The page is
//! `no-store`, `noindex` and sends no `Referer`; the access log names the
//! route, never the address asked.

use super::super::follow::Asked;
use crate::app::receipts;
use crate::app::requests;
use crate::app::sites;
use crate::http::AppState;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use crate::http::pages::kiosk::receipt::{Paper, no_store};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header::HeaderName};
use axum::response::Response;

#[derive(Template)]
#[template(path = "portal_request_receipt.html")]
struct ReceiptPage {
    f: Frame,
    paper: Paper,
}

pub async fn page(
    State(state): State<AppState>,
    frame: Frame,
    asked: Asked,
) -> Result<Response, PageError> {
    let f = frame.for_office();
    let app = &state.app;
    let view = requests::get(app, &asked.reference, asked.access())
        .await
        .or_page(&f)?;
    let site = sites::get(app, &view.site).await.or_page(&f)?;
    let url = match &asked.token {
        Some(token) => receipts::url(app, &view.reference, token),
        None => format!("{}/requests/{}", app.links.public_url, view.reference),
    };
    let paper = Paper::of(f.lang, &site, &view, url);
    let mut response = no_store(render(&ReceiptPage { f, paper }));
    response.headers_mut().insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    Ok(response)
}
