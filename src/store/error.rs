//! The one error the store returns, classified here so that no caller needs
//! to know sqlx, rusqlite or SQLSTATEs: the database is unavailable for a
//! moment, a unique key was already taken, a row the store expected is
//! missing, or anything else (an internal fault, cause kept for the log).

/// What the driver said, kept as the source of a `StoreError`.
#[derive(Debug, thiserror::Error)]
pub enum Cause {
    #[error(transparent)]
    Sqlx(sqlx::Error),
    #[error(transparent)]
    Sqlite(rusqlite::Error),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Says nothing about the request and may pass if it is sent again: no
    /// connection to be had, a lost connection, a server shutting down or
    /// starting up, or a transaction the database chose to abort
    /// (PostgreSQL deadlock, serialization or lock timeout; SQLite busy).
    #[error(transparent)]
    Unavailable(Cause),
    /// A unique or primary key was already taken; `constraint` names it
    /// where the backend says which (PostgreSQL).
    #[error("{source}")]
    Conflict {
        constraint: Option<String>,
        source: Cause,
    },
    /// A statement that always returns a row returned none: an internal
    /// fault, not an answer for the client (the store's "no such thing" is
    /// an `Option`).
    #[error("no {0} returned")]
    NotFound(&'static str),
    /// Anything else: a fault of the program or of the database.
    #[error(transparent)]
    Other(Cause),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The log directive that keeps the drivers' own lines to warnings.
pub const LOG_DIRECTIVE: &str = "sqlx=warn";

impl StoreError {
    /// Whether a unique or primary key was already taken.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Self::Conflict { .. })
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::WorkerCrashed => Self::Unavailable(Cause::Sqlx(error)),
            sqlx::Error::RowNotFound => Self::NotFound("row"),
            sqlx::Error::Database(e) if e.is_unique_violation() => Self::Conflict {
                constraint: e.constraint().map(str::to_owned),
                source: Cause::Sqlx(error),
            },
            sqlx::Error::Database(e) if e.code().as_deref().is_some_and(is_transient_code) => {
                Self::Unavailable(Cause::Sqlx(error))
            }
            _ => Self::Other(Cause::Sqlx(error)),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{ConstraintViolation, DatabaseBusy, DatabaseLocked};
        use rusqlite::ffi::{SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE};
        match &error {
            rusqlite::Error::SqliteFailure(e, _)
                if matches!(e.code, DatabaseBusy | DatabaseLocked) =>
            {
                Self::Unavailable(Cause::Sqlite(error))
            }
            rusqlite::Error::SqliteFailure(e, _)
                if e.code == ConstraintViolation
                    && matches!(
                        e.extended_code,
                        SQLITE_CONSTRAINT_UNIQUE | SQLITE_CONSTRAINT_PRIMARYKEY
                    ) =>
            {
                Self::Conflict {
                    constraint: None,
                    source: Cause::Sqlite(error),
                }
            }
            rusqlite::Error::QueryReturnedNoRows => Self::NotFound("row"),
            _ => Self::Other(Cause::Sqlite(error)),
        }
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
            StoreError::from(sqlx::Error::Io(lost)),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            StoreError::from(sqlx::Error::WorkerCrashed),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            StoreError::from(sqlx::Error::RowNotFound),
            StoreError::NotFound(_)
        ));
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert!(matches!(StoreError::from(busy), StoreError::Unavailable(_)));
        let taken = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE),
            None,
        );
        assert!(StoreError::from(taken).is_conflict());
    }
}
