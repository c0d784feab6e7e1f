//! The monthly report's mailing: the addresses each office's report goes
//! to, and the months already mailed (one row per office and month, the
//! sweep's claim).

use super::rows::{all, execute};
use super::{Db, StoreError, Tx};
use crate::read;

/// The addresses of `site`, in the order they sort.
pub async fn recipients(db: &Db, site: &str) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = all(
        db,
        "SELECT address FROM report_recipients WHERE site_id = $1 ORDER BY address",
        site,
    )
    .await?;
    Ok(rows.into_iter().map(|(a,)| a).collect())
}

/// Replaces the addresses of `site` with `addresses`.
pub async fn set_recipients(
    tx: &mut Tx,
    site: &str,
    addresses: &[String],
    now: i64,
) -> Result<(), StoreError> {
    execute!(tx, "DELETE FROM report_recipients WHERE site_id = $1", site)?;
    for address in addresses {
        execute!(
            tx,
            "INSERT INTO report_recipients (site_id, address, created_at) VALUES ($1, $2, $3)",
            site,
            address,
            now
        )?;
    }
    Ok(())
}

/// The sites whose report has somewhere to go, at most `limit`.
pub async fn sites_with_recipients(db: &Db, limit: i64) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = read!(db, |c| sqlx::query_as(
        "SELECT DISTINCT site_id FROM report_recipients ORDER BY site_id LIMIT $1"
    )
    .bind(limit)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// Whether the report of `site` for `month` (`YYYY-MM`) was mailed.
pub async fn mailed(db: &Db, site: &str, month: &str) -> Result<bool, StoreError> {
    let found: Option<i64> = read!(db, |c| sqlx::query_scalar(
        "SELECT CAST(1 AS BIGINT) FROM report_mailings WHERE site_id = $1 AND month = $2"
    )
    .bind(site)
    .bind(month)
    .fetch_optional(c)
    .await)?;
    Ok(found.is_some())
}

/// Claims the mailing of `site`'s report for `month`: `false` when another
/// run (this instance's or another's) has claimed it. The primary key
/// decides, in the transaction that queues the e-mails.
pub async fn claim_mailing(
    tx: &mut Tx,
    site: &str,
    month: &str,
    recipients: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let added = execute!(
        tx,
        "INSERT INTO report_mailings (site_id, month, recipients, queued_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (site_id, month) DO NOTHING",
        site,
        month,
        recipients,
        now
    )?;
    Ok(added == 1)
}
