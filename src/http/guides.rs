//! A service with its digital guide (public), and an admin writing the
//! guide (see the OpenAPI document and docs/guide.md).

use super::AppState;
use super::auth::Caller;
use super::error::{ApiJson, ApiPath};
use crate::app::AppResult;
use crate::app::error::ErrorBody;
use crate::app::guides::{self, GuideView, ServiceDetail};
use crate::domain::guide::Guide;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_service))
        .routes(routes!(put_guide))
}

/// A service of a site with its settings and its guide (`guide` is `null`
/// until an admin writes one; each text is `{fr, ar, en}`) (public).
#[utoipa::path(get, path = "/api/v1/sites/{site}/services/{service}", tag = "sites",
    params(("site" = String, Path), ("service" = String, Path)),
    responses((status = 200, body = ServiceDetail), (status = 404, body = ErrorBody)))]
async fn get_service(
    State(state): State<AppState>,
    ApiPath((site, service)): ApiPath<(String, String)>,
) -> AppResult<Response> {
    let detail = guides::service(&state.app, &site, &service).await?;
    let mut response = ApiJson(detail).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(response)
}

/// Writes a service's guide in place of the one it had (admin). Every
/// text in French, Arabic and English; 1 to 15 steps; the documents and
/// the legal delay are the service's own (`PATCH` the service for them).
#[utoipa::path(put, path = "/api/v1/sites/{site}/services/{service}/guide", tag = "sites",
    security(("bearer" = [])), params(("site" = String, Path), ("service" = String, Path)),
    request_body = Guide,
    responses((status = 200, body = GuideView), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_guide(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath((site, service)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<Guide>,
) -> AppResult<ApiJson<GuideView>> {
    Ok(ApiJson(
        guides::set(&state.app, &who, &site, &service, &body).await?,
    ))
}
