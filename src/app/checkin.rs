//! Checking in for an appointment at the office: the kiosk or an agent
//! turns the booking into a ticket.
//!
//! Within the site's window (by default from 15 minutes before the start
//! to 30 minutes after), the ticket is of the appointment class: once the
//! appointment's time has come it is called ahead of walk-ins. Later the
//! same day, the citizen is not turned away: they get a ticket of the
//! walk-in class and wait like anyone who came without one. Another day,
//! or before the window opens, there is no ticket.

use super::auth::Principal;
use super::queue::Pace;
use super::sites::SiteContext;
use super::tickets::{TicketView, issued, view, waiting};
use super::{App, AppError, AppResult};
use crate::domain::role::{DeviceKind, Role};
use crate::domain::ticket::Priority;
use crate::store::{self, tickets::TicketRow};

const MINUTE_MS: i64 = 60_000;

pub async fn check_in(app: &App, who: &Principal, reference: &str) -> AppResult<TicketView> {
    let found = store::appointments::by_reference(&app.db, reference)
        .await?
        .ok_or(AppError::NotFound("appointment"))?;
    // Staff and kiosks of another site learn nothing of this one's bookings.
    who.require_staff_or_device(
        &found.site_id,
        &[Role::Agent, Role::Supervisor],
        &[DeviceKind::Kiosk],
    )
    .map_err(|_| AppError::NotFound("appointment"))?;
    let context = SiteContext::load(app, &found.site_id).await?;
    if found.mode == "video" {
        return Err(AppError::conflict(
            "video_appointment",
            "a video appointment takes place online: no ticket at the office",
        ));
    }
    let now = app.clock.now_ms();
    let opens = found.start_at - context.row.checkin_early_minutes * MINUTE_MS;
    let closes = found.start_at + context.row.checkin_late_minutes * MINUTE_MS;
    let today = context.day_of(now);
    // A late arrival the same day may still be marked a no-show by the
    // sweep before they reach the kiosk: they are let in all the same.
    let late_today = now > closes && found.local_day == today;
    match found.status.as_str() {
        "booked" => {}
        "no_show" if late_today => {}
        "checked_in" => {
            return Err(AppError::conflict(
                "already_checked_in",
                "this appointment is already checked in",
            ));
        }
        other => {
            return Err(AppError::conflict(
                "not_booked",
                format!("the appointment is {other}"),
            ));
        }
    }
    if now < opens {
        return Err(AppError::conflict(
            "too_early",
            format!("check-in opens at {}", context.local(opens)),
        ));
    }
    if now > closes && !late_today {
        return Err(AppError::conflict(
            "appointment_missed",
            "the day of this appointment has passed",
        ));
    }
    let in_window = now <= closes;
    let priority = if in_window {
        Priority::Appointment
    } else {
        Priority::Normal
    };
    let service = context
        .service(&found.service_id)
        .cloned()
        .ok_or(AppError::NotFound("service"))?;
    let pace = Pace::read(app, &context).await?;
    let actor = who.actor();
    let (view, events) = store::queue::transaction(&app.db, move |t| {
        if !t.set_appointment_status(&found.id, &found.status, "checked_in", now)? {
            return Err(AppError::conflict(
                "already_checked_in",
                "this appointment is already checked in",
            ));
        }
        let (sequence, issued_at) = t.next_number(&found.site_id, &service.id, &today, now)?;
        let ticket = TicketRow {
            phone: found.phone.clone(),
            lang: found.lang.clone(),
            appointment_id: Some(found.id.clone()),
            due_at: in_window.then_some(found.start_at),
            ..waiting(
                &found.site_id,
                &service,
                &today,
                sequence,
                issued_at,
                priority,
                "check-in",
            )
        };
        let waiting = t.insert_waiting_ticket(&ticket)?;
        let ahead = t.ahead_of(&ticket)?;
        let joined = issued(
            &actor,
            &ticket,
            Some(found.reference.clone()),
            &pace,
            waiting,
        );
        let events = t.append_all(&found.site_id, now, &joined)?;
        Ok::<_, AppError>((view(&context, &pace, ticket, ahead), events))
    })
    .await?;
    app.publish(events);
    Ok(view)
}
