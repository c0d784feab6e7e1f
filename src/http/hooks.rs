//! The SMS provider's webhooks (docs/api.md, "SMS provider callbacks"). The
//! signature covers the URL the provider called: this service's public URL
//! (`GUICHET_PUBLIC_URL`) and the path with its query.

use super::AppState;
use super::client_ip::ClientIp;
use crate::app::{AppError, AppResult, sms_hooks};
use axum::Router;
use axum::extract::{Form, OriginalUri, State, rejection::FormRejection};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hooks/sms/status", post(status))
        .route("/hooks/sms/inbound", post(inbound))
}

type Fields = Result<Form<Vec<(String, String)>>, FormRejection>;

fn signed(state: &AppState, uri: &OriginalUri, headers: &HeaderMap) -> (String, Option<String>) {
    let path = uri.0.path_and_query().map_or("/", |p| p.as_str());
    let signature = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (format!("{}{path}", state.app.links.public_url), signature)
}

async fn status(
    State(state): State<AppState>,
    uri: OriginalUri,
    headers: HeaderMap,
    form: Fields,
) -> AppResult<StatusCode> {
    let Form(form) = form.map_err(|e| AppError::Malformed(e.body_text()))?;
    let (url, signature) = signed(&state, &uri, &headers);
    sms_hooks::delivery_status(&state.app, &url, &form, signature.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn inbound(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    uri: OriginalUri,
    headers: HeaderMap,
    form: Fields,
) -> AppResult<Response> {
    let Form(form) = form.map_err(|e| AppError::Malformed(e.body_text()))?;
    let (url, signature) = signed(&state, &uri, &headers);
    let twiml = sms_hooks::inbound(&state.app, &client, &url, &form, signature.as_deref()).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        twiml,
    )
        .into_response())
}
