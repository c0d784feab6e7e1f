//! Provinces and the comparison of their offices (see the OpenAPI
//! document and docs/province.md).

use super::AppState;
use super::auth::Caller;
use super::error::{ApiJson, ApiPath, ApiQuery};
use crate::app::AppResult;
use crate::app::error::ErrorBody;
use crate::app::province::admin::{self, ProvinceInput, ProvinceView};
use crate::app::province::{self, Comparison, ComparisonQuery};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_provinces))
        .routes(routes!(get_province, save_province))
        .routes(routes!(add_site, remove_site))
        .routes(routes!(comparison))
        .routes(routes!(comparison_csv))
}

/// The provinces the caller may read (admin: all; province account: its own).
#[utoipa::path(get, path = "/api/v1/provinces", tag = "provinces", security(("bearer" = [])),
    responses((status = 200, body = Vec<ProvinceView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn list_provinces(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> AppResult<ApiJson<Vec<ProvinceView>>> {
    Ok(ApiJson(admin::list(&state.app, &who).await?))
}

/// A province with its sites (admin, or its province account).
#[utoipa::path(get, path = "/api/v1/provinces/{province}", tag = "provinces", security(("bearer" = [])),
    params(("province" = String, Path)),
    responses((status = 200, body = ProvinceView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_province(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(province): ApiPath<String>,
) -> AppResult<ApiJson<ProvinceView>> {
    Ok(ApiJson(admin::get(&state.app, &who, &province).await?))
}

/// Creates a province or renames it (admin).
#[utoipa::path(put, path = "/api/v1/provinces/{province}", tag = "provinces", security(("bearer" = [])),
    params(("province" = String, Path)), request_body = ProvinceInput,
    responses((status = 200, body = ProvinceView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_province(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(province): ApiPath<String>,
    ApiJson(body): ApiJson<ProvinceInput>,
) -> AppResult<ApiJson<ProvinceView>> {
    Ok(ApiJson(
        admin::save(&state.app, &who, &province, &body).await?,
    ))
}

/// Puts a site in the province, out of any other (admin).
#[utoipa::path(put, path = "/api/v1/provinces/{province}/sites/{site}", tag = "provinces",
    security(("bearer" = [])), params(("province" = String, Path), ("site" = String, Path)),
    responses((status = 200, body = ProvinceView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn add_site(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath((province, site)): ApiPath<(String, String)>,
) -> AppResult<ApiJson<ProvinceView>> {
    Ok(ApiJson(
        admin::add_site(&state.app, &who, &province, &site).await?,
    ))
}

/// Takes a site out of the province (admin).
#[utoipa::path(delete, path = "/api/v1/provinces/{province}/sites/{site}", tag = "provinces",
    security(("bearer" = [])), params(("province" = String, Path), ("site" = String, Path)),
    responses((status = 200, body = ProvinceView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn remove_site(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath((province, site)): ApiPath<(String, String)>,
) -> AppResult<ApiJson<ProvinceView>> {
    Ok(ApiJson(
        admin::remove_site(&state.app, &who, &province, &site).await?,
    ))
}

/// The province's offices compared over a range of local days, each
/// ranked by every column (admin, or the province's account).
#[utoipa::path(get, path = "/api/v1/provinces/{province}/comparison", tag = "provinces",
    security(("bearer" = [])), params(("province" = String, Path), ComparisonQuery),
    responses((status = 200, body = Comparison), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn comparison(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(province): ApiPath<String>,
    ApiQuery(query): ApiQuery<ComparisonQuery>,
) -> AppResult<ApiJson<Comparison>> {
    Ok(ApiJson(
        province::compare(&state.app, &who, &province, &query).await?,
    ))
}

/// The same comparison as one CSV table (UTF-8), one row per office.
#[utoipa::path(get, path = "/api/v1/provinces/{province}/comparison.csv", tag = "provinces",
    security(("bearer" = [])), params(("province" = String, Path), ComparisonQuery),
    responses((status = 200, description = "the comparison as CSV", body = String,
            content_type = "text/csv"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn comparison_csv(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(province): ApiPath<String>,
    ApiQuery(query): ApiQuery<ComparisonQuery>,
) -> AppResult<Response> {
    let figures = province::compare(&state.app, &who, &province, &query).await?;
    Ok(csv_file(&figures))
}

/// The comparison as a CSV file to download, named for the province and range.
pub fn csv_file(figures: &Comparison) -> Response {
    let disposition = format!(
        "attachment; filename=\"comparison-{}-{}-{}.csv\"",
        figures.province, figures.from, figures.to
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        province::to_csv(figures),
    )
        .into_response()
}
