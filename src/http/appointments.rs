//! Appointments (docs/appointments.md): slots, phone codes, booking,
//! managing with the token, check-in, a video call's outcome, and the
//! waitlist.

use super::AppState;
use super::auth::{Caller, Holder, ManageToken};
use super::client_ip::ClientIp;
use super::created::Created;
use super::error::{ApiJson, ApiPath, ApiQuery};
use crate::app::AppResult;
use crate::app::appointments::{self, AppointmentView, NewAppointment, Reschedule};
use crate::app::error::ErrorBody;
use crate::app::slots::{self, SlotList, SlotQuery};
use crate::app::tickets::TicketView;
use crate::app::video::{self, Outcome};
use crate::app::waitlist::{self, JoinWaitlist, WaitlistEntry};
use crate::app::{checkin, otp};
use crate::domain::phone::Phone;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_slots))
        .routes(routes!(send_code))
        .routes(routes!(book, of_day))
        .routes(routes!(get_appointment))
        .routes(routes!(cancel))
        .routes(routes!(reschedule))
        .routes(routes!(check_in))
        .routes(routes!(outcome))
        .routes(routes!(join_waitlist))
}

/// Slots of a service with the places left, in the site's local time (public).
#[utoipa::path(get, path = "/api/v1/sites/{site}/services/{service}/slots", tag = "appointments",
    params(("site" = String, Path), ("service" = String, Path), SlotQuery),
    responses((status = 200, body = SlotList), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_slots(
    State(state): State<AppState>,
    ApiPath((site, service)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<SlotQuery>,
) -> AppResult<Response> {
    let listed = slots::list(&state.app, &site, &service, query).await?;
    Ok(ApiJson(listed.view()).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    pub phone: String,
    /// `fr` (default), `ar` or `en`.
    pub lang: Option<String>,
}

/// Sends a 6-digit code by SMS, valid 10 minutes (rate limited per phone
/// and per client).
#[utoipa::path(post, path = "/api/v1/otp", tag = "appointments", request_body = CodeRequest,
    responses((status = 202, description = "code sent"), (status = 422, body = ErrorBody),
    (status = 429, description = "asked too often; see Retry-After", body = ErrorBody)))]
async fn send_code(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ApiJson(body): ApiJson<CodeRequest>,
) -> AppResult<StatusCode> {
    let lang = crate::app::tickets::parse_lang(body.lang.as_deref())?;
    let phone = Phone::parse(&body.phone)?;
    otp::send(&state.app, &phone, lang, &client).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Books a slot (public). The answer holds the manage token, given only once.
#[utoipa::path(post, path = "/api/v1/sites/{site}/appointments", tag = "appointments",
    params(("site" = String, Path)), request_body = NewAppointment,
    responses((status = 201, body = AppointmentView), (status = 404, body = ErrorBody),
    (status = 409, description = "`slot_full` or `already_booked`", body = ErrorBody),
    (status = 422, body = ErrorBody), (status = 429, description = "too many from this phone or address; see Retry-After", body = ErrorBody)))]
