//! The digital guide of each service (`service_guides`): its texts as JSON
//! (`{"fr", "ar", "en"}` objects, steps a list of them), one row per
//! service, written whole.

use super::StoreError;
use super::rows;
use super::{Db, Tx};
use crate::read;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GuideRow {
    pub site_id: String,
    pub service_id: String,
    pub summary: String,
    pub steps: String,
    pub fees: String,
    pub eligibility: String,
    pub channels: String,
    pub updated_at: i64,
}

const COLUMNS: &str =
    "site_id, service_id, summary, steps, fees, eligibility, channels, updated_at";

/// The guides of a site's services that have one.
pub async fn of_site(db: &Db, site: &str) -> Result<Vec<GuideRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM service_guides WHERE site_id = $1");
    rows::all(db, &sql, site).await
}

/// The guide of one service, if it has one.
pub async fn get(db: &Db, site: &str, service: &str) -> Result<Option<GuideRow>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM service_guides WHERE site_id = $1 AND service_id = $2");
    Ok(read!(db, |c| sqlx::query_as(&sql)
        .bind(site)
        .bind(service)
        .fetch_optional(c)
        .await)?)
}

/// Writes a service's guide in place of the one it had, if any.
pub async fn put(tx: &mut Tx, guide: &GuideRow) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO service_guides ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (site_id, service_id) DO UPDATE SET summary = excluded.summary,
         steps = excluded.steps, fees = excluded.fees, eligibility = excluded.eligibility,
         channels = excluded.channels, updated_at = excluded.updated_at"
    );
    guide.write_values(tx, &sql).await
}

rows::values! {
    GuideRow { site_id, service_id, summary, steps, fees, eligibility, channels, updated_at }
}
