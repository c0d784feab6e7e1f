//! Security headers on every response: pages, API, static files, errors
//! and panics alike (the layer is the outermost one).
//!
//! - A strict Content-Security-Policy: scripts, styles, fonts and
//!   connections only from this origin (`'self'` covers `ws:`/`wss:` to the
//!   same host for the live sockets), no inline script or style, no
//!   plugins, no `<base>`, forms post only here, and no framing.
//!   `data:` images are allowed for nothing but small inline pictures.
//! - `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` (older
//!   browsers' frame-ancestors).
//! - `Referrer-Policy: no-referrer`: kiosk, display and tracking addresses
//!   carry tokens that must not leave in a `Referer`.
//! - `Permissions-Policy`: no camera, microphone, location or payment.
//! - `Strict-Transport-Security`, only when the public address is https
//!   (sent over plain HTTP it would be meaningless, and on a LAN address
//!   harmful).

use crate::app::App;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;
use std::sync::Arc;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
    media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

/// One year, with subdomains: the public address is the service's own name.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// Adds the headers to a response (the `map_response` of the layer).
pub async fn headers(State(app): State<Arc<App>>, mut response: Response) -> Response {
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(header::REFERRER_POLICY, "no-referrer");
    set(
        HeaderName::from_static("permissions-policy"),
        PERMISSIONS_POLICY,
    );
    if app.links.public_url.starts_with("https://") {
        set(header::STRICT_TRANSPORT_SECURITY, STRICT_TRANSPORT_SECURITY);
    }
    response
}
