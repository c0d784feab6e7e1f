//! What `/metrics` reads from the database at each scrape: the tickets
//! waiting per site and service, and the messages not yet sent. Both read
//! only small, indexed parts of their tables (`tickets_waiting`,
//! `notifications_due`), never the history.

use super::Db;
use super::StoreError;
use crate::read;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitingRow {
    pub site_id: String,
    pub service_id: String,
    pub waiting: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub status: String,
    pub channel: String,
    pub messages: i64,
}

pub async fn waiting(db: &Db) -> Result<Vec<WaitingRow>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT site_id, service_id, COUNT(*) AS waiting FROM tickets
             WHERE status = 'waiting' GROUP BY site_id, service_id",
        )
        .fetch_all(c)
        .await
    })?)
}

/// Messages by status, except those sent: the outbox's depth and its dead.
pub async fn outbox(db: &Db) -> Result<Vec<OutboxRow>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT status, channel, COUNT(*) AS messages FROM notifications
             WHERE status IN ('pending', 'retrying', 'sending', 'dead')
             GROUP BY status, channel",
        )
        .fetch_all(c)
        .await
    })?)
}
