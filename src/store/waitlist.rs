//! Citizens waiting for an earlier place in a service.

use super::StoreError;
use super::Tx;
use super::rows::execute;
use crate::write;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitlistRow {
    pub id: String,
    pub site_id: String,
    pub service_id: String,
    pub phone: String,
    pub from_day: String,
    pub to_day: String,
    pub lang: String,
    pub created_at: i64,
    pub offered_at: Option<i64>,
}

/// Adds a citizen, or moves their open entry to a new range; returns the
/// entry's id.
pub async fn upsert(tx: &mut Tx, w: &WaitlistRow) -> Result<String, StoreError> {
    let existing: Option<String> = write!(tx, |c| {
        sqlx::query_scalar(
            "SELECT id FROM waitlist WHERE site_id = $1 AND service_id = $2 AND phone = $3
               AND offered_at IS NULL",
        )
        .bind(&w.site_id)
        .bind(&w.service_id)
        .bind(&w.phone)
        .fetch_optional(c)
        .await
    })?;
    let id = existing.unwrap_or_else(|| w.id.clone());
    execute!(
        tx,
        "INSERT INTO waitlist (id, site_id, service_id, phone, from_day, to_day, lang, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET from_day = excluded.from_day,
                 to_day = excluded.to_day, lang = excluded.lang",
        &id,
        &w.site_id,
        &w.service_id,
        &w.phone,
        &w.from_day,
        &w.to_day,
        &w.lang,
        w.created_at
    )?;
    Ok(id)
}

/// The first citizen still waiting for a place on `day`, except one who
/// already holds a place at or before `start`; marked as offered.
pub async fn offer_first(
    tx: &mut Tx,
    site: &str,
    service: &str,
    day: &str,
    start: i64,
    now: i64,
) -> Result<Option<WaitlistRow>, StoreError> {
    let lock = tx.lock_rows();
    let sql = format!(
        "SELECT w.id, w.site_id, w.service_id, w.phone, w.from_day, w.to_day, w.lang,
                w.created_at, w.offered_at
         FROM waitlist w
         WHERE w.site_id = $1 AND w.service_id = $2 AND w.offered_at IS NULL
           AND w.from_day <= $3 AND w.to_day >= $3
           AND NOT EXISTS (SELECT 1 FROM appointments a
                           WHERE a.site_id = w.site_id AND a.service_id = w.service_id
                             AND a.phone = w.phone AND a.status = 'booked' AND a.start_at <= $4)
         ORDER BY w.created_at, w.id LIMIT 1{lock}"
    );
    let first: Option<WaitlistRow> = write!(tx, |c| {
        sqlx::query_as(&sql)
            .bind(site)
            .bind(service)
            .bind(day)
            .bind(start)
            .fetch_optional(c)
            .await
    })?;
    if let Some(entry) = &first {
        execute!(
            tx,
            "UPDATE waitlist SET offered_at = $2 WHERE id = $1",
            &entry.id,
            now
        )?;
    }
    Ok(first)
}
