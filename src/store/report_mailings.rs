//! The monthly reports' mailings, an office's and a province's: the
//! addresses each report goes to, and the months already mailed (one row
//! per office or province and month, the sweep's claim). Both kinds ask
//! the same of their own two tables.

use super::rows::{all, execute};
use super::{Db, StoreError, Tx};
use crate::read;

/// The two tables of one kind of report, and the column naming whose
/// report a row is about.
#[derive(Debug, Clone, Copy)]
pub struct Mailings {
    recipients: &'static str,
    mailings: &'static str,
    owner: &'static str,
}

/// Each office's report, by site.
pub const OFFICES: Mailings = Mailings {
    recipients: "report_recipients",
    mailings: "report_mailings",
    owner: "site_id",
};

/// Each province's report, by province.
pub const PROVINCES: Mailings = Mailings {
    recipients: "province_report_recipients",
    mailings: "province_report_mailings",
    owner: "province_id",
};

impl Mailings {
    /// The addresses of `owner`'s report, in the order they sort.
    pub async fn recipients(&self, db: &Db, owner: &str) -> Result<Vec<String>, StoreError> {
        let Self {
            recipients,
            owner: column,
            ..
        } = self;
        let sql = format!("SELECT address FROM {recipients} WHERE {column} = $1 ORDER BY address");
        let rows: Vec<(String,)> = all(db, &sql, owner).await?;
        Ok(rows.into_iter().map(|(a,)| a).collect())
    }

    /// Replaces the addresses of `owner`'s report with `addresses`.
    pub async fn set_recipients(
        &self,
        tx: &mut Tx,
        owner: &str,
        addresses: &[String],
        now: i64,
    ) -> Result<(), StoreError> {
        let Self {
            recipients,
            owner: column,
            ..
        } = self;
        let delete = format!("DELETE FROM {recipients} WHERE {column} = $1");
        execute!(tx, &delete, owner)?;
        let insert =
            format!("INSERT INTO {recipients} ({column}, address, created_at) VALUES ($1, $2, $3)");
        for address in addresses {
            execute!(tx, &insert, owner, address, now)?;
        }
        Ok(())
    }

    /// The offices or provinces whose report has somewhere to go, at most
    /// `limit`.
    pub async fn with_recipients(&self, db: &Db, limit: i64) -> Result<Vec<String>, StoreError> {
        let Self {
            recipients, owner, ..
        } = self;
        let sql = format!("SELECT DISTINCT {owner} FROM {recipients} ORDER BY {owner} LIMIT $1");
        let rows: Vec<(String,)> =
            read!(db, |c| sqlx::query_as(&sql).bind(limit).fetch_all(c).await)?;
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }

    /// Whether `owner`'s report for `month` (`YYYY-MM`) was mailed.
    pub async fn mailed(&self, db: &Db, owner: &str, month: &str) -> Result<bool, StoreError> {
        let Self {
            mailings,
            owner: column,
            ..
        } = self;
        let sql =
            format!("SELECT CAST(1 AS BIGINT) FROM {mailings} WHERE {column} = $1 AND month = $2");
        let found: Option<i64> = read!(db, |c| sqlx::query_scalar(&sql)
            .bind(owner)
            .bind(month)
            .fetch_optional(c)
            .await)?;
        Ok(found.is_some())
    }

    /// Claims the mailing of `owner`'s report for `month`: `false` when
    /// another run (this instance's or another's) has claimed it. The
    /// primary key decides, in the transaction that queues the e-mails.
    pub async fn claim_mailing(
        &self,
        tx: &mut Tx,
        owner: &str,
        month: &str,
        recipients: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let Self {
            mailings,
            owner: column,
            ..
        } = self;
        let sql = format!(
            "INSERT INTO {mailings} ({column}, month, recipients, queued_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT ({column}, month) DO NOTHING"
        );
        let added = execute!(tx, &sql, owner, month, recipients, now)?;
        Ok(added == 1)
    }
}
