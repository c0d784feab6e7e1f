//! Endpoints of other administrations' systems that receive events.

use super::StoreError;
use super::rows::{self, execute};
use super::{Db, Tx};
use crate::{read, write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    /// JSON list of event names.
    pub events: String,
    pub site_id: Option<String>,
    /// Shared with the receiver to sign deliveries; kept as given.
    pub secret: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "id, url, events, site_id, secret, created_at, revoked_at";

pub async fn insert(tx: &mut Tx, w: &WebhookRow) -> Result<(), StoreError> {
    let sql = format!("INSERT INTO webhooks ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
    execute!(
        tx,
        &sql,
        &w.id,
        &w.url,
        &w.events,
        &w.site_id,
        &w.secret,
        w.created_at,
        w.revoked_at
    )?;
    Ok(())
}

/// Stops an endpoint's deliveries; `false` if there is no such live one.
pub async fn revoke(tx: &mut Tx, id: &str, now: i64) -> Result<bool, StoreError> {
    let changed = execute!(
        tx,
        "UPDATE webhooks SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        id,
        now
    )?;
    Ok(changed == 1)
}

pub async fn get(db: &Db, id: &str) -> Result<Option<WebhookRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM webhooks WHERE id = $1");
    rows::one(db, &sql, id).await
}

pub async fn list(db: &Db) -> Result<Vec<WebhookRow>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS} FROM webhooks WHERE revoked_at IS NULL ORDER BY created_at, id");
    Ok(read!(db, |c| sqlx::query_as(&sql).fetch_all(c).await)?)
}

/// The live endpoints that may want a site's events, read in the
/// transaction that makes the event.
pub async fn live_for_site(tx: &mut Tx, site: &str) -> Result<Vec<WebhookRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM webhooks
         WHERE revoked_at IS NULL AND (site_id IS NULL OR site_id = $1)"
    );
    Ok(write!(tx, |c| sqlx::query_as(&sql)
        .bind(site)
        .fetch_all(c)
        .await)?)
}
