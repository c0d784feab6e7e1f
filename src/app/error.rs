//! The errors a use case reports to its caller. Each variant is something
//! a client can act on; `http::error` maps them to docs/api.md's status codes.
//! Internal causes are kept for the log and never shown to clients.

use crate::domain::Invalid;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Valid JSON with a value that breaks a rule (422).
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The request could not be read at all (400).
    #[error("{0}")]
    Malformed(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the current state (409).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    /// An upload larger than allowed (413); nothing was kept.
    #[error("{0}")]
    TooLarge(String),
    /// An upload whose content is not of an accepted type (415).
    #[error("{0}")]
    UnsupportedType(&'static str),
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The database cannot be reached right now (503).
    #[error("service temporarily unavailable")]
    Unavailable(#[source] StoreError),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// A store error as the use case reports it: `conflict()` when a
    /// unique key refused the change, else as `From<StoreError>` says.
    pub fn unless_conflict(error: StoreError, conflict: impl FnOnce() -> Self) -> Self {
        if error.is_conflict() {
            conflict()
        } else {
            error.into()
        }
    }
}

impl From<StoreError> for AppError {
    /// A database that cannot serve for a moment is 503; every other store
    /// error the use case did not handle itself (a conflict it expected is
    /// matched where it happens) is internal.
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => Self::Unavailable(error),
            other => Self::Internal(other.into()),
        }
    }
}

impl From<anyhow::Error> for AppError {
    fn from(error: anyhow::Error) -> Self {
        Self::Internal(error)
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// The shape of every error answer, for the OpenAPI document.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable, e.g. `slot_full`, `invalid_timezone`.
    pub code: String,
    /// For people; may change.
    pub message: String,
}
