//! The remote queue's reads and sweeps (docs/remote-queue.md): remote
//! tickets by phone or number, the absent ones whose turn has come, and
//! those whose grace is over.

use super::tickets::{COLUMNS, TicketRow};
use super::{Db, StoreError, Tx};
use crate::read;

/// A service's waiting tickets: the remote ones, then all; binds site,
/// service (SQLite, after the insert).
pub(crate) const SHARE: &str =
    "SELECT CAST(COALESCE(SUM(CASE WHEN source = 'remote' THEN 1 ELSE 0 END), 0) AS BIGINT),
        COUNT(*) FROM tickets WHERE site_id = $1 AND status = 'waiting' AND service_id = $2";

/// PostgreSQL: inserts a remote ticket and counts its service's waiting
/// tickets, remote ones and all, in one statement. The counts read the
/// statement's snapshot, which does not hold the new row yet: hence `+ 1`.
pub async fn insert_counting(tx: &mut Tx, t: &TicketRow) -> Result<(i64, i64), StoreError> {
    let sql = format!(
        "WITH added AS ({}) SELECT
             CAST(COALESCE(SUM(CASE WHEN source = 'remote' THEN 1 ELSE 0 END), 0) + 1 AS BIGINT),
             COUNT(*) + 1
         FROM tickets WHERE site_id = $2 AND status = 'waiting' AND service_id = $3",
        super::tickets::insert_sql()
    );
    Ok(crate::write!(tx, |c| super::tickets::bind_columns!(
        sqlx::query_as(&sql),
        t
    )
    .fetch_one(c)
    .await)?)
}

/// `COLUMNS` with the table's alias `t.`.
fn aliased() -> String {
    COLUMNS
        .split(',')
        .map(|c| format!("t.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A phone's active remote tickets, at one site or at any, newest first.
pub async fn active_of_phone(
    db: &Db,
    phone: &str,
    site: Option<&str>,
) -> Result<Vec<TicketRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tickets
         WHERE phone = $1 AND source = 'remote' AND status IN ('waiting', 'called', 'serving')
           AND ($2 IS NULL OR site_id = $2)
         ORDER BY issued_at DESC LIMIT 10"
    );
    Ok(read!(db, |c| sqlx::query_as(&sql)
        .bind(phone)
        .bind(site)
        .fetch_all(c)
        .await)?)
}

/// A site's remote ticket of a local day by its number.
pub async fn by_number(
    db: &Db,
    site: &str,
    day: &str,
    number: &str,
) -> Result<Option<TicketRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tickets
         WHERE site_id = $1 AND local_day = $2 AND number = $3 AND source = 'remote'
         ORDER BY issued_at DESC LIMIT 1"
    );
    Ok(read!(db, |c| sqlx::query_as(&sql)
        .bind(site)
        .bind(day)
        .bind(number)
        .fetch_optional(c)
        .await)?)
}

/// Absent remote tickets passed over and not yet held: a ticket of their
/// service and class issued after them has been called.
pub async fn passed(db: &Db) -> Result<Vec<String>, StoreError> {
    Ok(read!(db, |c| sqlx::query_scalar(
        "SELECT t.id FROM tickets t
         WHERE t.source = 'remote' AND t.status = 'waiting' AND t.present_at IS NULL
           AND t.held_at IS NULL
           AND EXISTS (SELECT 1 FROM tickets o
                       WHERE o.site_id = t.site_id
                         AND o.status IN ('called', 'serving', 'done', 'no_show', 'cancelled')
                         AND o.service_id = t.service_id AND o.priority = t.priority
                         AND o.local_day = t.local_day AND o.called_at IS NOT NULL
                         AND (o.issued_at > t.issued_at
                              OR (o.issued_at = t.issued_at AND o.sequence > t.sequence)))
         LIMIT 500"
    )
    .fetch_all(c)
    .await)?)
}

/// Held remote tickets still absent once their site's grace is over.
pub async fn lapsing(db: &Db, now: i64) -> Result<Vec<TicketRow>, StoreError> {
    let sql = format!(
        "SELECT {} FROM tickets t JOIN sites s ON s.id = t.site_id
         WHERE t.source = 'remote' AND t.status = 'waiting' AND t.present_at IS NULL
           AND t.held_at IS NOT NULL AND t.held_at + s.remote_grace_minutes * 60000 <= $1
         ORDER BY t.held_at LIMIT 200",
        aliased()
    );
    Ok(read!(db, |c| sqlx::query_as(&sql)
        .bind(now)
        .fetch_all(c)
        .await)?)
}

/// Absent remote tickets with a phone that have no message keyed
/// `{prefix}:{id}` yet, oldest first.
pub async fn absent_unnotified(
    db: &Db,
    prefix: &str,
    limit: i64,
) -> Result<Vec<TicketRow>, StoreError> {
    let sql = format!(
        "SELECT {} FROM tickets t
         WHERE t.source = 'remote' AND t.status = 'waiting' AND t.present_at IS NULL
           AND t.phone IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM notifications n
                           WHERE n.idempotency_key = CAST($1 AS TEXT) || t.id)
         ORDER BY t.issued_at LIMIT $2",
        aliased()
    );
    let key_prefix = format!("{prefix}:");
    Ok(read!(db, |c| sqlx::query_as(&sql)
        .bind(&key_prefix)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}
