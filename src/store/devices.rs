//! Kiosks and displays: each holds a revocable token of its own.

use super::StoreError;
use super::Tx;
use super::rows::{self, execute};
use crate::domain::role::DeviceKind;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeviceRow {
    pub id: String,
    pub site_id: String,
    pub kind: DeviceKind,
    pub label: String,
    pub created_by: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    /// Its last request or live connection, to `SEEN_EVERY_MS`.
    pub last_seen_at: Option<i64>,
}

/// How often a device's `last_seen_at` is written at most.
pub const SEEN_EVERY_MS: i64 = 60_000;

rows::values! {
    DeviceRow {
        id, site_id, kind, label, created_by, created_at, revoked_at
    }
}

pub async fn insert(tx: &mut Tx, d: &DeviceRow) -> Result<(), StoreError> {
    d.insert_into(tx, "devices").await
}

pub async fn get_for_update(tx: &mut Tx, id: &str) -> Result<Option<DeviceRow>, StoreError> {
    let sql = "SELECT id, site_id, kind, label, created_by, created_at, revoked_at, last_seen_at
         FROM devices WHERE id = $1";
    rows::locked(tx, sql, id).await
}

pub async fn mark_revoked(tx: &mut Tx, id: &str, now: i64) -> Result<(), StoreError> {
    execute!(
        tx,
        "UPDATE devices SET revoked_at = $2 WHERE id = $1",
        id,
        now
    )?;
    Ok(())
}

/// A site's devices, the newest first, revoked ones last.
pub async fn of_site(db: &super::Db, site: &str) -> Result<Vec<DeviceRow>, StoreError> {
    Ok(crate::read!(db, |c| sqlx::query_as(
        "SELECT id, site_id, kind, label, created_by, created_at, revoked_at, last_seen_at
         FROM devices WHERE site_id = $1
         ORDER BY CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id"
    )
    .bind(site)
    .fetch_all(c)
    .await)?)
}

/// Notes that device `id` was seen at `now`, unless it was within the last
/// `SEEN_EVERY_MS` already (so a busy kiosk writes once a minute).
pub async fn seen(tx: &mut Tx, id: &str, now: i64) -> Result<(), StoreError> {
    execute!(
        tx,
        "UPDATE devices SET last_seen_at = $2
             WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at <= $3)",
        id,
        now,
        now - SEEN_EVERY_MS
    )?;
    Ok(())
}
