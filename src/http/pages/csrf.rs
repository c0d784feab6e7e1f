//! CSRF protection of the pages' forms: the double-submit pattern. Every
//! browser gets a random token in an HttpOnly, SameSite=Strict cookie
//! (`frame::prepare`), each form carries it in a hidden `csrf` field, and
//! a form whose field does not match its cookie changes nothing (403).

use super::cookies::{self, CSRF_COOKIE};
use crate::app::AppError;
use crate::http::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// A form body of type `T` whose CSRF field matched the browser's cookie.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct Field {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let cookie = cookies::read(request.headers(), CSRF_COOKIE)
            .unwrap_or_default()
            .to_owned();
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|_| AppError::Malformed("unreadable form".into()))?;
        let field: Field = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::Malformed("unreadable form".into()))?;
        if cookie.is_empty() || !crate::secrets::constant_time_eq(&cookie, &field.csrf) {
            return Err(AppError::Forbidden(
                "this form has expired: reload the page and send it again",
            ));
        }
        let form = serde_urlencoded::from_bytes(&body)
            .map_err(|e| AppError::Malformed(format!("unreadable form: {e}")))?;
        Ok(CsrfForm(form))
    }
}

/// Checks a script's request that carries the page's CSRF token in the
/// `X-CSRF-Token` header (an upload's body is the file, not a form).
pub fn check_header(headers: &axum::http::HeaderMap) -> Result<(), AppError> {
    let cookie = cookies::read(headers, CSRF_COOKIE).unwrap_or_default();
    let sent = headers
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if cookie.is_empty() || !crate::secrets::constant_time_eq(cookie, sent) {
        return Err(AppError::Forbidden(
            "this page has expired: reload it and send the file again",
        ));
    }
    Ok(())
}
