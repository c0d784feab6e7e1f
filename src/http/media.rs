//! `GET /api/v1/media/{id}`: a stored file, public (lobby screens play
//! them). An id is never reused for other bytes, so the answer is cached
//! for good (`immutable`), with the content's SHA-256 as its `ETag`; byte
//! ranges are answered 206 (videos seek and stream so), or 416 outside
//! the file. `nosniff`: the browser takes the type the server read from
//! the bytes at upload.

use super::AppState;
use super::error::ApiPath;
use crate::app::AppResult;
use crate::app::error::ErrorBody;
use crate::app::media;
use crate::domain::media::RangeAnswer;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(file))
}

const CACHE: &str = "public, max-age=31536000, immutable";

/// A stored file (public), whole or the byte range `Range` asks for.
#[utoipa::path(get, path = "/api/v1/media/{id}", tag = "sites",
    params(("id" = String, Path),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. bytes=0-1023")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 206, description = "The part asked for", content_type = "application/octet-stream"),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, body = ErrorBody),
        (status = 416, description = "The range is outside the file")))]
async fn file(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let served = media::open(&state.app, &id, range).await?;
    let etag = format!("\"{}\"", served.etag);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match (served.answer, served.body) {
            (RangeAnswer::Part { start, end }, Some(body)) => {
                let mut r = (StatusCode::PARTIAL_CONTENT, Body::from_stream(body)).into_response();
                let h = r.headers_mut();
                h.insert(header::CONTENT_LENGTH, HeaderValue::from(end + 1 - start));
                if let Ok(v) = format!("bytes {start}-{end}/{}", served.size).parse() {
                    h.insert(header::CONTENT_RANGE, v);
                }
                r
            }
            (RangeAnswer::Whole, Some(body)) => {
                let mut r = (StatusCode::OK, Body::from_stream(body)).into_response();
                r.headers_mut()
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(served.size));
                r
            }
            _ => {
                let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                if let Ok(v) = format!("bytes */{}", served.size).parse() {
                    r.headers_mut().insert(header::CONTENT_RANGE, v);
                }
                return Ok(r);
            }
        }
    };
    let h = response.headers_mut();
    if let Ok(v) = served.content_type.parse() {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = etag.parse() {
        h.insert(header::ETAG, v);
    }
    Ok(response)
}
