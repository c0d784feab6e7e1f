//! The media store: files that features keep beside their rows (lobby
//! capsules now, recorded clips later), put as a stream, read back by byte
//! range, deleted. Its bytes live in one of two places:
//!
//! - a directory (`GUICHET_MEDIA_DIR`, or `media/` beside the SQLite file):
//!   one file per object, named by its id, written as `ID.part` and renamed
//!   when complete, so a reader never sees half a file;
//! - the database (PostgreSQL with no directory configured): 1 MiB `bytea`
//!   rows of `media_chunks`. Chunks rather than large objects: they need no
//!   transaction held open while an upload streams in or a video streams
//!   out (a pooled connection is held for one chunk at a time), a range
//!   reads only the chunks it covers, and deleting is a plain `DELETE`
//!   (large objects need `lo_unlink` or `vacuumlo` to be freed).
//!
//! Either way the object's row (`media_objects`: type, size, SHA-256) is
//! written by the caller's transaction, with whatever refers to it.

use super::rows::{execute, one};
use super::{Db, StoreError, Tx};
use crate::read;
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// Bytes per database chunk, and per write to a file.
const CHUNK: usize = 1 << 20;

/// A stream of a file's bytes, as the HTTP layer sends them.
pub type ByteStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// More bytes came than the caller allowed; nothing is kept.
    #[error("the file is larger than allowed")]
    TooLarge,
    /// The client's body broke off; nothing is kept.
    #[error("the upload broke off: {0}")]
    Body(io::Error),
    #[error("media file: {0}")]
    Io(#[from] io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where the bytes go.
#[derive(Debug, Clone)]
pub enum MediaStore {
    Dir(PathBuf),
    Database(Db),
}

/// Bytes put in the store but not yet recorded: record them with
/// `record` in the transaction that uses them, or `discard` them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MediaRow {
    pub id: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub in_db: bool,
    pub created_at: i64,
}

impl MediaStore {
    /// A directory if one is given (see `beside_sqlite`), else the database.
    pub fn new(db: &Db, dir: Option<PathBuf>) -> Self {
        dir.map_or_else(|| Self::Database(db.clone()), Self::Dir)
    }

    /// Where the store keeps bytes, for the start-up log.
    pub fn describe(&self) -> String {
        match self {
            Self::Dir(dir) => dir.display().to_string(),
            Self::Database(_) => "database".to_owned(),
        }
    }

    /// Writes `first`, then `rest`, as object `id` of `content_type`,
    /// refusing past `max` bytes. On any error nothing is left behind.
    pub async fn put<S>(
        &self,
        id: &str,
        content_type: &str,
        first: Bytes,
        mut rest: S,
        max: u64,
        now_ms: i64,
    ) -> Result<MediaRow, MediaError>
    where
        S: Stream<Item = io::Result<Bytes>> + Unpin + Send,
    {
        let mut sink = Sink::open(self, id).await?;
        let mut hash = Sha256::new();
        let mut size = 0u64;
        let mut buffer = BytesMut::with_capacity(CHUNK);
        let mut next = Some(first);
        let outcome = loop {
            let piece = match next.take() {
                Some(piece) => piece,
                None => match rest.next().await {
                    Some(Ok(piece)) => piece,
                    Some(Err(e)) => break Err(MediaError::Body(e)),
                    None => break Ok(()),
                },
            };
            size += piece.len() as u64;
            if size > max {
                break Err(MediaError::TooLarge);
            }
            hash.update(&piece);
            buffer.extend_from_slice(&piece);
            while buffer.len() >= CHUNK {
                let chunk = buffer.split_to(CHUNK).freeze();
                if let Err(e) = sink.write(chunk).await {
                    return Err(sink.abandon(e).await);
                }
            }
        };
        if let Err(e) = outcome {
            return Err(sink.abandon(e).await);
        }
        if !buffer.is_empty()
            && let Err(e) = sink.write(buffer.freeze()).await
        {
            return Err(sink.abandon(e).await);
        }
        let in_db = matches!(sink, Sink::Database { .. });
        if let Err(e) = sink.finish().await {
            return Err(sink.abandon(e).await);
        }
        Ok(MediaRow {
            id: id.to_owned(),
            content_type: content_type.to_owned(),
            size: size as i64,
            sha256: hex(&hash.finalize()),
            in_db,
            created_at: now_ms,
        })
    }

