//! Lobby capsules: short videos and images a site's supervisors (and
//! admins) upload and schedule by days and hours; the lobby's information
//! panel shows those due now in turn with the text announcements. Reading
//! what shows now is public (the lobby is a public screen); the full list
//! with schedules is for the site's staff who may change it.

use super::auth::Principal;
use super::media::{self, Upload};
use super::{App, AppError, AppResult};
use crate::domain::capsule::Schedule;
use crate::domain::media::Kind;
use crate::domain::parse_label;
use crate::domain::role::Role;
use crate::secrets::new_id;
use crate::store::{self, Conn, capsules::CapsuleMedia, capsules::CapsuleRow};
use bytes::Bytes;
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use std::io;
use utoipa::{IntoParams, ToSchema};

/// Capsules a site may hold: a panel showing each for a while would never
/// come round to more.
pub const MAX_CAPSULES: i64 = 20;
/// Videos' worth a site may hold in all: this many of the largest.
pub const SITE_BUDGET_VIDEOS: u64 = 10;
/// Characters of a capsule's title (for the admin list only).
pub const MAX_TITLE: usize = 120;

/// A capsule as the lobby reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Capsule {
    pub id: String,
    pub title: String,
    /// `video` or `image`.
    pub kind: String,
    pub content_type: String,
    pub size: i64,
    /// Its bytes (public, immutable: a new upload gets a new address).
    pub url: String,
    /// ISO weekdays it shows on (1 Monday … 7 Sunday).
    pub days: Vec<u8>,
    /// Local "HH:MM" it shows from and until, or all day.
    pub from: Option<String>,
    pub until: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Capsules {
    pub capsules: Vec<Capsule>,
}

/// What an upload or a change says besides the file: the title, the days
/// (comma-separated ISO weekdays; empty: every day) and the hours.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct CapsuleFields {
    pub title: Option<String>,
    /// e.g. `1,2,3,4,5`; empty or absent: every day.
    pub days: Option<String>,
    /// "HH:MM", local; with `until`.
    pub from: Option<String>,
    pub until: Option<String>,
}

struct Checked {
    title: String,
    schedule: Schedule,
}

fn check(fields: &CapsuleFields) -> Result<Checked, AppError> {
    let title = match fields.title.as_deref().map(str::trim) {
        None | Some("") => "—".to_owned(),
        Some(t) => parse_label("title", t, MAX_TITLE)?,
    };
    let mut days = Vec::new();
    for part in fields.days.as_deref().unwrap_or_default().split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let day: u8 = part.parse().map_err(|_| {
            crate::domain::Invalid::new("days", "days are 1 (Monday) to 7 (Sunday)")
        })?;
        days.push(day);
    }
    let schedule = Schedule::parse(&days, blank(&fields.from), blank(&fields.until))?;
    Ok(Checked { title, schedule })
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn view(row: CapsuleMedia) -> Capsule {
    let c = row.capsule;
    let schedule = Schedule::from_stored(c.days, c.from_minute, c.until_minute);
    Capsule {
        url: format!("/api/v1/media/{}", c.media_id),
        id: c.id,
        title: c.title,
        kind: c.kind,
        content_type: row.content_type,
        size: row.size,
        days: schedule.days(),
        from: schedule.hours().map(|h| Schedule::clock(h.0)),
        until: schedule.hours().map(|h| Schedule::clock(h.1)),
    }
}

/// The capsules showing now on the site's lobby, in order (public).
pub async fn showing(app: &App, site: &str) -> AppResult<Capsules> {
    super::sites::require(app, site).await?;
    let zone = super::sites::zone_of(app, site).await?;
    let local = jiff::Timestamp::from_millisecond(app.clock.now_ms())
        .map_err(|e| AppError::Internal(e.into()))?
        .to_zoned((*zone).clone());
    let weekday = local.weekday().to_monday_one_offset() as u8;
    let minute = (local.hour() as u16) * 60 + local.minute() as u16;
    let rows = store::capsules::of_site(&app.db, site).await?;
    Ok(Capsules {
        capsules: rows
            .into_iter()
            .filter(|r| {
                let c = &r.capsule;
                Schedule::from_stored(c.days, c.from_minute, c.until_minute).shows(weekday, minute)
            })
            .map(view)
            .collect(),
    })
}

/// Every capsule of the site with its schedule (admin, or the site's
/// supervisor).
pub async fn all(app: &App, who: &Principal, site: &str) -> AppResult<Capsules> {
    who.require_staff(site, &[Role::Supervisor])?;
    super::sites::require(app, site).await?;
    let rows = store::capsules::of_site(&app.db, site).await?;
    Ok(Capsules {
        capsules: rows.into_iter().map(view).collect(),
    })
}

