//! A site's statistics, as JSON or CSV, and its live board as JSON (see
//! the OpenAPI document).

use super::AppState;
use super::auth::Caller;
use super::error::{ApiJson, ApiPath, ApiQuery};
use crate::app::AppResult;
use crate::app::error::ErrorBody;
use crate::app::stats::{self, SiteStats, StatsQuery};
use crate::app::supervision::{self, LiveView};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(site_stats))
        .routes(routes!(live_board))
}

/// Per service, agent, local hour and day over a range of the site's local
/// days (admin, supervisor of the site, its province); `format=csv` gives one CSV table.
#[utoipa::path(get, path = "/api/v1/sites/{site}/stats", tag = "operations", security(("bearer" = [])),
    params(("site" = String, Path), StatsQuery),
    responses((status = 200, description = "the figures, as JSON or with `format=csv` as CSV",
            content((SiteStats = "application/json"), (String = "text/csv"))),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn site_stats(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> AppResult<Response> {
    let figures = stats::site_stats(&state.app, &who, &site, &query).await?;
    if query.format.as_deref() != Some("csv") {
        return Ok(ApiJson(figures).into_response());
    }
    Ok(csv_file(&figures))
}

/// The figures as a CSV file to download, named for the site and range.
pub fn csv_file(figures: &SiteStats) -> Response {
    let disposition = format!(
        "attachment; filename=\"stats-{}-{}-{}.csv\"",
        figures.site, figures.from, figures.to
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        stats::to_csv(figures),
    )
        .into_response()
}

/// The site's live board (admin, supervisor of the site, its province):
/// every counter with its agent and ticket, every service's queue (waiting,
/// longest wait, estimate, target) and the alerts, as of `now_ms`. Read
/// only; the `/ws/sites/{site}` stream says when it changes.
#[utoipa::path(get, path = "/api/v1/sites/{site}/live", tag = "operations",
    security(("bearer" = [])), params(("site" = String, Path)),
    responses((status = 200, body = LiveView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn live_board(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
) -> AppResult<ApiJson<LiveView>> {
    Ok(ApiJson(supervision::live(&state.app, &who, &site).await?))
}
