//! The static files of the screens (`displays/static/`: CSS, scripts,
//! sounds), embedded in the release binary and read from the folder in
//! debug builds. Pages link them with their content hash (`?v=`), so a
//! browser keeps them until they change.

use crate::http::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "displays/static/"]
struct Files;

pub fn router() -> Router<AppState> {
    Router::new().route("/static/{*path}", get(serve))
}

/// `/static/NAME?v=HASH`: the file's address with the first bytes of its
/// SHA-256.
pub fn url(name: &str) -> String {
    match Files::get(name) {
        Some(file) => format!("/static/{name}?v={}", version(&file)),
        None => format!("/static/{name}"),
    }
}

fn version(file: &rust_embed::EmbeddedFile) -> String {
    file.metadata.sha256_hash()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(file) = Files::get(&path) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let etag = format!("\"{}\"", version(&file));
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return (StatusCode::NOT_MODIFIED, [(header::CACHE_CONTROL, cache)]).into_response();
    }
    let mime = file.metadata.mimetype();
    let content_type = if mime.starts_with("text/") || mime.ends_with("javascript") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&content_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (header::CACHE_CONTROL, cache),
            (
                header::ETAG,
                HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\"")),
            ),
        ],
        file.data.into_owned(),
    )
        .into_response()
}
