//! What live supervision reads: every counter of a site with the ticket it
//! has called or is serving, and every service's waiting queue in one
//! figure pair (how many, since when). Two reads of committed data; nothing
//! here writes.

use super::Db;
use super::StoreError;
use crate::read;

/// A counter with its agent and the ticket at it, if any.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CounterNow {
    pub id: String,
    pub label: String,
    /// `open`, `paused` or `closed`.
    pub state: String,
    pub state_since: i64,
    pub agent: Option<String>,
    pub number: Option<String>,
    pub service_id: Option<String>,
    /// `called` or `serving` when a ticket is there.
    pub status: Option<String>,
    pub called_at: Option<i64>,
    pub serving_at: Option<i64>,
}

/// The waiting tickets of one service: how many, and the oldest's issue.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueueNow {
    pub service_id: String,
    pub waiting: i64,
    pub oldest_issued_at: Option<i64>,
}

/// The site's counters in label order, each with its current ticket. A
/// counter holds at most one called or serving ticket (the queue's
/// transactions keep it so), so the join gives one row per counter.
pub async fn counters(db: &Db, site: &str) -> Result<Vec<CounterNow>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT c.id, c.label, c.state, c.state_since, c.agent,
                    t.number, t.service_id, t.status, t.called_at, t.serving_at
             FROM counters c
             LEFT JOIN tickets t
               ON t.counter_id = c.id AND t.site_id = c.site_id
              AND t.status IN ('called', 'serving')
             WHERE c.site_id = $1
             ORDER BY c.label, c.id",
        )
        .bind(site)
        .fetch_all(c)
        .await
    })?)
}

/// The services with tickets waiting, with the count and the oldest issue.
pub async fn queues(db: &Db, site: &str) -> Result<Vec<QueueNow>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT service_id, COUNT(*) AS waiting, MIN(issued_at) AS oldest_issued_at
             FROM tickets
             WHERE site_id = $1 AND status = 'waiting'
             GROUP BY service_id",
        )
        .bind(site)
        .fetch_all(c)
        .await
    })?)
}
