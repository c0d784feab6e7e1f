//! Sites and their services (see the OpenAPI document).

use super::AppState;
use super::auth::Caller;
use super::created::Created;
use super::error::{ApiJson, ApiPath};
use crate::app::AppResult;
use crate::app::error::ErrorBody;
use crate::app::services::{self, NewService, ServicePatch, ServiceView};
use crate::app::sites::{self, NewSite, SitePatch, SiteView};
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_site))
        .routes(routes!(get_site, update_site))
        .routes(routes!(create_service))
        .routes(routes!(update_service))
}

/// Creates a site (admin).
#[utoipa::path(post, path = "/api/v1/sites", tag = "sites", security(("bearer" = [])), request_body = NewSite,
    responses((status = 201, body = SiteView), (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_site(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiJson(body): ApiJson<NewSite>,
) -> AppResult<Created<SiteView>> {
    let site = sites::create(&state.app, &who, body).await?;
    Ok(Created(site))
}

/// A site with its services (public).
#[utoipa::path(get, path = "/api/v1/sites/{site}", tag = "sites", params(("site" = String, Path)),
    responses((status = 200, body = SiteView), (status = 404, body = ErrorBody)))]
async fn get_site(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
) -> AppResult<ApiJson<SiteView>> {
    Ok(ApiJson(sites::get(&state.app, &site).await?))
}

/// Changes some fields of a site (admin).
#[utoipa::path(patch, path = "/api/v1/sites/{site}", tag = "sites", security(("bearer" = [])),
    params(("site" = String, Path)), request_body = SitePatch,
    responses((status = 200, body = SiteView), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_site(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiJson(body): ApiJson<SitePatch>,
) -> AppResult<ApiJson<SiteView>> {
    Ok(ApiJson(sites::update(&state.app, &who, &site, body).await?))
}

/// Adds a service to a site (admin).
#[utoipa::path(post, path = "/api/v1/sites/{site}/services", tag = "sites", security(("bearer" = [])),
    params(("site" = String, Path)), request_body = NewService,
    responses((status = 201, body = ServiceView), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_service(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiJson(body): ApiJson<NewService>,
) -> AppResult<Created<ServiceView>> {
    let service = services::create(&state.app, &who, &site, body).await?;
    Ok(Created(service))
}

/// Changes some fields of a service (admin).
#[utoipa::path(patch, path = "/api/v1/sites/{site}/services/{service}", tag = "sites", security(("bearer" = [])),
    params(("site" = String, Path), ("service" = String, Path)), request_body = ServicePatch,
    responses((status = 200, body = ServiceView), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_service(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath((site, service)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<ServicePatch>,
) -> AppResult<ApiJson<ServiceView>> {
    Ok(ApiJson(
        services::update(&state.app, &who, &site, &service, body).await?,
    ))
}
