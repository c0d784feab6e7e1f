//! Erasing personal data once it is no longer needed (`app::retention`
//! decides when). Each statement handles at most one batch of rows and is
//! safe to run from several instances at once: the outer `WHERE` repeats
//! the "not erased yet" test, so a row another transaction has just erased
//! is skipped (PostgreSQL re-checks it on the row's latest version; SQLite
//! has one writer), and each row is counted by exactly one sweep.
//!
//! What stays is what statistics read: times, statuses, service, agent,
//! counter, ratings.

use super::StoreError;
use super::Tx;
use super::rows::execute;
use crate::write;

/// One batch of an erasure or deletion.
pub struct Step {
    /// What the step erases, for the sweep's report.
    pub what: &'static str,
    sql: &'static str,
    binds: Binds,
}

/// What a step's statement binds.
enum Binds {
    /// `$1` the cutoff instant, `$2` now (the erasure's mark), `$3` the batch.
    Erase,
    /// `$1` the cutoff instant, `$2` the batch.
    Before,
    /// `$1` the cutoff's day (`'YYYY-MM-DD'`), `$2` the batch.
    BeforeDay,
}

/// An erasure: `SET` what it clears and marks the row erased, on one batch
/// of the rows still `pending` (not erased yet) that `when` chooses by
/// their `key`. The outer `WHERE` tests `pending` again.
macro_rules! erase {
    ($what:literal, $table:literal, $key:literal, $set:literal, $pending:literal, $when:literal) => {
        Step {
            what: $what,
            sql: concat! {
                "UPDATE ", $table, " SET ", $set, ", personal_data_erased_at = $2",
                " WHERE ", $pending, " AND ", $key, " IN (SELECT ", $key, " FROM ", $table,
                " WHERE ", $pending, " AND ", $when, " LIMIT $3)"
            },
            binds: Binds::Erase,
        }
    };
}

/// A deletion of one batch of the rows that `when` chooses by their `key`.
macro_rules! delete {
    ($what:literal, $table:literal, $key:literal, $when:literal, $binds:expr) => {
        Step {
            what: $what,
            sql: concat! {
                "DELETE FROM ", $table, " WHERE ", $key, " IN (SELECT ", $key, " FROM ", $table,
                " WHERE ", $when, " LIMIT $2)"
            },
            binds: $binds,
        }
    };
}

/// Closed visits and requests: names, phones, e-mails and free text out,
/// the row kept for statistics.
pub const ERASE: &[Step] = &[
    erase! {
        "tickets", "tickets", "id", "phone = NULL", "phone IS NOT NULL",
        "status IN ('done', 'no_show', 'cancelled') AND finished_at < $1"
    },
    erase! {
        "appointments", "appointments", "id", "name = NULL, phone = NULL, email = NULL",
        "personal_data_erased_at IS NULL",
        "end_at < $1"
    },
    erase! {
        "appointments", "appointments", "id", "name = NULL, phone = NULL, email = NULL",
        "personal_data_erased_at IS NULL",
        "status = 'cancelled' AND updated_at < $1"
    },
    erase! {
        "requests", "document_requests", "id", "name = NULL, phone = NULL, email = NULL",
        "personal_data_erased_at IS NULL",
        "status IN ('delivered', 'rejected') AND updated_at < $1"
    },
    erase! {
        "complaints", "complaints", "id", "subject = '', body = '', phone = NULL, answer = NULL",
        "personal_data_erased_at IS NULL",
        "status IN ('answered', 'closed') AND answered_at < $1"
    },
    erase! {
        "feedback", "feedback", "token_hash", "comment = NULL", "personal_data_erased_at IS NULL",
        "comment IS NOT NULL AND answered_at < $1"
    },
    erase! {
        "messages", "notifications", "id", "recipient = '', subject = NULL, body = '', html = NULL,
        attachment = NULL, last_error = NULL", "personal_data_erased_at IS NULL",
        "status IN ('sent', 'dead') AND created_at < $1"
    },
    // Keyed by two columns, which the `erase!` shape does not take.
    Step {
        what: "partner_files",
        sql: "UPDATE partner_files SET phone = NULL, personal_data_erased_at = $2
              WHERE phone IS NOT NULL AND (partner_id, reference) IN (
                  SELECT partner_id, reference FROM partner_files
                  WHERE phone IS NOT NULL AND status IN ('delivered', 'rejected')
                  AND updated_at < $1 LIMIT $3)",
        binds: Binds::Erase,
    },
];

/// Rows that hold nothing but personal data, deleted once over.
pub const DELETE: &[Step] = &[
    delete!(
        "waitlist",
        "waitlist",
        "id",
        "offered_at < $1",
        Binds::Before
    ),
    delete!(
        "waitlist",
        "waitlist",
        "id",
        "to_day < $1",
        Binds::BeforeDay
    ),
    delete!("codes", "otp_codes", "id", "expires_at < $1", Binds::Before),
    delete!(
        "code_counts",
        "otp_quota",
        "phone_hash",
        "day_start < $1",
        Binds::Before
    ),
    delete!(
        "citizen_sessions",
        "auth_tokens",
        "token_hash",
        "kind = 'citizen' AND expires_at < $1",
        Binds::Before
    ),
];

impl Step {
    /// Runs one batch; the number of rows it erased or deleted.
    pub async fn run(
        &self,
        tx: &mut Tx,
        cutoff: i64,
        cutoff_day: &str,
        now: i64,
        batch: i64,
    ) -> Result<u64, StoreError> {
        Ok(write!(tx, |c| {
            let query = sqlx::query(self.sql);
            let query = match self.binds {
                Binds::Erase => query.bind(cutoff).bind(now),
                Binds::Before => query.bind(cutoff),
                Binds::BeforeDay => query.bind(cutoff_day),
            };
            query
                .bind(batch)
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })?)
    }
}

/// Deletes one batch of audit entries older than `cutoff`.
pub async fn delete_audit(tx: &mut Tx, cutoff: i64, batch: i64) -> Result<u64, StoreError> {
    execute!(
        tx,
        "DELETE FROM audit_log WHERE id IN (
               SELECT id FROM audit_log WHERE at < $1 ORDER BY id LIMIT $2)",
        cutoff,
        batch
    )
}
