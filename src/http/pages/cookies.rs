//! The cookies the pages set: the session (the same bearer token the API
//! takes), the language chosen, and the CSRF token of the forms.

use crate::app::App;
use crate::app::auth::{self, Principal};
use crate::http::auth::SESSION_COOKIE;
use axum::http::HeaderValue;

pub const LANG_COOKIE: &str = "guichet_lang";
pub const CSRF_COOKIE: &str = "guichet_csrf";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn read<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value)
}

/// Who the session cookie is of, while its session lasts.
pub async fn session(app: &App, headers: &axum::http::HeaderMap) -> Option<Principal> {
    let token = read(headers, SESSION_COOKIE).filter(|t| !t.is_empty() && t.len() <= 200)?;
    auth::authenticate(app, token).await.ok()
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict (cross-site requests
/// never carry it, which is what keeps the JSON API safe from CSRF when the
/// pages call it with the cookie), Secure when the service is served over
/// HTTPS. `max_age` of `None` is a session cookie; `Some(0)` deletes it.
pub fn set(app: &App, name: &str, value: &str, max_age: Option<u64>) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    if app.links.public_url.starts_with("https://") {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}
