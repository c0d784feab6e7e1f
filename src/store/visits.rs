//! What follows a visit: tickets whose holder should get an SMS, and the
//! feedback asked after a visit.

use super::StoreError;
use super::rows::execute;
use super::tickets::{COLUMNS, TicketRow};
use super::{Db, Tx};
use crate::{read, write};

/// The tickets' columns, of the table aliased `t`.
fn ticket_columns() -> String {
    COLUMNS
        .split(',')
        .map(|c| format!("t.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Tickets with a phone, in `status`, that have no message keyed
/// `{prefix}:{ticket id}` yet, or `{prefix}:{ticket id}:{counter}` when
/// `per_counter` (a ticket transferred and called elsewhere is told again).
pub async fn unnotified(
    db: &Db,
    status: &str,
    prefix: &str,
    per_counter: bool,
    limit: i64,
) -> Result<Vec<TicketRow>, StoreError> {
    let columns = ticket_columns();
    let counter = match per_counter {
        true => " || ':' || COALESCE(t.counter_id, '')",
        false => "",
    };
    let sql = format!(
        "SELECT {columns} FROM tickets t
         WHERE t.status = $1 AND t.phone IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM notifications n
                           WHERE n.idempotency_key = CAST($2 AS TEXT) || t.id{counter})
         ORDER BY t.issued_at LIMIT $3"
    );
    let key_prefix = format!("{prefix}:");
    Ok(read!(db, |c| sqlx::query_as(&sql)
        .bind(status)
        .bind(&key_prefix)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

/// Tickets done since `since`: with a phone and no feedback asked yet
/// (`with_phone`), or all of them.
pub async fn done_since(
    db: &Db,
    since: i64,
    with_phone: bool,
) -> Result<Vec<TicketRow>, StoreError> {
    let columns = ticket_columns();
    let filter = if with_phone {
        "AND t.phone IS NOT NULL AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.ticket_id = t.id)"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {columns} FROM tickets t
         WHERE t.status = 'done' AND t.finished_at >= $1 {filter}
         ORDER BY t.finished_at LIMIT 500"
    );
    Ok(read!(db, |c| sqlx::query_as(&sql)
        .bind(since)
        .fetch_all(c)
        .await)?)
}

#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub token_hash: String,
    pub site_id: String,
    pub service_id: String,
    pub ticket_id: Option<String>,
    pub appointment_id: Option<String>,
    pub agent: Option<String>,
    pub created_at: i64,
}

/// Asks for feedback on a visit; `false` if it was already asked.
pub async fn ask_feedback(tx: &mut Tx, f: &NewFeedback) -> Result<bool, StoreError> {
    let added = execute!(tx, "INSERT INTO feedback (token_hash, site_id, service_id, ticket_id, appointment_id, agent, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING", &f.token_hash, &f.site_id, &f.service_id, &f.ticket_id, &f.appointment_id, &f.agent, f.created_at)?;
    Ok(added == 1)
}

/// Records the answer; `None` for an unknown token, `Some(false)` if it
/// was already answered.
pub async fn answer_feedback(
    tx: &mut Tx,
    token_hash: &str,
    rating: i64,
    comment: Option<&str>,
    now: i64,
) -> Result<Option<bool>, StoreError> {
    let changed = execute!(
        tx,
        "UPDATE feedback SET rating = $2, comment = $3, answered_at = $4
         WHERE token_hash = $1 AND answered_at IS NULL",
        token_hash,
        rating,
        comment,
        now
    )?;
    if changed == 1 {
        return Ok(Some(true));
    }
    let exists: Option<i64> = write!(tx, |c| sqlx::query_scalar(
        "SELECT CAST(1 AS BIGINT) FROM feedback WHERE token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)?;
    Ok(exists.map(|_| false))
}

/// Whether a feedback request was answered: `None` for an unknown token.
pub async fn feedback_answered(db: &Db, token_hash: &str) -> Result<Option<bool>, StoreError> {
    let answered: Option<bool> = read!(db, |c| sqlx::query_scalar(
        "SELECT answered_at IS NOT NULL FROM feedback WHERE token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)?;
    Ok(answered)
}
