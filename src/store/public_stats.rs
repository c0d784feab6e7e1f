//! The aggregates behind the public's view of an office (`app::public_stats`):
//! waits per service, waits at home and in the lobby, arrivals per quarter
//! hour, and when document requests became ready. Counts and order statistics only: no row here carries a
//! ticket, a person, a phone or an agent.
//!
//! Percentiles are computed in SQL that both backends run unchanged:
//! `ROW_NUMBER()` and `COUNT(*)` over each service's waits in order, then the
//! rows at the median's and the 90th percentile's ranks. Ranks use integer
//! division, which truncates the same way on SQLite and PostgreSQL.

use super::Db;
use super::StoreError;
use super::rows::Row;
use crate::read;

/// One service's waits (issue to first call) over a range of local days.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitRow {
    pub service_id: String,
    /// How many called tickets the figures rest on.
    pub tickets: i64,
    /// The middle wait, in milliseconds; with an even count, the lower and
    /// upper of the two middle ones (equal with an odd count).
    pub median_low_ms: i64,
    pub median_high_ms: i64,
    /// The nearest-rank 90th percentile: nine waits in ten were at most this.
    pub p90_ms: i64,
}

/// Median and 90th percentile of the wait of every ticket called, per
/// service, among tickets issued on local days `from..=to` (`YYYY-MM-DD`).
pub async fn waits(db: &Db, site: &str, from: &str, to: &str) -> Result<Vec<WaitRow>, StoreError> {
    const SQL: &str = "
        WITH ranked AS (
            SELECT service_id, called_at - issued_at AS wait_ms,
                   ROW_NUMBER() OVER (PARTITION BY service_id
                                      ORDER BY called_at - issued_at) AS pos,
                   COUNT(*) OVER (PARTITION BY service_id) AS n
            FROM tickets
            WHERE site_id = $1 AND local_day >= $2 AND local_day <= $3
              AND called_at IS NOT NULL
        )
        SELECT service_id, MAX(n) AS tickets,
               MAX(CASE WHEN pos = (n + 1) / 2 THEN wait_ms END) AS median_low_ms,
               MAX(CASE WHEN pos = (n + 2) / 2 THEN wait_ms END) AS median_high_ms,
               MAX(CASE WHEN pos = (9 * n + 9) / 10 THEN wait_ms END) AS p90_ms
        FROM ranked
        GROUP BY service_id
        ORDER BY service_id";
    on_days(db, SQL, site, from, to).await
}

/// Where people waited, over a range of local days: `home` (remote tickets,
/// from joining to check-in), `lobby` (remote tickets, from check-in to
/// the call) and `everyone` (every ticket called, from arriving in the
/// lobby to the call: a remote ticket's check-in, anyone else's issue).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlaceRow {
    pub place: String,
    /// The tickets measured.
    pub tickets: i64,
    /// The two middle waits in milliseconds (equal with an odd count).
    pub median_low_ms: i64,
    pub median_high_ms: i64,
}

/// The median waits at home and in the lobby, among tickets issued on
/// local days `from..=to`; a place nobody waited at has no row.
pub async fn places(
    db: &Db,
    site: &str,
    from: &str,
    to: &str,
) -> Result<Vec<PlaceRow>, StoreError> {
    const SQL: &str = "
        WITH waits AS (
            SELECT CAST('home' AS TEXT) AS place, present_at - issued_at AS wait_ms
            FROM tickets
            WHERE site_id = $1 AND local_day >= $2 AND local_day <= $3
              AND source = 'remote' AND appointment_id IS NULL AND present_at IS NOT NULL
            UNION ALL
            SELECT CAST('lobby' AS TEXT) AS place,
                   CASE WHEN called_at > present_at THEN called_at - present_at ELSE 0 END
            FROM tickets
            WHERE site_id = $1 AND local_day >= $2 AND local_day <= $3
              AND source = 'remote' AND appointment_id IS NULL
              AND present_at IS NOT NULL AND called_at IS NOT NULL
            UNION ALL
            SELECT CAST('everyone' AS TEXT) AS place,
                   CASE WHEN source = 'remote' AND appointment_id IS NULL AND present_at IS NOT NULL
                        THEN CASE WHEN called_at > present_at THEN called_at - present_at ELSE 0 END
                        ELSE called_at - issued_at END
            FROM tickets
            WHERE site_id = $1 AND local_day >= $2 AND local_day <= $3
              AND called_at IS NOT NULL
        ),
        ranked AS (
            SELECT place, wait_ms,
                   ROW_NUMBER() OVER (PARTITION BY place ORDER BY wait_ms) AS pos,
                   COUNT(*) OVER (PARTITION BY place) AS n
            FROM waits
        )
        SELECT place, MAX(n) AS tickets,
               MAX(CASE WHEN pos = (n + 1) / 2 THEN wait_ms END) AS median_low_ms,
               MAX(CASE WHEN pos = (n + 2) / 2 THEN wait_ms END) AS median_high_ms
        FROM ranked
        GROUP BY place
        ORDER BY place";
    on_days(db, SQL, site, from, to).await
}

/// Tickets issued in one UTC quarter hour (`issued_at / 900000`): a local
/// hour is made of whole quarters in every timezone, so the caller can place
/// each quarter in its local hour, offset changes included.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuarterRow {
    pub quarter: i64,
    pub arrivals: i64,
}

/// Arrivals per UTC quarter hour among tickets issued on local days
/// `from..=to`.
pub async fn arrivals(
    db: &Db,
    site: &str,
    from: &str,
    to: &str,
) -> Result<Vec<QuarterRow>, StoreError> {
    const SQL: &str = "
        SELECT issued_at / 900000 AS quarter, COUNT(*) AS arrivals
        FROM tickets
        WHERE site_id = $1 AND local_day >= $2 AND local_day <= $3
        GROUP BY issued_at / 900000
        ORDER BY quarter";
    on_days(db, SQL, site, from, to).await
}

/// A document request that became ready: when it was submitted, when it
/// was first ready, and the day it had been promised for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReadyRow {
    pub service_id: String,
    pub submitted_at: i64,
    pub ready_at: i64,
    pub expected_ready_on: String,
}

/// The requests of a site that first became ready in `[from_ms, to_ms)`.
/// A request is never rejected once ready, so only `ready` and `delivered`
/// ones can qualify.
pub async fn ready_requests(
    db: &Db,
    site: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<ReadyRow>, StoreError> {
    const SQL: &str = "
        SELECT r.service_id, r.created_at AS submitted_at, MIN(h.at) AS ready_at,
               r.expected_ready_on
        FROM document_requests r
        JOIN request_history h ON h.request_id = r.id AND h.status = 'ready'
        WHERE r.site_id = $1 AND r.status IN ('ready', 'delivered')
        GROUP BY r.id, r.service_id, r.created_at, r.expected_ready_on
        HAVING MIN(h.at) >= $2 AND MIN(h.at) < $3
        ORDER BY r.service_id, MIN(h.at)";
    Ok(read!(db, |c| sqlx::query_as(SQL)
        .bind(site)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(c)
        .await)?)
}

/// The rows `sql` selects for a site (`$1`) among its local days `$2..=$3`.
async fn on_days<T: Row>(
    db: &Db,
    sql: &str,
    site: &str,
    from: &str,
    to: &str,
) -> Result<Vec<T>, StoreError> {
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(site)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await)?)
}