/// Adds a capsule from an upload (admin, or the site's supervisor). Its
/// fields are checked before a byte is read; its type is read from its
/// content; past the size limits or the site's count and total, nothing is
/// kept.
pub async fn upload<S>(
    app: &App,
    who: &Principal,
    site: &str,
    fields: CapsuleFields,
    body: Upload<S>,
) -> AppResult<Capsule>
where
    S: Stream<Item = io::Result<Bytes>> + Unpin + Send,
{
    who.require_staff(site, &[Role::Supervisor])?;
    super::sites::require(app, site).await?;
    let checked = check(&fields)?;
    let settings = &app.media.settings;
    let budget = settings.max_video_bytes.saturating_mul(SITE_BUDGET_VIDEOS);
    let (count, used) = store::capsules::usage(Conn::Db(&app.db), site).await?;
    if count >= MAX_CAPSULES {
        return Err(full());
    }
    let left = budget.saturating_sub(used.max(0) as u64);
    let media_id = new_id();
    let (format, media_row) =
        media::put(app, &media_id, body, |kind| settings.max_of(kind).min(left)).await?;
    let row = CapsuleRow {
        id: new_id(),
        site_id: site.to_owned(),
        media_id: media_id.clone(),
        kind: format.kind.as_str().to_owned(),
        title: checked.title,
        days: checked.schedule.day_mask(),
        from_minute: checked.schedule.hours().map(|h| i64::from(h.0)),
        until_minute: checked.schedule.hours().map(|h| i64::from(h.1)),
        created_at: app.clock.now_ms(),
    };
    let recorded = async {
        let mut tx = app.db.begin().await?;
        // Counted again in the change: two uploads at once cannot both
        // take the last place.
        let (count, used) = store::capsules::usage(Conn::Tx(&mut tx), site).await?;
        if count >= MAX_CAPSULES || used.max(0) as u64 + media_row.size as u64 > budget {
            return Err(full());
        }
        store::media::record(&mut tx, &media_row).await?;
        store::capsules::insert(&mut tx, &row).await?;
        tx.commit().await?;
        Ok::<_, AppError>(())
    }
    .await;
    if let Err(e) = recorded {
        media::discard(app, &media_row).await;
        return Err(e);
    }
    Ok(view(CapsuleMedia {
        capsule: row,
        content_type: media_row.content_type,
        size: media_row.size,
        sha256: media_row.sha256,
        in_db: media_row.in_db,
    }))
}

/// Changes a capsule's title, days and hours (admin, or the site's
/// supervisor).
pub async fn reschedule(
    app: &App,
    who: &Principal,
    site: &str,
    id: &str,
    fields: CapsuleFields,
) -> AppResult<Capsule> {
    who.require_staff(site, &[Role::Supervisor])?;
    super::sites::require(app, site).await?;
    let checked = check(&fields)?;
    let row = CapsuleRow {
        id: id.to_owned(),
        site_id: site.to_owned(),
        media_id: String::new(),
        kind: String::new(),
        title: checked.title,
        days: checked.schedule.day_mask(),
        from_minute: checked.schedule.hours().map(|h| i64::from(h.0)),
        until_minute: checked.schedule.hours().map(|h| i64::from(h.1)),
        created_at: 0,
    };
    let mut tx = app.db.begin().await?;
    if !store::capsules::update(&mut tx, &row).await? {
        return Err(AppError::NotFound("capsule"));
    }
    tx.commit().await?;
    store::capsules::of_site(&app.db, site)
        .await?
        .into_iter()
        .find(|c| c.capsule.id == id)
        .map(view)
        .ok_or(AppError::NotFound("capsule"))
}

/// Deletes a capsule and its file (admin, or the site's supervisor).
pub async fn delete(app: &App, who: &Principal, site: &str, id: &str) -> AppResult<()> {
    who.require_staff(site, &[Role::Supervisor])?;
    super::sites::require(app, site).await?;
    let mut tx = app.db.begin().await?;
    let media_id = store::capsules::delete(&mut tx, site, id)
        .await?
        .ok_or(AppError::NotFound("capsule"))?;
    let media_row = store::media::forget(&mut tx, &media_id).await?;
    tx.commit().await?;
    if let Some(row) = media_row {
        media::discard(app, &row).await;
    }
    Ok(())
}

fn full() -> AppError {
    AppError::conflict(
        "capsules_full",
        format!(
            "a site holds at most {MAX_CAPSULES} capsules and {SITE_BUDGET_VIDEOS} largest videos' worth of bytes: delete one first"
        ),
    )
}

/// A capsule's kind, for pages.
pub fn kind_of(capsule: &Capsule) -> Option<Kind> {
    Kind::parse(&capsule.kind)
}
