//! How errors look on the wire: `{"error": {"code", "message"}}` with the
//! status codes of docs/api.md. Internal causes are logged here, once, and
//! replaced by a generic message for the client.

use crate::app::AppError;
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

/// The status docs/api.md gives an error.
pub fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Malformed(_) => StatusCode::BAD_REQUEST,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = status_of(&self);
        let code: String = match &self {
            AppError::Invalid(invalid) => format!("invalid_{}", invalid.field),
            AppError::Malformed(_) => "malformed".into(),
            AppError::NotFound(_) => "not_found".into(),
            AppError::Conflict { code, .. } => (*code).into(),
            AppError::Unauthorized(_) => "unauthorized".into(),
            AppError::Forbidden(_) => "forbidden".into(),
            AppError::TooLarge(_) => "too_large".into(),
            AppError::UnsupportedType(_) => "unsupported_media_type".into(),
            AppError::RateLimited { .. } => "rate_limited".into(),
            AppError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                "unavailable".into()
            }
            AppError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                "internal".into()
            }
        };
        let mut response = error_response(status, &code, &self.to_string());
        let retry_after = match self {
            AppError::RateLimited { retry_after_secs } => Some(retry_after_secs.max(1)),
            AppError::Unavailable(_) => Some(1),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"error": {"code": code, "message": message}});
    (status, Json(body)).into_response()
}

/// JSON in and out, with docs/api.md's answers to bad bodies: 400 when it is not
/// JSON at all, 422 when it is JSON of the wrong shape.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => crate::domain::Invalid::new(
                "body",
                e.body_text().replace(
                    "Failed to deserialize the JSON body into the target type: ",
                    "",
                ),
            )
            .into(),
            other => AppError::Malformed(other.body_text()),
        }
    }
}

/// Path parameters; one that cannot be read names nothing that exists.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::NotFound("resource")
    }
}

/// Query parameters; ones that cannot be read are a 422 naming the query.
#[derive(Debug, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        crate::domain::Invalid::new(
            "query",
            rejection
                .body_text()
                .replace("Failed to deserialize query string: ", ""),
        )
        .into()
    }
}
