//! The clips an office records for saying calls in Tamazight, one row a
//! clip, the audio in the row (at most 512 KiB, checked by `app::voice`).
//! Kept behind these few functions so that the clips can move to a shared
//! media store later.

use super::StoreError;
use super::rows::execute;
use super::{Db, Tx};
use crate::read;

/// A clip without its audio.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClipInfo {
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub updated_at: i64,
}

/// A clip with its audio.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClipRow {
    pub site_id: String,
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub updated_at: i64,
}

/// The clips of a site, by name.
pub async fn list(db: &Db, site: &str) -> Result<Vec<ClipInfo>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT name, content_type, CAST(LENGTH(bytes) AS BIGINT) AS size, sha256, updated_at
             FROM voice_clips WHERE site_id = $1 ORDER BY name",
        )
        .bind(site)
        .fetch_all(c)
        .await
    })?)
}

pub async fn get(db: &Db, site: &str, name: &str) -> Result<Option<ClipRow>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT site_id, name, content_type, bytes, sha256, updated_at
             FROM voice_clips WHERE site_id = $1 AND name = $2",
        )
        .bind(site)
        .bind(name)
        .fetch_optional(c)
        .await
    })?)
}

/// Puts a clip in place of the site's clip of that name, if any.
pub async fn put(tx: &mut Tx, clip: &ClipRow) -> Result<(), StoreError> {
    execute!(
        tx,
        "INSERT INTO voice_clips (site_id, name, content_type, bytes, sha256, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (site_id, name) DO UPDATE SET content_type = excluded.content_type,
             bytes = excluded.bytes, sha256 = excluded.sha256, updated_at = excluded.updated_at",
        &clip.site_id,
        &clip.name,
        &clip.content_type,
        &clip.bytes,
        &clip.sha256,
        clip.updated_at
    )?;
    Ok(())
}

/// Removes a clip; whether there was one.
pub async fn delete(tx: &mut Tx, site: &str, name: &str) -> Result<bool, StoreError> {
    let removed = execute!(
        tx,
        "DELETE FROM voice_clips WHERE site_id = $1 AND name = $2",
        site,
        name
    )?;
    Ok(removed > 0)
}
