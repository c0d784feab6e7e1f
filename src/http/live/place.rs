//! The place a socket holds, taken before its upgrade: an extractor, so
//! that a refused client costs no database read. Past the cap of its
//! address an upgrade gets 429 `rate_limited`, past the instance's 503
//! `unavailable` (another instance may have room), each with
//! `Retry-After`, and is counted in `guichet_live_refused_total{reason}`.

use super::super::AppState;
use super::super::client_ip::ClientIp;
use super::super::error::error_response;
use crate::app::live::places::{Place, Refused};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Seconds a refused client is told to wait.
const RETRY_AFTER: u32 = 5;

/// A socket's place, held for as long as the socket is open (the handler
/// moves it into the socket's task, which drops it at the end).
pub(super) struct Held {
    _place: Place,
}

impl FromRequestParts<AppState> for Held {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ClientIp(address) = ClientIp::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        state
            .app
            .live
            .hub
            .take_place(&address)
            .map(|place| Held { _place: place })
            .map_err(|refused| {
                state.app.activity.live_refused(refused);
                refusal(refused)
            })
    }
}

fn refusal(refused: Refused) -> Response {
    let mut response = match refused {
        Refused::Address => error_response(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many live connections from this address; try again later",
        ),
        Refused::Instance => error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "this server holds all the live connections it can; try again later",
        ),
    };
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER));
    response
}
