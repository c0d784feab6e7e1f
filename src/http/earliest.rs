//! The earliest slot anywhere (docs/appointments.md): for a kind of
//! procedure, the offices offering it with their first free slots.

use super::AppState;
use super::client_ip::ClientIp;
use super::error::{ApiJson, ApiQuery};
use crate::app::AppResult;
use crate::app::earliest::{self, EarliestList, EarliestQuery};
use crate::app::error::ErrorBody;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(earliest_slots))
}

/// The offices offering a kind of procedure with their first free slots,
/// nearest or earliest first, in each office's local time (public). An
/// unknown kind gives an empty list.
#[utoipa::path(get, path = "/api/v1/slots/earliest", tag = "appointments",
    params(EarliestQuery),
    responses((status = 200, body = EarliestList), (status = 422, body = ErrorBody),
    (status = 429, description = "too many searches from this address; see Retry-After", body = ErrorBody)))]
async fn earliest_slots(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ApiQuery(query): ApiQuery<EarliestQuery>,
) -> AppResult<ApiJson<EarliestList>> {
    Ok(ApiJson(
        earliest::search(&state.app, &client, &query).await?,
    ))
}
