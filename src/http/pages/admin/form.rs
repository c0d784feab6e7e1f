//! A refused admin form, told in place: which field is wrong and why, in
//! the page's language when the reason is a known one.

use super::super::i18n::Tr;
use crate::app::AppError;
use axum::http::StatusCode;

#[derive(Debug, Clone)]
pub struct FormError {
    /// The field to mark (`name`, `prefix`, …), when the error is about one.
    pub field: Option<&'static str>,
    pub message: String,
    /// The status the page is answered with: the API's for the same error.
    pub status: StatusCode,
}

impl FormError {
    pub fn new(tr: Tr, error: &AppError) -> Self {
        let status = crate::http::error::status_of(error);
        if status.is_server_error() {
            tracing::error!(?error, "admin form failed");
        }
        let (field, message) = match error {
            AppError::Invalid(invalid) => (
                Some(invalid.field),
                format!("{} ({})", tr.s("admin.error.invalid"), invalid.message),
            ),
            AppError::Conflict { message, .. } => (
                None,
                format!("{} ({message})", tr.s("admin.error.conflict")),
            ),
            AppError::Malformed(message) => {
                (None, format!("{} ({message})", tr.s("admin.error.invalid")))
            }
            AppError::NotFound(_) => (None, tr.s("common.not_found").to_owned()),
            AppError::Forbidden(_) => (None, tr.s("common.forbidden").to_owned()),
            AppError::Unauthorized(_) => (None, tr.s("common.login_needed").to_owned()),
            AppError::RateLimited { retry_after_secs } => {
                crate::http::pages::frame::told_to_wait(*retry_after_secs);
                (None, tr.f("admin.error.rate_limited", retry_after_secs))
            }
            _ => (None, tr.s("common.unavailable").to_owned()),
        };
        Self {
            field,
            message,
            status,
        }
    }

    /// Whether the error is about `field`, for the template to mark it.
    pub fn is(&self, field: &str) -> bool {
        self.field == Some(field)
    }
}