    /// Bytes `start..=end` of a recorded object (its row from `find`).
    /// A file gone from the directory is `Io(NotFound)`.
    pub async fn open(
        &self,
        row: &MediaRow,
        start: u64,
        end: u64,
    ) -> Result<ByteStream, MediaError> {
        let length = end + 1 - start;
        if !row.in_db {
            let Self::Dir(dir) = self else {
                return Err(io::Error::new(io::ErrorKind::NotFound, "no media directory").into());
            };
            let mut file = tokio::fs::File::open(dir.join(file_name(&row.id)?)).await?;
            file.seek(io::SeekFrom::Start(start)).await?;
            let reader = tokio_util::io::ReaderStream::with_capacity(file.take(length), 64 * 1024);
            return Ok(Box::pin(reader));
        }
        let db = match self {
            Self::Database(db) => db.clone(),
            Self::Dir(_) => return Err(io::Error::new(io::ErrorKind::NotFound, "chunks").into()),
        };
        let id = row.id.clone();
        let chunk = CHUNK as u64;
        let (first, last) = (start / chunk, end / chunk);
        let stream = futures_util::stream::unfold(first, move |n| {
            let (db, id) = (db.clone(), id.clone());
            async move {
                if n > last {
                    return None;
                }
                let read = read_chunk(&db, &id, n as i64).await;
                let piece = match read {
                    Ok(Some(data)) => {
                        let from = if n == first {
                            (start % chunk) as usize
                        } else {
                            0
                        };
                        let to = if n == last {
                            (end % chunk) as usize + 1
                        } else {
                            data.len()
                        };
                        Ok(Bytes::from(data).slice(from.min(to)..to.min(CHUNK)))
                    }
                    Ok(None) => Err(io::Error::new(io::ErrorKind::NotFound, "chunk missing")),
                    Err(e) => Err(io::Error::other(e)),
                };
                Some((piece, n + 1))
            }
        });
        Ok(Box::pin(stream))
    }

    /// Removes an object's bytes (after its row is deleted). Already gone
    /// is fine.
    pub async fn delete(&self, row: &MediaRow) -> Result<(), MediaError> {
        if row.in_db {
            if let Self::Database(db) = self {
                delete_chunks(db, &row.id).await?;
            }
            return Ok(());
        }
        if let Self::Dir(dir) = self {
            match tokio::fs::remove_file(dir.join(file_name(&row.id)?)).await {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e.into()),
                _ => {}
            }
        }
        Ok(())
    }
}

/// Where an upload is being written.
enum Sink {
    File {
        file: tokio::fs::File,
        part: PathBuf,
        done: PathBuf,
    },
    Database {
        db: Db,
        id: String,
        n: i64,
    },
}

impl Sink {
    async fn open(store: &MediaStore, id: &str) -> Result<Self, MediaError> {
        Ok(match store {
            MediaStore::Dir(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                let name = file_name(id)?;
                let part = dir.join(format!("{name}.part"));
                let file = tokio::fs::File::create(&part).await?;
                Self::File {
                    file,
                    part,
                    done: dir.join(name),
                }
            }
            MediaStore::Database(db) => Self::Database {
                db: db.clone(),
                id: id.to_owned(),
                n: 0,
            },
        })
    }

    async fn write(&mut self, chunk: Bytes) -> Result<(), MediaError> {
        match self {
            Self::File { file, .. } => file.write_all(&chunk).await?,
            Self::Database { db, id, n } => {
                let mut tx = db.begin().await?;
                execute!(
                    &mut tx,
                    "INSERT INTO media_chunks (media_id, n, data) VALUES ($1, $2, $3)",
                    &*id,
                    *n,
                    chunk.as_ref()
                )?;
                tx.commit().await?;
                *n += 1;
            }
        }
        Ok(())
    }

