//! The errors a use case reports to its caller. Each variant is something
//! a client can act on; `http::error` maps them to docs/api.md's status codes.
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
/// again: no connection to be had, a lost connection, a server shutting
/// down or starting up, or a transaction the database chose to abort
/// (PostgreSQL deadlock, serialization or lock timeout; SQLite busy).
fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(e) => e.code().as_deref().is_some_and(is_transient_code),
        _ => false,
    }
}

/// PostgreSQL's SQLSTATEs (and SQLite's result codes) of a transient
/// failure: class 08, the connection failed; 57P01–57P03, the server is
/// stopping (its connections are ended, "terminating connection due to
/// administrator command") or not yet accepting; 53300, too many
/// connections; 40P01, 40001 and 55P03, a transaction aborted by the
/// database; SQLite's 5 and 6, busy and locked.
fn is_transient_code(code: &str) -> bool {
    code.starts_with("08")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "53300" | "40P01" | "40001" | "55P03" | "5" | "6"
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_that_stops_or_restarts_is_unavailable_not_an_internal_error() {
        for code in [
            "57P01", "57P02", "57P03", "08006", "08001", "53300", "40001", "5",
        ] {
            assert!(is_transient_code(code), "{code}");
        }
        for code in ["23505", "42P01", "22P02", "XX000"] {
            assert!(!is_transient_code(code), "{code}");
        }
        let lost = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(matches!(
            AppError::from(sqlx::Error::Io(lost)),
            AppError::Unavailable(_)
        ));
        assert!(matches!(
            AppError::from(sqlx::Error::WorkerCrashed),
            AppError::Unavailable(_)
        ));
        assert!(matches!(
            AppError::from(sqlx::Error::RowNotFound),
            AppError::Internal(_)
        ));
    }
}

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
