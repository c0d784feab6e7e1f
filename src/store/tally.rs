//! The counts behind `guichet tally`: a site's tickets and appointments by
//! status, its slots' booked persons against the places taken, and its
//! appointments' references, read from the pool.

use super::{Db, StoreResult, read};

/// Each status and how many rows have it.
pub type ByStatus = Vec<(String, i64)>;

pub async fn tickets_by_status(db: &Db, site: &str) -> StoreResult<ByStatus> {
    let sql = "SELECT status, COUNT(*) FROM tickets WHERE site_id = $1 GROUP BY status";
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(site)
        .fetch_all(c)
        .await)?)
}

pub async fn appointments_by_status(db: &Db, site: &str) -> StoreResult<ByStatus> {
    let sql = "SELECT status, COUNT(*) FROM appointments WHERE site_id = $1 GROUP BY status";
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(site)
        .fetch_all(c)
        .await)?)
}

/// Booked appointments per slot: service, start (Unix ms), count, persons.
pub async fn booked_slots(db: &Db, site: &str) -> StoreResult<Vec<(String, i64, i64, i64)>> {
    let sql = "SELECT service_id, start_at, COUNT(*), CAST(SUM(persons) AS BIGINT)
        FROM appointments WHERE site_id = $1 AND status = 'booked'
        GROUP BY service_id, start_at";
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(site)
        .fetch_all(c)
        .await)?)
}

/// The places taken in each slot: service, start (Unix ms), taken.
pub async fn slot_places(db: &Db, site: &str) -> StoreResult<Vec<(String, i64, i64)>> {
    let sql = "SELECT service_id, start_at, taken FROM slot_places WHERE site_id = $1";
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(site)
        .fetch_all(c)
        .await)?)
}

/// Every appointment's reference, whatever its status.
pub async fn references(db: &Db, site: &str) -> StoreResult<Vec<String>> {
    let sql = "SELECT reference FROM appointments WHERE site_id = $1 ORDER BY reference";
    Ok(read!(db, |c| sqlx::query_scalar(sql)
        .bind(site)
        .fetch_all(c)
        .await)?)
}
