//! Services a site offers, with their ticket prefix and appointment settings.

use super::StoreError;
use super::rows;
use super::{Db, Tx};
use crate::write;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceRow {
    pub site_id: String,
    pub id: String,
    pub prefix: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    /// In Tifinagh, for the screens of a site that shows Tamazight.
    pub name_zgh: Option<String>,
    pub walk_in: bool,
    /// JSON list of `in_person` / `video`.
    pub appointment_modes: String,
    pub slot_minutes: i64,
    pub slot_capacity: i64,
    pub service_minutes: i64,
    /// JSON list of `{name, name_ar}`.
    pub required_documents: String,
    pub processing_days: i64,
    pub min_notice_minutes: i64,
    pub horizon_days: i64,
    pub target_wait_minutes: i64,
    /// The procedure it is, shared with the same one in other offices.
    pub kind: Option<String>,
    /// Remote tickets may be at most this share of those waiting (0: no
    /// remote joining, 100: no cap).
    pub remote_share_percent: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "site_id, id, prefix, name, name_ar, walk_in, appointment_modes,
    slot_minutes, slot_capacity, service_minutes, required_documents, processing_days,
    min_notice_minutes, horizon_days, target_wait_minutes, created_at, updated_at, name_en, kind,
    name_zgh, remote_share_percent";

pub async fn list(db: &Db, site: &str) -> Result<Vec<ServiceRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM services WHERE site_id = $1 ORDER BY prefix");
    rows::all(db, &sql, site).await
}

pub async fn get_for_update(
    tx: &mut Tx,
    site: &str,
    id: &str,
) -> Result<Option<ServiceRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM services WHERE site_id = $1 AND id = $2{}",
        tx.lock_rows()
    );
    Ok(write!(tx, |c| sqlx::query_as(&sql)
        .bind(site)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}

/// The ids of the services of a site, read inside a write transaction.
pub async fn existing_ids(tx: &mut Tx, site: &str) -> Result<Vec<String>, StoreError> {
    Ok(write!(tx, |c| {
        sqlx::query_scalar("SELECT id FROM services WHERE site_id = $1")
            .bind(site)
            .fetch_all(c)
            .await
    })?)
}

pub async fn insert(tx: &mut Tx, s: &ServiceRow) -> Result<(), StoreError> {
    s.insert_into(tx, "services").await
}

pub async fn update(tx: &mut Tx, s: &ServiceRow) -> Result<(), StoreError> {
    let sql = "UPDATE services SET prefix = $3, name = $4, name_ar = $5, walk_in = $6,
        appointment_modes = $7, slot_minutes = $8, slot_capacity = $9, service_minutes = $10,
        required_documents = $11, processing_days = $12, min_notice_minutes = $13,
        horizon_days = $14, target_wait_minutes = $15, created_at = $16, updated_at = $17,
        name_en = $18, kind = $19, name_zgh = $20,
        remote_share_percent = $21
        WHERE site_id = $1 AND id = $2";
    s.write_values(tx, sql).await
}

rows::values! {
    ServiceRow {
        site_id, id, prefix, name, name_ar, walk_in, appointment_modes, slot_minutes,
        slot_capacity, service_minutes, required_documents, processing_days, min_notice_minutes,
        horizon_days, target_wait_minutes, created_at, updated_at, name_en, kind, name_zgh,
        remote_share_percent
    }
}

/// The service of a site that uses a ticket prefix, read in a write transaction.
pub async fn prefix_owner(
    tx: &mut Tx,
    site: &str,
    prefix: &str,
) -> Result<Option<String>, StoreError> {
    Ok(write!(tx, |c| {
        sqlx::query_scalar("SELECT id FROM services WHERE site_id = $1 AND prefix = $2")
            .bind(site)
            .bind(prefix)
            .fetch_optional(c)
            .await
    })?)
}