    async fn finish(&mut self) -> Result<(), MediaError> {
        if let Self::File { file, part, done } = self {
            file.flush().await?;
            file.sync_all().await?;
            tokio::fs::rename(&part, &done).await?;
        }
        Ok(())
    }

    /// Removes what was written, and returns `error`.
    async fn abandon(self, error: MediaError) -> MediaError {
        let cleaned = match self {
            Self::File { file, part, done } => {
                drop(file);
                let _ = tokio::fs::remove_file(&done).await;
                tokio::fs::remove_file(&part)
                    .await
                    .or_else(|e| {
                        if e.kind() == io::ErrorKind::NotFound {
                            Ok(())
                        } else {
                            Err(e)
                        }
                    })
                    .map_err(MediaError::from)
            }
            Self::Database { db, id, .. } => delete_chunks(&db, &id).await.map_err(Into::into),
        };
        if let Err(e) = cleaned {
            tracing::warn!(error = %e, "a refused upload's bytes could not be removed");
        }
        error
    }
}

/// Records a put object, in the transaction that refers to it.
pub async fn record(tx: &mut Tx, row: &MediaRow) -> Result<(), StoreError> {
    execute!(
        tx,
        "INSERT INTO media_objects (id, content_type, size, sha256, in_db, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &row.id,
        &row.content_type,
        row.size,
        &row.sha256,
        row.in_db,
        row.created_at
    )?;
    Ok(())
}

/// Deletes an object's row, returning it (its bytes go after commit:
/// `MediaStore::delete`).
pub async fn forget(tx: &mut Tx, id: &str) -> Result<Option<MediaRow>, StoreError> {
    Ok(crate::write!(tx, |c| {
        sqlx::query_as(
            "DELETE FROM media_objects WHERE id = $1
             RETURNING id, content_type, size, sha256, in_db, created_at",
        )
        .bind(id)
        .fetch_optional(c)
        .await
    })?)
}

/// A recorded object.
pub async fn find(db: &Db, id: &str) -> Result<Option<MediaRow>, StoreError> {
    one(
        db,
        "SELECT id, content_type, size, sha256, in_db, created_at FROM media_objects WHERE id = $1",
        id,
    )
    .await
}

async fn read_chunk(db: &Db, id: &str, n: i64) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_scalar("SELECT data FROM media_chunks WHERE media_id = $1 AND n = $2")
            .bind(id)
            .bind(n)
            .fetch_optional(c)
            .await
    })?)
}

pub(super) async fn delete_chunks(db: &Db, id: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    execute!(&mut tx, "DELETE FROM media_chunks WHERE media_id = $1", id)?;
    tx.commit().await
}

/// An id as a file name: only the characters ids are made of.
fn file_name(id: &str) -> io::Result<&str> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(id)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "bad media id"))
}

/// `media/` beside a SQLite file named by `url`; `None` for PostgreSQL or
/// an in-memory database.
pub fn beside_sqlite(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let parent = Path::new(path).parent().unwrap_or(Path::new(""));
    Some(if parent.as_os_str().is_empty() {
        PathBuf::from("media")
    } else {
        parent.join("media")
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_is_beside_the_sqlite_file() {
        assert_eq!(
            beside_sqlite("sqlite:///var/lib/guichet/guichet.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/guichet/media"))
        );
        assert_eq!(
            beside_sqlite("sqlite://guichet.db"),
            Some(PathBuf::from("media"))
        );
        assert_eq!(beside_sqlite("sqlite::memory:"), None);
        assert_eq!(beside_sqlite("postgres://db/guichet"), None);
        assert!(file_name("../etc").is_err() && file_name("aZ0-_").is_ok());
    }
}
