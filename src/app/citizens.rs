//! The citizen's account: logging in with phone and code, and one's own
//! requests, appointments and complaints.

use super::appointments::{AppointmentView, view as appointment_view};
use super::auth::Principal;
use super::otp;
use super::requests::{self, RequestView};
use super::sites::SiteContext;
use super::{App, AppError, AppResult, rate_limit};
use crate::domain::phone::Phone;
use crate::secrets::{hash_token, new_token};
use crate::store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How long a citizen stays logged in.
const SESSION_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CitizenLogin {
    pub phone: String,
    pub otp: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CitizenSession {
    pub token: String,
    pub phone: String,
    pub expires_at: String,
}

/// Logs a citizen in with a code sent to their phone. The client's and the
/// phone's places are taken before the code is looked at, and the code
/// counts its own tries (`otp::check`).
pub async fn login(app: &App, input: CitizenLogin, client: &str) -> AppResult<CitizenSession> {
    let phone = Phone::parse(&input.phone)?;
    let now = app.clock.now_ms();
    app.guards
        .limits
        .hit(rate_limit::CITIZEN_LOGIN_PER_IP, client, now)
        .await?;
    app.guards
        .limits
        .hit(rate_limit::CITIZEN_LOGIN_PER_PHONE, phone.as_str(), now)
        .await?;
    let proof = otp::check(app, &phone, Some(&input.otp)).await?;
    let token = new_token();
    let expires = now + SESSION_MS;
    let mut tx = app.db.begin().await?;
    otp::use_up(&mut tx, &proof, now).await?;
    store::accounts::insert_token(
        &mut tx,
        &hash_token(&token),
        "citizen",
        phone.as_str(),
        now,
        Some(expires),
    )
    .await?;
    tx.commit().await?;
    Ok(CitizenSession {
        token,
        phone: phone.to_string(),
        expires_at: jiff::Timestamp::from_millisecond(expires)
            .map(|t| t.to_string())
            .unwrap_or_default(),
    })
}

fn phone_of(who: &Principal) -> AppResult<&str> {
    match who {
        Principal::Citizen { phone } => Ok(phone),
        _ => Err(AppError::Forbidden("log in as a citizen")),
    }
}

pub async fn my_requests(app: &App, who: &Principal) -> AppResult<Vec<RequestView>> {
    requests::of_citizen(app, phone_of(who)?).await
}

pub async fn my_appointments(app: &App, who: &Principal) -> AppResult<Vec<AppointmentView>> {
    let rows = store::appointments::of_phone(&app.db, phone_of(who)?).await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let context = SiteContext::load(app, &row.site_id).await?;
        views.push(appointment_view(&context, row));
    }
    Ok(views)
}
