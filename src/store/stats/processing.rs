//! The processing of document requests, per agent and service: the
//! requests made ready in a range (one short row each: a site's year is
//! some thousands), and the open requests past their promised day.

use super::{Range, at_instants};
use crate::read;
use crate::store::{Db, StoreError};

/// A request made ready within the range: by whom (the `actor` of its
/// `ready` step, `user:NAME` for staff), when it was filed and when it
/// became ready. A request becomes ready once (`domain::request`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Handled {
    pub service_id: String,
    pub actor: Option<String>,
    pub expected_ready_on: String,
    pub created_at: i64,
    pub ready_at: i64,
}

pub async fn handled(db: &Db, range: &Range) -> Result<Vec<Handled>, StoreError> {
    let sql = "SELECT r.service_id, h.actor, r.expected_ready_on, r.created_at, h.at AS ready_at
         FROM document_requests r JOIN request_history h ON h.request_id = r.id
         WHERE r.site_id = $1 AND r.created_at < $3
           AND h.status = 'ready' AND h.at >= $2 AND h.at < $3
         ORDER BY h.at, r.reference";
    at_instants(db, sql, range).await
}

/// An open request (`submitted` or `processing`) past its promised day,
/// with the actor of its last step (who filed it or took it in hand).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Overdue {
    pub reference: String,
    pub service_id: String,
    pub status: String,
    pub expected_ready_on: String,
    pub created_at: i64,
    pub actor: Option<String>,
}

/// Open requests of the site promised before the local day `before`,
/// the longest overdue first, at most `limit`.
pub async fn overdue(
    db: &Db,
    site: &str,
    before: &str,
    limit: i64,
) -> Result<Vec<Overdue>, StoreError> {
    let sql = "SELECT r.reference, r.service_id, r.status, r.expected_ready_on, r.created_at,
            (SELECT h.actor FROM request_history h WHERE h.request_id = r.id
             ORDER BY h.step DESC LIMIT 1) AS actor
         FROM document_requests r
         WHERE r.site_id = $1 AND r.status IN ('submitted', 'processing')
           AND r.expected_ready_on < $2
         ORDER BY r.expected_ready_on, r.created_at, r.reference LIMIT $3";
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(site)
        .bind(before)
        .bind(limit)
        .fetch_all(c)
        .await)?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceCount {
    pub key: String,
    pub n: i64,
}

/// How many open requests of each service were promised before `before`.
pub async fn overdue_counts(
    db: &Db,
    site: &str,
    before: &str,
) -> Result<Vec<ServiceCount>, StoreError> {
    let sql = "SELECT service_id AS key, COUNT(*) AS n FROM document_requests
         WHERE site_id = $1 AND status IN ('submitted', 'processing') AND expected_ready_on < $2
         GROUP BY service_id";
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(site)
        .bind(before)
        .fetch_all(c)
        .await)?)
}