async fn book(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ApiPath(site): ApiPath<String>,
    ApiJson(body): ApiJson<NewAppointment>,
) -> AppResult<Created<AppointmentView>> {
    Ok(Created(
        appointments::book(&state.app, &client, &site, body).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DayQuery {
    /// Local day, `YYYY-MM-DD` (default: today).
    pub date: Option<String>,
}

/// A site's appointments of one local day (its agents and supervisors).
#[utoipa::path(get, path = "/api/v1/sites/{site}/appointments", tag = "appointments", security(("bearer" = [])),
    params(("site" = String, Path), DayQuery),
    responses((status = 200, body = Vec<AppointmentView>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn of_day(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(site): ApiPath<String>,
    ApiQuery(query): ApiQuery<DayQuery>,
) -> AppResult<ApiJson<Vec<AppointmentView>>> {
    Ok(ApiJson(
        appointments::of_day(&state.app, &who, &site, query.date.as_deref()).await?,
    ))
}

/// The appointment, for the holder of its manage token or the site's staff;
/// 404 for a wrong token.
#[utoipa::path(get, path = "/api/v1/appointments/{reference}", tag = "appointments",
    params(("reference" = String, Path), ("X-Manage-Token" = Option<String>, Header)),
    responses((status = 200, body = AppointmentView), (status = 404, body = ErrorBody)))]
async fn get_appointment(
    State(state): State<AppState>,
    holder: Holder<ManageToken>,
    ApiPath(reference): ApiPath<String>,
) -> AppResult<ApiJson<AppointmentView>> {
    Ok(ApiJson(
        appointments::get(&state.app, &reference, holder.access()).await?,
    ))
}

/// Cancels the appointment and frees its places at once.
#[utoipa::path(post, path = "/api/v1/appointments/{reference}/cancel", tag = "appointments",
    params(("reference" = String, Path), ("X-Manage-Token" = Option<String>, Header)),
    responses((status = 200, body = AppointmentView), (status = 404, body = ErrorBody),
    (status = 409, description = "not booked any more", body = ErrorBody)))]
async fn cancel(
    State(state): State<AppState>,
    holder: Holder<ManageToken>,
    ApiPath(reference): ApiPath<String>,
) -> AppResult<ApiJson<AppointmentView>> {
    Ok(ApiJson(
        appointments::cancel(&state.app, &reference, holder.access()).await?,
    ))
}

/// Moves the appointment to another slot in one step, or changes nothing.
#[utoipa::path(post, path = "/api/v1/appointments/{reference}/reschedule", tag = "appointments",
    params(("reference" = String, Path), ("X-Manage-Token" = Option<String>, Header)), request_body = Reschedule,
    responses((status = 200, body = AppointmentView), (status = 404, body = ErrorBody),
    (status = 409, description = "`slot_full`, or not booked any more", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reschedule(
    State(state): State<AppState>,
    holder: Holder<ManageToken>,
    ApiPath(reference): ApiPath<String>,
    ApiJson(body): ApiJson<Reschedule>,
) -> AppResult<ApiJson<AppointmentView>> {
    Ok(ApiJson(
        appointments::reschedule(&state.app, &reference, holder.access(), body).await?,
    ))
}

/// Checks in at the office (kiosk or agent): a ticket for the appointment.
#[utoipa::path(post, path = "/api/v1/appointments/{reference}/check-in", tag = "appointments", security(("bearer" = [])),
    params(("reference" = String, Path)),
    responses((status = 201, body = TicketView), (status = 404, body = ErrorBody),
    (status = 409, description = "`too_early`, `appointment_missed`, `already_checked_in`, …", body = ErrorBody)))]
async fn check_in(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(reference): ApiPath<String>,
) -> AppResult<Created<TicketView>> {
    Ok(Created(
        checkin::check_in(&state.app, &who, &reference).await?,
    ))
}

/// Records how a video call went, from its start on (the site's agents):
/// `done`, or `no_show` (also correcting a no-show the sweep set).
#[utoipa::path(post, path = "/api/v1/appointments/{reference}/outcome", tag = "appointments", security(("bearer" = [])),
    params(("reference" = String, Path)), request_body = Outcome,
    responses((status = 200, body = AppointmentView), (status = 404, body = ErrorBody),
    (status = 409, description = "`not_video` (in person, the ticket closes it), `too_early`, `not_booked`", body = ErrorBody),
    (status = 422, body = ErrorBody)))]
async fn outcome(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(reference): ApiPath<String>,
    ApiJson(body): ApiJson<Outcome>,
) -> AppResult<ApiJson<AppointmentView>> {
    Ok(ApiJson(
        video::record(&state.app, &who, &reference, body).await?,
    ))
}

/// Asks to be told by SMS when a place frees in a range of days (public).
#[utoipa::path(post, path = "/api/v1/sites/{site}/services/{service}/waitlist", tag = "appointments",
    params(("site" = String, Path), ("service" = String, Path)), request_body = JoinWaitlist,
    responses((status = 201, body = WaitlistEntry), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    (status = 429, description = "too many from this phone or address; see Retry-After", body = ErrorBody)))]
async fn join_waitlist(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ApiPath((site, service)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<JoinWaitlist>,
) -> AppResult<Created<WaitlistEntry>> {
    Ok(Created(
        waitlist::join(&state.app, &client, &site, &service, body).await?,
    ))
}
