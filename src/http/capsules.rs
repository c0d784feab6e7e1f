//! Lobby capsules (`/api/v1/sites/{site}/capsules`): uploaded as the raw
//! body of a POST (its type read from its bytes), listed, rescheduled,
//! deleted by an admin or the site's supervisor; the ones showing now are
//! public. The files themselves are served by `http::media`.

use super::AppState;
use super::auth::Caller;
use super::created::Created;
use super::error::{ApiJson, ApiPath, ApiQuery};
use crate::app::AppResult;
use crate::app::capsules::{self, Capsule, CapsuleFields, Capsules};
use crate::app::error::ErrorBody;
use crate::app::media::Upload;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use futures_util::TryStreamExt;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(showing, upload))
        .routes(routes!(all))
        .routes(routes!(reschedule, delete))
}

/// The capsules the site's lobby shows now (their days and hours include
/// the site's local time), in order (public).
#[utoipa::path(get, path = "/api/v1/sites/{site}/capsules", tag = "sites",
    params(("site" = String, Path)),
    responses((status = 200, body = Capsules), (status = 404, body = ErrorBody)))]
async fn showing(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
) -> AppResult<ApiJson<Capsules>> {
    Ok(ApiJson(capsules::showing(&state.app, &site).await?))
}

/// Every capsule of the site with its schedule (admin, or the site's
/// supervisor).
#[utoipa::path(get, path = "/api/v1/sites/{site}/capsules/all", tag = "sites", security(("bearer" = [])),
    params(("site" = String, Path)),
    responses((status = 200, body = Capsules), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn all(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
) -> AppResult<ApiJson<Capsules>> {
    Ok(ApiJson(capsules::all(&state.app, &who, &site).await?))
}

/// Uploads a capsule (admin, or the site's supervisor): the body is the
/// file itself, an MP4 or WebM video or a PNG, JPEG or WebP image,
/// recognised by its content. Too large: 413; another type: 415; the
/// site's 20 capsules or its bytes taken: 409 `capsules_full`.
#[utoipa::path(post, path = "/api/v1/sites/{site}/capsules", tag = "sites", security(("bearer" = [])),
    params(("site" = String, Path), CapsuleFields),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The file: video/mp4, video/webm, image/png, image/jpeg or image/webp"),
    responses((status = 201, body = Capsule), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
    (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiQuery(fields): ApiQuery<CapsuleFields>,
    headers: HeaderMap,
    body: Body,
) -> AppResult<Created<Capsule>> {
    let upload = Upload {
        declared_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        declared_length: headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok()),
        body: body.into_data_stream().map_err(std::io::Error::other),
    };
    Ok(Created(
        capsules::upload(&state.app, &who, &site, fields, upload).await?,
    ))
}

/// Changes a capsule's title, days and hours (admin, or the site's
/// supervisor).
#[utoipa::path(put, path = "/api/v1/sites/{site}/capsules/{capsule}", tag = "sites", security(("bearer" = [])),
    params(("site" = String, Path), ("capsule" = String, Path)), request_body = CapsuleFields,
    responses((status = 200, body = Capsule), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reschedule(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath((site, capsule)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<CapsuleFields>,
) -> AppResult<ApiJson<Capsule>> {
    Ok(ApiJson(
        capsules::reschedule(&state.app, &who, &site, &capsule, body).await?,
    ))
}

/// Deletes a capsule and its file (admin, or the site's supervisor).
#[utoipa::path(delete, path = "/api/v1/sites/{site}/capsules/{capsule}", tag = "sites", security(("bearer" = [])),
    params(("site" = String, Path), ("capsule" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath((site, capsule)): ApiPath<(String, String)>,
) -> AppResult<StatusCode> {
    capsules::delete(&state.app, &who, &site, &capsule).await?;
    Ok(StatusCode::NO_CONTENT)
}
