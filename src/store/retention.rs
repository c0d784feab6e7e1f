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

/// Closed visits and requests: names, phones, e-mails and free text out,
/// the row kept for statistics.
pub const ERASE: &[Step] = &[
    Step {
        what: "tickets",
        sql: "UPDATE tickets SET phone = NULL, personal_data_erased_at = $2
              WHERE phone IS NOT NULL AND id IN (
                SELECT id FROM tickets WHERE phone IS NOT NULL
                AND status IN ('done', 'no_show', 'cancelled') AND finished_at < $1 LIMIT $3)",
        binds: Binds::Erase,
    },
    Step {
        what: "appointments",
        sql: "UPDATE appointments SET name = NULL, phone = NULL, email = NULL,
                personal_data_erased_at = $2
              WHERE personal_data_erased_at IS NULL AND id IN (
                SELECT id FROM appointments WHERE personal_data_erased_at IS NULL
                AND end_at < $1 LIMIT $3)",
        binds: Binds::Erase,
    },
    Step {
        what: "appointments",
        sql: "UPDATE appointments SET name = NULL, phone = NULL, email = NULL,
                personal_data_erased_at = $2
              WHERE personal_data_erased_at IS NULL AND id IN (
                SELECT id FROM appointments WHERE personal_data_erased_at IS NULL
                AND status = 'cancelled' AND updated_at < $1 LIMIT $3)",
        binds: Binds::Erase,
    },
    Step {
        what: "requests",
        sql: "UPDATE document_requests SET name = NULL, phone = NULL, email = NULL,
                personal_data_erased_at = $2
              WHERE personal_data_erased_at IS NULL AND id IN (
                SELECT id FROM document_requests WHERE personal_data_erased_at IS NULL
                AND status IN ('delivered', 'rejected') AND updated_at < $1 LIMIT $3)",
        binds: Binds::Erase,
    },
    Step {
        what: "complaints",
        sql: "UPDATE complaints SET subject = '', body = '', phone = NULL, answer = NULL,
                personal_data_erased_at = $2
              WHERE personal_data_erased_at IS NULL AND id IN (
                SELECT id FROM complaints WHERE personal_data_erased_at IS NULL
                AND status IN ('answered', 'closed') AND answered_at < $1 LIMIT $3)",
        binds: Binds::Erase,
    },
    Step {
        what: "feedback",
        sql: "UPDATE feedback SET comment = NULL, personal_data_erased_at = $2
              WHERE personal_data_erased_at IS NULL AND token_hash IN (
                SELECT token_hash FROM feedback WHERE personal_data_erased_at IS NULL
                AND comment IS NOT NULL AND answered_at < $1 LIMIT $3)",
        binds: Binds::Erase,
    },
    Step {
        what: "messages",
        sql: "UPDATE notifications SET recipient = '', subject = NULL, body = '',
                last_error = NULL, personal_data_erased_at = $2
              WHERE personal_data_erased_at IS NULL AND id IN (
                SELECT id FROM notifications WHERE personal_data_erased_at IS NULL
                AND status IN ('sent', 'dead') AND created_at < $1 LIMIT $3)",
        binds: Binds::Erase,
    },
];

/// Rows that hold nothing but personal data, deleted once over.
pub const DELETE: &[Step] = &[
    Step {
        what: "waitlist",
        sql: "DELETE FROM waitlist WHERE id IN (
                SELECT id FROM waitlist WHERE offered_at < $1 LIMIT $2)",
        binds: Binds::Before,
    },
    Step {
        what: "waitlist",
        sql: "DELETE FROM waitlist WHERE id IN (
                SELECT id FROM waitlist WHERE to_day < $1 LIMIT $2)",
        binds: Binds::BeforeDay,
    },
    Step {
        what: "codes",
        sql: "DELETE FROM otp_codes WHERE id IN (
                SELECT id FROM otp_codes WHERE expires_at < $1 LIMIT $2)",
        binds: Binds::Before,
    },
    Step {
        what: "code_counts",
        sql: "DELETE FROM otp_quota WHERE phone_hash IN (
                SELECT phone_hash FROM otp_quota WHERE day_start < $1 LIMIT $2)",
        binds: Binds::Before,
    },
    Step {
        what: "citizen_sessions",
        sql: "DELETE FROM auth_tokens WHERE token_hash IN (
                SELECT token_hash FROM auth_tokens WHERE kind = 'citizen'
                AND expires_at < $1 LIMIT $2)",
        binds: Binds::Before,
    },
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
