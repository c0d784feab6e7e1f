//! What a crash in the middle of an upload leaves in the media store: a
//! `*.part` file, a whole file whose row was never committed, or database
//! chunks of an object with no `media_objects` row. `app::media::sweep`
//! removes them once they are old enough that no upload can still be
//! writing them.

use super::media::{MediaError, MediaStore, delete_chunks};
use super::{Db, StoreError};
use crate::read;
use std::io;

/// Objects at most listed by one sweep.
const BATCH: i64 = 500;

/// Bytes in the store that no row refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Leftover {
    /// A file of the media directory, by its name.
    File(String),
    /// The database chunks of an object, by its id.
    Chunks(String),
}

impl MediaStore {
    /// The store's bytes that no `media_objects` row refers to now: files
    /// of the directory (`*.part`, or named by an id with no row) and
    /// chunks of ids with no row, at most a batch of each.
    pub async fn leftovers(&self, db: &Db) -> Result<Vec<Leftover>, MediaError> {
        let mut found = Vec::new();
        if let Self::Dir(dir) = self {
            let mut entries = match tokio::fs::read_dir(dir).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(found),
                Err(e) => return Err(e.into()),
            };
            while let Some(entry) = entries.next_entry().await? {
                if found.len() as i64 >= BATCH {
                    break;
                }
                if !entry.file_type().await?.is_file() {
                    continue;
                }
                let Ok(name) = entry.file_name().into_string() else {
                    continue;
                };
                let orphan = match name.strip_suffix(".part") {
                    Some(_) => true,
                    None => !recorded(db, &name).await?,
                };
                if orphan {
                    found.push(Leftover::File(name));
                }
            }
        }
        let chunks: Vec<String> = read!(db, |c| {
            sqlx::query_scalar(
                "SELECT DISTINCT c.media_id FROM media_chunks c
                 WHERE NOT EXISTS (SELECT 1 FROM media_objects o WHERE o.id = c.media_id)
                 LIMIT $1",
            )
            .bind(BATCH)
            .fetch_all(c)
            .await
        })
        .map_err(StoreError::from)?;
        found.extend(chunks.into_iter().map(Leftover::Chunks));
        Ok(found)
    }

    /// Removes a leftover if it is one still: a file renamed or recorded
    /// since it was listed is kept. Already gone is fine.
    pub async fn remove(&self, db: &Db, leftover: &Leftover) -> Result<bool, MediaError> {
        match leftover {
            Leftover::File(name) => {
                let Self::Dir(dir) = self else {
                    return Ok(false);
                };
                let id = name.strip_suffix(".part").unwrap_or(name);
                if !name.ends_with(".part") && recorded(db, id).await? {
                    return Ok(false);
                }
                match tokio::fs::remove_file(dir.join(name)).await {
                    Ok(()) => Ok(true),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }
            Leftover::Chunks(id) => {
                if recorded(db, id).await? {
                    return Ok(false);
                }
                delete_chunks(db, id).await?;
                Ok(true)
            }
        }
    }
}

/// Whether object `id` has its row.
async fn recorded(db: &Db, id: &str) -> Result<bool, StoreError> {
    let found: Option<String> = read!(db, |c| {
        sqlx::query_scalar("SELECT id FROM media_objects WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await
    })?;
    Ok(found.is_some())
}
