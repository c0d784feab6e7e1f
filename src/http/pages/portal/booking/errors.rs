//! A refused form told in the visitor's language, in place on the page
//! that sent it: the use cases' messages are English and for developers.

use crate::app::AppError;
use crate::http::pages::i18n::Tr;
use axum::http::StatusCode;

/// The sentence a citizen reads for an error, and the status of the page.
pub fn explain(tr: Tr, error: &AppError) -> (StatusCode, String) {
    let status = crate::http::error::status_of(error);
    let key = match error {
        AppError::Conflict { code, .. } => match *code {
            "slot_full" => "portal.error.slot_full",
            "already_booked" => "portal.error.already_booked",
            _ => "portal.error.changed",
        },
        AppError::Invalid(invalid) => match invalid.field {
            "otp" if invalid.message.contains("too many") => "portal.error.otp_tries",
            "otp" if invalid.message.contains("no valid") => "portal.error.otp_expired",
            "otp" if invalid.message.contains("already used") => "portal.error.otp_expired",
            "otp" => "portal.error.otp",
            "phone" => "portal.error.phone",
            "name" => "portal.error.name",
            "email" => "portal.error.email",
            "persons" => "portal.error.persons",
            "start" => "portal.error.start",
            _ => "portal.error.invalid",
        },
        AppError::RateLimited { retry_after_secs } => {
            crate::http::pages::frame::told_to_wait(*retry_after_secs);
            let minutes = retry_after_secs.div_ceil(60).max(1);
            return (status, tr.f("portal.error.rate_limited", minutes));
        }
        AppError::NotFound(_) => "common.not_found",
        AppError::Forbidden(_) => "common.forbidden",
        AppError::Unauthorized(_) => "common.login_needed",
        _ => "common.unavailable",
    };
    if status.is_server_error() {
        tracing::error!(?error, "portal form failed");
    }
    (status, tr.s(key).to_owned())
}
