//! The clips an office records for saying calls in Tamazight on its lobby
//! (see docs/screens.md, "Tamazight"): listed, uploaded and removed by an
//! admin; fetched by anyone (the lobby TV plays them).

use super::AppState;
use super::auth::Caller;
use super::error::{ApiJson, ApiPath};
use crate::app::error::ErrorBody;
use crate::app::voice::{self, ClipView, VoiceView};
use crate::app::{AppError, AppResult};
use crate::domain::{Invalid, voice::MAX_CLIP_BYTES};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_clips))
        .routes(routes!(get_clip, put_clip, delete_clip))
}

/// A site's Tamazight clips, the ones it needs and the missing ones (admin).
#[utoipa::path(get, path = "/api/v1/sites/{site}/voice", tag = "sites", security(("bearer" = [])),
    params(("site" = String, Path)),
    responses((status = 200, body = VoiceView), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_clips(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
) -> AppResult<ApiJson<VoiceView>> {
    Ok(ApiJson(voice::view(&state.app, &who, &site).await?))
}

/// One clip's audio (public: the lobby plays it). `v`, the clip's version,
/// is ignored: it only gives a new clip a new address.
#[utoipa::path(get, path = "/api/v1/sites/{site}/voice/{name}", tag = "sites",
    params(("site" = String, Path), ("name" = String, Path, description = "ticket, counter, digit-N or letter-x"),
        ("v" = Option<String>, Query, description = "the clip's version (ignored)")),
    responses((status = 200, description = "the audio", content_type = "audio/ogg"),
    (status = 304, description = "not modified"),
    (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_clip(
    State(state): State<AppState>,
    ApiPath((site, name)): ApiPath<(String, String)>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let clip = voice::audio(&state.app, &site, &name).await?;
    let etag = format!("\"{}\"", clip.version);
    let cache = HeaderValue::from_static("public, max-age=86400");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::CACHE_CONTROL, cache)]).into_response());
    }
    let content_type = HeaderValue::from_str(&clip.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let etag = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\""));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache),
            (header::ETAG, etag),
        ],
        clip.bytes,
    )
        .into_response())
}

/// Uploads a clip, in place of the site's clip of that name (admin). The
/// body is the audio itself: Ogg, MP3, WAV or WebM, read from its content
/// whatever `Content-Type` says, at most 512 KiB.
#[utoipa::path(put, path = "/api/v1/sites/{site}/voice/{name}", tag = "sites", security(("bearer" = [])),
    params(("site" = String, Path), ("name" = String, Path, description = "ticket, counter, digit-N or letter-x")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "the audio"),
    responses((status = 200, body = ClipView), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_clip(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath((site, name)): ApiPath<(String, String)>,
    body: Body,
) -> AppResult<ApiJson<ClipView>> {
    let too_big = || {
        AppError::Invalid(Invalid::new(
            "clip",
            format!("a clip is at most {} KiB", MAX_CLIP_BYTES / 1024),
        ))
    };
    let bytes = axum::body::to_bytes(body, MAX_CLIP_BYTES)
        .await
        .map_err(|_| too_big())?;
    let clip = voice::upload(&state.app, &who, &site, &name, bytes.to_vec()).await?;
    Ok(ApiJson(clip))
}

/// Removes a clip (admin): the lobby then says calls in the other
/// languages only.
#[utoipa::path(delete, path = "/api/v1/sites/{site}/voice/{name}", tag = "sites", security(("bearer" = [])),
    params(("site" = String, Path), ("name" = String, Path)),
    responses((status = 204, description = "removed"), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delete_clip(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath((site, name)): ApiPath<(String, String)>,
) -> AppResult<StatusCode> {
    voice::remove(&state.app, &who, &site, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}
