//! A province's monthly report's mailing: the addresses it goes to, and
//! the months already mailed (one row per province and month, the
//! sweep's claim).

use super::rows::{all, execute};
use super::{Db, StoreError, Tx};
use crate::read;

/// The addresses of `province`, in the order they sort.
pub async fn recipients(db: &Db, province: &str) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = all(
        db,
        "SELECT address FROM province_report_recipients WHERE province_id = $1 ORDER BY address",
        province,
    )
    .await?;
    Ok(rows.into_iter().map(|(a,)| a).collect())
}

/// Replaces the addresses of `province` with `addresses`.
pub async fn set_recipients(
    tx: &mut Tx,
    province: &str,
    addresses: &[String],
    now: i64,
) -> Result<(), StoreError> {
    execute!(
        tx,
        "DELETE FROM province_report_recipients WHERE province_id = $1",
        province
    )?;
    for address in addresses {
        execute!(
            tx,
            "INSERT INTO province_report_recipients (province_id, address, created_at)
             VALUES ($1, $2, $3)",
            province,
            address,
            now
        )?;
    }
    Ok(())
}

/// The provinces whose report has somewhere to go, at most `limit`.
pub async fn provinces_with_recipients(db: &Db, limit: i64) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = read!(db, |c| sqlx::query_as(
        "SELECT DISTINCT province_id FROM province_report_recipients
         ORDER BY province_id LIMIT $1"
    )
    .bind(limit)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// Whether the report of `province` for `month` (`YYYY-MM`) was mailed.
pub async fn mailed(db: &Db, province: &str, month: &str) -> Result<bool, StoreError> {
    let found: Option<i64> = read!(db, |c| sqlx::query_scalar(
        "SELECT CAST(1 AS BIGINT) FROM province_report_mailings
         WHERE province_id = $1 AND month = $2"
    )
    .bind(province)
    .bind(month)
    .fetch_optional(c)
    .await)?;
    Ok(found.is_some())
}

/// Claims the mailing of `province`'s report for `month`: `false` when
/// another run (this instance's or another's) has claimed it. The primary
/// key decides, in the transaction that queues the e-mails.
pub async fn claim_mailing(
    tx: &mut Tx,
    province: &str,
    month: &str,
    recipients: i64,
    now: i64,
) -> Result<bool, StoreError> {
    let added = execute!(
        tx,
        "INSERT INTO province_report_mailings (province_id, month, recipients, queued_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (province_id, month) DO NOTHING",
        province,
        month,
        recipients,
        now
    )?;
    Ok(added == 1)
}
