//! The statistics by channel: how the tickets of the range came in (the
//! kiosk, the desk, from a phone, for an appointment) and how long each
//! waited, with a remote ticket's wait split at its check-in into the time
//! spent at home and the time spent in the lobby.
//!
//! A ticket's channel is `CHANNEL`: an appointment's ticket is
//! `appointment` whatever its source; otherwise `remote` (joined by web or
//! SMS), `desk` (issued at the reception) or `kiosk` (the kiosk, and any
//! other source). Percentiles are nearest rank, as in `store::stats`.

use super::{Range, RankedWait, on_days};
use crate::store::{Db, StoreError};

/// A ticket's channel, as SQL text.
pub const CHANNEL: &str = "CASE WHEN t.appointment_id IS NOT NULL THEN 'appointment'
         WHEN t.source = 'remote' THEN 'remote'
         WHEN t.source = 'reception' THEN 'desk'
         ELSE 'kiosk' END";

/// The key of remote tickets' waits from issue to check-in.
pub const HOME: &str = "home";
/// The key of remote tickets' waits from check-in to the call.
pub const LOBBY: &str = "lobby";

/// The counts of one channel's tickets. Sums are `None` over no rows.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct ChannelCounts {
    pub channel: String,
    pub issued: i64,
    pub served: Option<i64>,
    pub no_shows: Option<i64>,
    pub cancelled: Option<i64>,
    /// Tickets that were called: those with a wait.
    pub waited: i64,
    pub wait_ms: Option<i64>,
    /// Tickets confirmed present (remote tickets only).
    pub present: i64,
    /// No-shows that lapsed: held aside, never checked in in time.
    pub lapsed: Option<i64>,
}

/// Per channel, the range's tickets.
pub async fn counts(db: &Db, range: &Range) -> Result<Vec<ChannelCounts>, StoreError> {
    let sql = format!(
        "SELECT {CHANNEL} AS channel, COUNT(*) AS issued,
            CAST(SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END) AS BIGINT) AS served,
            CAST(SUM(CASE WHEN t.status = 'no_show' THEN 1 ELSE 0 END) AS BIGINT) AS no_shows,
            CAST(SUM(CASE WHEN t.status = 'cancelled' THEN 1 ELSE 0 END) AS BIGINT) AS cancelled,
            COUNT(t.called_at) AS waited,
            CAST(SUM(t.called_at - t.issued_at) AS BIGINT) AS wait_ms,
            COUNT(t.present_at) AS present,
            CAST(SUM(CASE WHEN t.status = 'no_show' AND t.close_reason = 'lapsed'
                          THEN 1 ELSE 0 END) AS BIGINT) AS lapsed
         FROM tickets t WHERE t.site_id = $1 AND t.local_day >= $2 AND t.local_day <= $3
         GROUP BY 1"
    );
    on_days(db, &sql, range).await
}

/// The waits measured, keyed: each channel's (issue to call, over the
/// called tickets), `home` (a remote ticket's issue to its check-in) and
/// `lobby` (its check-in to its call; never below zero).
fn measures() -> String {
    let range = "t.site_id = $1 AND t.local_day >= $2 AND t.local_day <= $3";
    let remote = format!("{range} AND t.source = 'remote' AND t.appointment_id IS NULL");
    format!(
        "SELECT {CHANNEL} AS key, t.called_at - t.issued_at AS wait_ms
            FROM tickets t WHERE {range} AND t.called_at IS NOT NULL
         UNION ALL
         SELECT CAST('{HOME}' AS TEXT) AS key, t.present_at - t.issued_at AS wait_ms
            FROM tickets t WHERE {remote} AND t.present_at IS NOT NULL
         UNION ALL
         SELECT CAST('{LOBBY}' AS TEXT) AS key,
                CASE WHEN t.called_at > t.present_at THEN t.called_at - t.present_at ELSE 0 END
                    AS wait_ms
            FROM tickets t WHERE {remote} AND t.present_at IS NOT NULL AND t.called_at IS NOT NULL"
    )
}

/// The waits at the median's rank `⌈n/2⌉` and the p90's rank `⌈9n/10⌉`
/// of each channel, and of the remote tickets' time at home and in the
/// lobby.
pub async fn ranked_waits(db: &Db, range: &Range) -> Result<Vec<RankedWait>, StoreError> {
    let measures = measures();
    if let Db::Postgres(pool) = db {
        // The ordered-set aggregate, as `store::stats` does on PostgreSQL.
        let sql = format!(
            "SELECT key, COUNT(*) AS n,
                percentile_disc(0.5 - 1e-9) WITHIN GROUP (ORDER BY wait_ms) AS median_ms,
                percentile_disc(0.9 - 1e-9) WITHIN GROUP (ORDER BY wait_ms) AS p90_ms
             FROM ({measures}) m GROUP BY key"
        );
        let rows: Vec<super::Percentiles> = sqlx::query_as(&sql)
            .bind(&range.site)
            .bind(&range.from_day)
            .bind(&range.to_day)
            .fetch_all(pool)
            .await?;
        return Ok(rows
            .into_iter()
            .flat_map(super::Percentiles::ranks)
            .collect());
    }
    let sql = format!(
        "SELECT key, nth, n, wait_ms FROM (
            SELECT key, wait_ms,
                   ROW_NUMBER() OVER (PARTITION BY key ORDER BY wait_ms) AS nth,
                   COUNT(*) OVER (PARTITION BY key) AS n
            FROM ({measures}) m
         ) ranked
         WHERE nth = (n + 1) / 2 OR nth = (9 * n + 9) / 10"
    );
    on_days(db, &sql, range).await
}
