//! The outcome of a video appointment. In person, the ticket's end closes
//! the appointment; a call online has no ticket, so the agent who held it
//! records how it went: `done`, or `no_show` when the citizen never
//! joined. One left unrecorded is closed as `no_show` by the sweep
//! (`close_unrecorded`), `UNRECORDED_AFTER_MS` after its end; an agent may
//! still correct that to `done`. Either way the phone may book that
//! service again (one active appointment per phone, service and site).

use super::appointments::{AppointmentView, view};
use super::auth::Principal;
use super::sites::SiteContext;
use super::{App, AppError, AppResult};
use crate::domain::Invalid;
use crate::domain::role::Role;
use crate::store;
use serde::Deserialize;
use utoipa::ToSchema;

/// A call left unrecorded this long after its end counts as not held.
pub const UNRECORDED_AFTER_MS: i64 = 12 * 60 * 60 * 1000;

/// How a video appointment went.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// `done` (the call took place) or `no_show` (the citizen never joined).
    pub outcome: String,
}

/// Records the outcome of a video appointment of the caller's site, from
/// its start on. A wrong site is a 404, as if there were no such booking.
pub async fn record(
    app: &App,
    who: &Principal,
    reference: &str,
    input: Outcome,
) -> AppResult<AppointmentView> {
    let outcome = match input.outcome.as_str() {
        "done" => "done",
        "no_show" => "no_show",
        _ => return Err(Invalid::new("outcome", "done or no_show").into()),
    };
    let found = store::appointments::by_reference(&app.db, reference)
        .await?
        .ok_or(AppError::NotFound("appointment"))?;
    who.require_staff(&found.site_id, &[Role::Agent, Role::Supervisor])
        .map_err(|_| AppError::NotFound("appointment"))?;
    if found.mode != "video" {
        return Err(AppError::conflict(
            "not_video",
            "an appointment at the office ends with its ticket",
        ));
    }
    let context = SiteContext::load(app, &found.site_id).await?;
    let now = app.clock.now_ms();
    if now < found.start_at {
        return Err(AppError::conflict(
            "too_early",
            format!("the call begins at {}", context.local(found.start_at)),
        ));
    }
    let mut tx = app.db.begin().await?;
    let changed = store::appointments::set_video_outcome(&mut tx, &found.id, outcome, now).await?;
    tx.commit().await?;
    if !changed {
        // Another click or the sweep came first: say what it is now.
        let now_is = store::appointments::by_reference(&app.db, reference)
            .await?
            .map_or(found.status, |row| row.status);
        return Err(AppError::conflict(
            "not_booked",
            format!("the appointment is {now_is}"),
        ));
    }
    let mut row = found;
    row.status = outcome.to_owned();
    row.updated_at = now;
    Ok(view(&context, row))
}
