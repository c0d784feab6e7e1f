//! A site's lobby capsules: short videos and images (their bytes in the
//! media store) with the days and hours they show.

use super::StoreError;
use super::rows::{all, execute};
use super::{Conn, Db, Tx};
use crate::store::on;
use crate::write;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CapsuleRow {
    pub id: String,
    pub site_id: String,
    pub media_id: String,
    pub kind: String,
    pub title: String,
    pub days: i64,
    pub from_minute: Option<i64>,
    pub until_minute: Option<i64>,
    pub created_at: i64,
}

/// A capsule with its media's type, size and hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CapsuleMedia {
    #[sqlx(flatten)]
    pub capsule: CapsuleRow,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub in_db: bool,
}

const SELECT: &str = "SELECT c.id, c.site_id, c.media_id, c.kind, c.title, c.days, c.from_minute,
        c.until_minute, c.created_at, m.content_type, m.size, m.sha256, m.in_db
     FROM capsules c JOIN media_objects m ON m.id = c.media_id";

/// A site's capsules, oldest first (the lobby's order).
pub async fn of_site(db: &Db, site: &str) -> Result<Vec<CapsuleMedia>, StoreError> {
    all(
        db,
        &format!("{SELECT} WHERE c.site_id = $1 ORDER BY c.created_at, c.id"),
        site,
    )
    .await
}

/// How many capsules a site has and their bytes.
pub async fn usage(conn: Conn<'_>, site: &str) -> Result<(i64, i64), StoreError> {
    Ok(on!(conn, |c| {
        sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(m.size), 0) AS BIGINT)
             FROM capsules c JOIN media_objects m ON m.id = c.media_id WHERE c.site_id = $1",
        )
        .bind(site)
        .fetch_one(c)
        .await
    })?)
}

pub async fn insert(tx: &mut Tx, row: &CapsuleRow) -> Result<(), StoreError> {
    execute!(
        tx,
        "INSERT INTO capsules (id, site_id, media_id, kind, title, days, from_minute, until_minute, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &row.id,
        &row.site_id,
        &row.media_id,
        &row.kind,
        &row.title,
        row.days,
        row.from_minute,
        row.until_minute,
        row.created_at
    )?;
    Ok(())
}

/// Changes a capsule's title and schedule; whether it exists on the site.
pub async fn update(tx: &mut Tx, row: &CapsuleRow) -> Result<bool, StoreError> {
    let changed = execute!(
        tx,
        "UPDATE capsules SET title = $1, days = $2, from_minute = $3, until_minute = $4
         WHERE id = $5 AND site_id = $6",
        &row.title,
        row.days,
        row.from_minute,
        row.until_minute,
        &row.id,
        &row.site_id
    )?;
    Ok(changed == 1)
}

/// Deletes a site's capsule; its media id, if it existed.
pub async fn delete(tx: &mut Tx, site: &str, id: &str) -> Result<Option<String>, StoreError> {
    let media: Option<String> = write!(tx, |c| {
        sqlx::query_scalar("DELETE FROM capsules WHERE id = $1 AND site_id = $2 RETURNING media_id")
            .bind(id)
            .bind(site)
            .fetch_optional(c)
            .await
    })?;
    Ok(media)
}
