//! What the earliest-slot search reads: every bookable service that has a
//! kind, with where its site is and its hours (one query for all offices),
//! and the places taken in the slots of one kind (one query too).

use super::{Db, StoreError};
use crate::read;

/// A service with a kind that takes appointments, with its site.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OfferingRow {
    pub site_id: String,
    pub service_id: String,
    pub kind: String,
    pub service_name: String,
    pub service_name_ar: Option<String>,
    pub service_name_en: Option<String>,
    /// JSON list of `in_person` / `video`.
    pub appointment_modes: String,
    pub slot_minutes: i64,
    pub slot_capacity: i64,
    pub min_notice_minutes: i64,
    pub horizon_days: i64,
    pub site_name: String,
    pub site_name_ar: Option<String>,
    pub timezone: String,
    pub opening_hours: String,
    pub closures: String,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// Every bookable service that has a kind, in site and service order.
pub async fn offerings(db: &Db) -> Result<Vec<OfferingRow>, StoreError> {
    Ok(read!(db, |c| sqlx::query_as(
        "SELECT s.site_id, s.id AS service_id, s.kind, s.name AS service_name,
                s.name_ar AS service_name_ar, s.name_en AS service_name_en,
                s.appointment_modes, s.slot_minutes, s.slot_capacity, s.min_notice_minutes,
                s.horizon_days, t.name AS site_name, t.name_ar AS site_name_ar, t.timezone,
                t.opening_hours, t.closures, t.city, t.latitude, t.longitude
         FROM services s JOIN sites t ON t.id = s.site_id
         WHERE s.kind IS NOT NULL AND s.appointment_modes <> '[]' AND s.slot_capacity > 0
         ORDER BY s.site_id, s.id"
    )
    .fetch_all(c)
    .await)?)
}

/// Places taken, per slot, in the services of one kind from `from` to
/// `to` (Unix ms, `to` excluded): `(site, service, start, taken)`.
pub async fn taken_of_kind(
    db: &Db,
    kind: &str,
    from: i64,
    to: i64,
) -> Result<Vec<(String, String, i64, i64)>, StoreError> {
    Ok(read!(db, |c| sqlx::query_as(
        "SELECT p.site_id, p.service_id, p.start_at, p.taken
         FROM services s JOIN slot_places p ON p.site_id = s.site_id AND p.service_id = s.id
         WHERE s.kind = $1 AND p.start_at >= $2 AND p.start_at < $3 AND p.taken > 0"
    )
    .bind(kind)
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await)?)
}
