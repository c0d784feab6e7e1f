//! The clips an office records so that its lobby says calls in Tamazight
//! (`domain::voice`): an admin uploads, replaces or removes them; anyone
//! may fetch one (the lobby TV plays them); the lobby gets their addresses
//! only when the site shows Tamazight and has its full set.

use super::auth::Principal;
use super::sites::SiteContext;
use super::{App, AppError, AppResult};
use crate::domain::voice;
use crate::store::{self, voice_clips::ClipRow};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// One clip as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClipView {
    pub name: String,
    pub content_type: String,
    pub bytes: i64,
    /// Changes whenever the clip does (first bytes of its SHA-256, hex).
    pub version: String,
    pub updated_at_ms: i64,
}

/// A site's clips and what it lacks for saying every call.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VoiceView {
    pub clips: Vec<ClipView>,
    /// The clips the site needs: the two words, the ten digits and its
    /// ticket prefixes' letters.
    pub required: Vec<String>,
    pub missing: Vec<String>,
    /// The lobby says calls in Tamazight (when the site shows Tamazight).
    pub complete: bool,
}

/// A clip's audio, for playing.
pub struct ClipAudio {
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub version: String,
}

/// The site's clips and the missing ones (admin).
pub async fn view(app: &App, who: &Principal, site: &str) -> AppResult<VoiceView> {
    who.require_admin()?;
    let context = SiteContext::load(app, site).await?;
    let clips = store::voice_clips::list(&app.db, site).await?;
    let required = voice::required(context.services.iter().map(|s| s.prefix.as_str()));
    let missing: Vec<String> = required
        .iter()
        .filter(|name| !clips.iter().any(|c| &c.name == *name))
        .cloned()
        .collect();
    Ok(VoiceView {
        complete: missing.is_empty(),
        clips: clips
            .into_iter()
            .map(|c| ClipView {
                version: version(&c.sha256),
                name: c.name,
                content_type: c.content_type,
                bytes: c.size,
                updated_at_ms: c.updated_at,
            })
            .collect(),
        required,
        missing,
    })
}

/// Stores a clip in place of the site's clip of that name (admin). Its type
/// is read from its content; a clip too big or not audio changes nothing.
pub async fn upload(
    app: &App,
    who: &Principal,
    site: &str,
    name: &str,
    bytes: Vec<u8>,
) -> AppResult<ClipView> {
    who.require_admin()?;
    let name = voice::parse_name(name)?.to_owned();
    let content_type = voice::audio_type(&bytes)?;
    super::sites::require(app, site).await?;
    let digest = Sha256::digest(&bytes);
    let sha256: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let clip = ClipRow {
        site_id: site.to_owned(),
        name,
        content_type: content_type.to_owned(),
        sha256,
        updated_at: app.clock.now_ms(),
        bytes,
    };
    let mut tx = app.db.begin().await?;
    store::voice_clips::put(&mut tx, &clip).await?;
    tx.commit().await?;
    Ok(ClipView {
        version: version(&clip.sha256),
        bytes: i64::try_from(clip.bytes.len()).unwrap_or(i64::MAX),
        name: clip.name,
        content_type: clip.content_type,
        updated_at_ms: clip.updated_at,
    })
}

/// Removes a clip (admin); 404 when the site has none of that name.
pub async fn remove(app: &App, who: &Principal, site: &str, name: &str) -> AppResult<()> {
    who.require_admin()?;
    let name = voice::parse_name(name)?;
    let mut tx = app.db.begin().await?;
    let removed = store::voice_clips::delete(&mut tx, site, name).await?;
    tx.commit().await?;
    if removed {
        Ok(())
    } else {
        Err(AppError::NotFound("clip"))
    }
}

/// A clip's audio (public: the lobby plays it).
pub async fn audio(app: &App, site: &str, name: &str) -> AppResult<ClipAudio> {
    let name = voice::parse_name(name)?;
    let clip = store::voice_clips::get(&app.db, site, name)
        .await?
        .ok_or(AppError::NotFound("clip"))?;
    Ok(ClipAudio {
        version: version(&clip.sha256),
        content_type: clip.content_type,
        bytes: clip.bytes,
    })
}

/// What the lobby plays for Tamazight: each clip's name and address, when
/// the site shows Tamazight and has every clip it needs; else nothing, and
/// the lobby says calls in the other languages only.
pub async fn for_lobby(app: &App, context: &SiteContext) -> AppResult<Vec<(String, String)>> {
    if !context.row.tamazight {
        return Ok(Vec::new());
    }
    let site = &context.row.id;
    let clips = store::voice_clips::list(&app.db, site).await?;
    let required = voice::required(context.services.iter().map(|s| s.prefix.as_str()));
    if !required.iter().all(|r| clips.iter().any(|c| &c.name == r)) {
        return Ok(Vec::new());
    }
    Ok(clips
        .into_iter()
        .map(|c| {
            let url = format!(
                "/api/v1/sites/{site}/voice/{}?v={}",
                c.name,
                version(&c.sha256)
            );
            (format!("zgh-{}", c.name), url)
        })
        .collect())
}

fn version(sha256: &str) -> String {
    sha256.chars().take(12).collect()
}
