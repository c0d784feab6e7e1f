//! The public figures of an office (docs/screens.md, "Public figures"):
//! `GET /api/v1/sites/{site}/public-stats`, open to anyone.

use super::AppState;
use super::error::{ApiJson, ApiPath};
use crate::app::AppResult;
use crate::app::error::ErrorBody;
use crate::app::public_stats::{self, PublicStats};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(public_stats))
}

/// For each service, the typical wait and document processing time over
/// the last 30 local days, and the arrivals expected per hour on the next
/// days the office opens (public; figures only, nothing personal).
#[utoipa::path(get, path = "/api/v1/sites/{site}/public-stats", tag = "sites",
    params(("site" = String, Path)),
    responses((status = 200, body = PublicStats), (status = 404, body = ErrorBody)))]
async fn public_stats(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
) -> AppResult<Response> {
    let stats = public_stats::for_site(&state.app, &site).await?;
    let mut response = ApiJson(PublicStats::clone(&stats)).into_response();
    // The same minutes the service keeps it for.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}
