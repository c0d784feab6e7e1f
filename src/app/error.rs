//! The errors a use case reports to its caller. Each variant is something
//! a client can act on; `http::error` maps them to API.md's status codes.
//! Internal causes are kept for the log and never shown to clients.

use crate::domain::Invalid;

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
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The database cannot be reached right now (503).
    #[error("service temporarily unavailable")]
    Unavailable(#[source] sqlx::Error),
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
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        if is_transient(&error) {
            Self::Unavailable(error)
        } else {
            Self::Internal(error.into())
        }
    }
}

/// Failures that say nothing about the request and may pass if it is sent
/// again: no connection to be had, a lost connection, or a transaction the
/// database chose to abort (PostgreSQL deadlock, serialization or lock
/// timeout; SQLite busy).
fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(e) => matches!(
            e.code().as_deref(),
            Some("40P01" | "40001" | "55P03" | "5" | "6")
        ),
        _ => false,
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(error: crate::store::StoreError) -> Self {
        use crate::store::StoreError;
        match error {
            StoreError::Sqlx(e) => e.into(),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) =>
            {
                Self::Unavailable(sqlx::Error::Protocol(format!("SQLite busy: {e}")))
            }
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
