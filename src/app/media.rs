//! The media store as features use it: `put` an upload (its type read
//! from its first bytes, its size bounded, nothing kept when refused),
//! `open` a byte range of a stored file for the public, `discard` bytes.
//! Where the bytes live is `store::media`'s business.

use super::{App, AppError, AppResult};
use crate::domain::media::{self, Format, Kind, RangeAnswer, SNIFF_BYTES};
use crate::store::media::{ByteStream, MediaError, MediaRow, MediaStore};
use crate::store::media_leftovers::Leftover;
use crate::sync::lock;
use bytes::{Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Bytes in a megabyte, as the settings count them.
pub const MB: u64 = 1 << 20;

/// How big an upload may be, by kind (`GUICHET_MEDIA_MAX_VIDEO_MB`,
/// `GUICHET_MEDIA_MAX_IMAGE_MB`), and where bytes go (`GUICHET_MEDIA_DIR`,
/// or `media/` beside the SQLite file; `None`: the database).
#[derive(Debug, Clone)]
pub struct MediaSettings {
    pub dir: Option<PathBuf>,
    pub max_video_bytes: u64,
    pub max_image_bytes: u64,
}

impl Default for MediaSettings {
    fn default() -> Self {
        Self {
            dir: None,
            max_video_bytes: 50 * MB,
            max_image_bytes: 5 * MB,
        }
    }
}

impl MediaSettings {
    pub fn max_of(&self, kind: Kind) -> u64 {
        match kind {
            Kind::Video => self.max_video_bytes,
            Kind::Image => self.max_image_bytes,
        }
    }

    /// The most any upload may be.
    pub fn max_any(&self) -> u64 {
        self.max_video_bytes.max(self.max_image_bytes)
    }
}

/// The store and its limits, as `App` holds them.
#[derive(Debug, Clone)]
pub struct Media {
    pub store: MediaStore,
    pub settings: MediaSettings,
    /// Leftovers this instance has seen, and when it first saw each.
    pub leftovers_seen: Arc<Mutex<HashMap<Leftover, i64>>>,
}

/// How long a leftover must have been seen before the sweep removes it:
/// longer than any upload may last (`GUICHET_UPLOAD_TIMEOUT_SECS` is at
/// most an hour), so bytes still being written are never taken.
pub const LEFTOVER_AGE_MS: i64 = 2 * 60 * 60 * 1000;

/// Removes what crashes in mid-upload left in the store (`*.part` files,
/// files and chunks no row refers to) once this instance has seen each
/// for `min_age_ms`; returns how many it removed. Each sweep lists a
/// bounded batch; what is recorded since it was seen is kept.
pub async fn sweep(app: &App, min_age_ms: i64) -> AppResult<usize> {
    let now = app.clock.now_ms();
    let found = app
        .media
        .store
        .leftovers(&app.db)
        .await
        .map_err(from_media)?;
    let due: Vec<Leftover> = {
        let mut seen = lock(&app.media.leftovers_seen);
        seen.retain(|leftover, _| found.contains(leftover));
        found
            .into_iter()
            .filter(|leftover| now - *seen.entry(leftover.clone()).or_insert(now) >= min_age_ms)
            .collect()
    };
    let mut removed = 0;
    for leftover in &due {
        if app
            .media
            .store
            .remove(&app.db, leftover)
            .await
            .map_err(from_media)?
        {
            removed += 1;
        }
        lock(&app.media.leftovers_seen).remove(leftover);
    }
    if removed > 0 {
        tracing::info!(removed, "media left by interrupted uploads removed");
    }
    Ok(removed)
}

/// An upload as the HTTP layer hands it over: the declared type and
/// length, if any, and the body's stream.
pub struct Upload<S> {
    pub declared_type: Option<String>,
    pub declared_length: Option<u64>,
    pub body: S,
}

/// Stores an upload as object `id` once its first bytes show an accepted
/// format (else 415) and if it stays within `max(kind)` bytes (else 413).
/// Returns the format and the row to record; nothing is kept on error.
pub async fn put<S>(
    app: &App,
    id: &str,
    upload: Upload<S>,
    max: impl Fn(Kind) -> u64,
) -> AppResult<(Format, MediaRow)>
where
    S: Stream<Item = io::Result<Bytes>> + Unpin + Send,
{
    let Upload {
        declared_type,
        declared_length,
        mut body,
    } = upload;
    if let Some(declared) = declared_type.as_deref() {
        let declared = declared.split(';').next().unwrap_or_default().trim();
        if !declared.is_empty()
            && declared != "application/octet-stream"
            && !media::ACCEPTED.contains(&declared)
        {
            return Err(unsupported());
        }
    }
    let mut head = BytesMut::new();
    while head.len() < SNIFF_BYTES {
        match body.next().await {
            Some(Ok(piece)) => head.extend_from_slice(&piece),
            Some(Err(e)) => return Err(AppError::Malformed(format!("upload broke off: {e}"))),
            None => break,
        }
    }
    let format = media::sniff(&head).ok_or_else(unsupported)?;
    if let Some(declared) = declared_type.as_deref() {
        let declared = declared.split(';').next().unwrap_or_default().trim();
        if media::ACCEPTED.contains(&declared) && declared != format.content_type {
            return Err(unsupported());
        }
    }
    let limit = max(format.kind);
    if declared_length.is_some_and(|n| n > limit) || head.len() as u64 > limit {
        return Err(too_large(limit));
    }
    let row = app
        .media
        .store
        .put(
            id,
            format.content_type,
            head.freeze(),
            body,
            limit,
            app.clock.now_ms(),
        )
        .await
        .map_err(|e| match e {
            MediaError::TooLarge => too_large(limit),
            other => from_media(other),
        })?;
    Ok((format, row))
}

/// Removes bytes no row refers to any more (after a refused change, or
/// after the row's deletion was committed). A failure is logged.
pub async fn discard(app: &App, row: &MediaRow) {
    if let Err(e) = app.media.store.delete(row).await {
        tracing::warn!(error = %e, "a media file could not be removed");
    }
}

/// A stored file, or the part of it a range asked for.
pub struct Served {
    pub content_type: String,
    pub size: u64,
    /// The strong validator: the content's SHA-256.
    pub etag: String,
    pub answer: RangeAnswer,
    /// Absent when the range is unsatisfiable.
    pub body: Option<ByteStream>,
}

/// Opens object `id` for the public (lobby screens read it): the whole or
/// the part `range` asks for. An unknown id, or a file gone from disk, is
/// 404.
pub async fn open(app: &App, id: &str, range: Option<&str>) -> AppResult<Served> {
    let row = crate::store::media::find(&app.db, id)
        .await?
        .ok_or(AppError::NotFound("media"))?;
    let size = row.size.max(0) as u64;
    let answer = media::range(range, size);
    let span = match answer {
        RangeAnswer::Whole if size > 0 => Some((0, size - 1)),
        RangeAnswer::Part { start, end } => Some((start, end)),
        _ => None,
    };
    let body = match span {
        Some((start, end)) => Some(
            app.media
                .store
                .open(&row, start, end)
                .await
                .map_err(from_media)?,
        ),
        None if answer == RangeAnswer::Whole => {
            Some(Box::pin(futures_util::stream::empty::<io::Result<Bytes>>()) as ByteStream)
        }
        None => None,
    };
    Ok(Served {
        content_type: row.content_type,
        size,
        etag: row.sha256,
        answer,
        body,
    })
}

fn unsupported() -> AppError {
    AppError::UnsupportedType("only MP4 or WebM videos and PNG, JPEG or WebP images are accepted")
}

fn too_large(limit: u64) -> AppError {
    AppError::TooLarge(format!(
        "at most {} MB for this kind of file",
        limit.div_ceil(MB)
    ))
}

fn from_media(error: MediaError) -> AppError {
    match error {
        MediaError::TooLarge => AppError::TooLarge("the file is too large".into()),
        MediaError::Body(e) => AppError::Malformed(format!("upload broke off: {e}")),
        MediaError::Io(e) if e.kind() == io::ErrorKind::NotFound => AppError::NotFound("media"),
        MediaError::Io(e) => AppError::Internal(e.into()),
        MediaError::Store(e) => e.into(),
    }
}
