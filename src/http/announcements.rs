//! The lobby announcements of a site: read by its lobby displays (public),
//! replaced as a whole by an admin or the site's supervisor.

use super::AppState;
use super::auth::Caller;
use super::error::{ApiJson, ApiPath};
use crate::app::AppResult;
use crate::app::announcements::{self, Announcements};
use crate::app::error::ErrorBody;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_announcements, replace_announcements))
}

/// The active announcements of a site, in screen order (public).
#[utoipa::path(get, path = "/api/v1/sites/{site}/announcements", tag = "sites",
    params(("site" = String, Path)),
    responses((status = 200, body = Announcements), (status = 404, body = ErrorBody)))]
async fn list_announcements(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
) -> AppResult<ApiJson<Announcements>> {
    Ok(ApiJson(announcements::list(&state.app, &site).await?))
}

/// Replaces the announcements of a site (admin, or supervisor of the site):
/// at most 20, each text 1–280 characters in French and in Arabic.
#[utoipa::path(put, path = "/api/v1/sites/{site}/announcements", tag = "sites", security(("bearer" = [])),
    params(("site" = String, Path)), request_body = Announcements,
    responses((status = 200, body = Announcements), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn replace_announcements(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiJson(body): ApiJson<Announcements>,
) -> AppResult<ApiJson<Announcements>> {
    Ok(ApiJson(
        announcements::replace(&state.app, &who, &site, body).await?,
    ))
}
