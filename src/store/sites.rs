//! Sites (offices) and their settings.

use super::StoreError;
use super::rows;
use super::{Db, Tx};
use crate::read;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SiteRow {
    pub id: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub timezone: String,
    /// JSON: `{"mon": [["08:30","16:30"]], …}`.
    pub opening_hours: String,
    /// JSON: a list of local dates.
    pub closures: String,
    pub verify_phone: bool,
    pub priority_streak_max: i64,
    pub min_recalls: i64,
    pub near_turn_ahead: i64,
    pub checkin_early_minutes: i64,
    pub checkin_late_minutes: i64,
    pub complaint_answer_days: i64,
    pub address: Option<String>,
    pub address_ar: Option<String>,
    /// Where the office is: its city, as typed, and its position in degrees.
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// The lobby, counter display and kiosk show Tamazight (Tifinagh) too.
    pub tamazight: bool,
    /// Remote queue: minutes a citizen needs to come (the "leave now" SMS),
    /// and minutes a held remote ticket keeps its place after its turn.
    pub travel_margin_minutes: i64,
    pub remote_grace_minutes: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, name, name_ar, timezone, opening_hours, closures, verify_phone,
    priority_streak_max, min_recalls, near_turn_ahead, checkin_early_minutes,
    checkin_late_minutes, complaint_answer_days, address, address_ar, created_at, updated_at,
    city, latitude, longitude, tamazight, travel_margin_minutes, remote_grace_minutes";

pub async fn get(db: &Db, id: &str) -> Result<Option<SiteRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM sites WHERE id = $1");
    rows::one(db, &sql, id).await
}

pub async fn list(db: &Db) -> Result<Vec<SiteRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM sites ORDER BY id");
    Ok(read!(db, |c| sqlx::query_as(&sql).fetch_all(c).await)?)
}

/// Reads a site inside a write transaction, locking its row where the
/// backend can, so a partial update is applied to the latest version.
pub async fn get_for_update(tx: &mut Tx, id: &str) -> Result<Option<SiteRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM sites WHERE id = $1");
    rows::locked(tx, &sql, id).await
}

pub async fn insert(tx: &mut Tx, site: &SiteRow) -> Result<(), StoreError> {
    site.insert_into(tx, "sites").await
}

pub async fn update(tx: &mut Tx, site: &SiteRow) -> Result<(), StoreError> {
    let sql = "UPDATE sites SET name = $2, name_ar = $3, timezone = $4, opening_hours = $5,
        closures = $6, verify_phone = $7, priority_streak_max = $8, min_recalls = $9,
        near_turn_ahead = $10, checkin_early_minutes = $11, checkin_late_minutes = $12,
        complaint_answer_days = $13, address = $14, address_ar = $15, created_at = $16,
        updated_at = $17, city = $18, latitude = $19, longitude = $20, tamazight = $21,
        travel_margin_minutes = $22, remote_grace_minutes = $23
        WHERE id = $1";
    site.write_values(tx, sql).await
}

rows::values! {
    SiteRow {
        id, name, name_ar, timezone, opening_hours, closures, verify_phone, priority_streak_max,
        min_recalls, near_turn_ahead, checkin_early_minutes, checkin_late_minutes,
        complaint_answer_days, address, address_ar, created_at, updated_at, city, latitude,
        longitude, tamazight, travel_margin_minutes, remote_grace_minutes
    }
}

/// Every site's timezone name.
pub async fn timezones(db: &Db) -> Result<Vec<(String, String)>, StoreError> {
    Ok(read!(db, |c| sqlx::query_as(
        "SELECT id, timezone FROM sites"
    )
    .fetch_all(c)
    .await)?)
}
