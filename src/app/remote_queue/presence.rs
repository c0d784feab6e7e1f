//! A remote ticket's holder at the office: the kiosk (number typed, or the
//! QR of the SMS link) or an agent marks them present, and from then on
//! the ticket may be called. A ticket held aside goes back to its place:
//! it is older than those waiting, so it is the next of its class.

use crate::app::auth::Principal;
use crate::app::queue::Pace;
use crate::app::sites::SiteContext;
use crate::app::tickets::{TicketView, view};
use crate::app::{App, AppError, AppResult};
use crate::domain::event::SiteEvent;
use crate::domain::role::{DeviceKind, Role};
use crate::domain::ticket::Status;
use crate::store::{self, events::NewEvent};

const MINUTE_MS: i64 = 60_000;

/// Marks the remote ticket `id` present (a kiosk of its site, or its
/// agents and supervisors). Marking it again changes nothing.
pub async fn present(app: &App, who: &Principal, id: &str) -> AppResult<TicketView> {
    let ticket = store::tickets::get(&app.db, id)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    // Devices and staff of another site learn nothing of this one's tickets.
    allowed(who, &ticket.site_id)?;
    mark(app, who, ticket.site_id, ticket.id).await
}

/// Marks present the site's remote ticket of today numbered `number`.
pub async fn present_by_number(
    app: &App,
    who: &Principal,
    site: &str,
    number: &str,
) -> AppResult<TicketView> {
    allowed(who, site)?;
    let context = SiteContext::load(app, site).await?;
    let number = number.trim().to_uppercase();
    let day = context.day_of(app.clock.now_ms());
    let ticket = store::remote_queue::by_number(&app.db, site, &day, &number)
        .await?
        .ok_or(AppError::NotFound("remote ticket"))?;
    mark(app, who, ticket.site_id, ticket.id).await
}

fn allowed(who: &Principal, site: &str) -> AppResult<()> {
    who.require_staff_or_device(site, &[Role::Agent, Role::Supervisor], &[DeviceKind::Kiosk])
        .map_err(|_| AppError::NotFound("ticket"))
}

async fn mark(app: &App, who: &Principal, site: String, id: String) -> AppResult<TicketView> {
    let context = SiteContext::load(app, &site).await?;
    let pace = Pace::read(app, &context).await?;
    let grace_ms = context.row.remote_grace_minutes * MINUTE_MS;
    let now = app.clock.now_ms();
    let actor = who.actor();
    let (view, events) = store::queue::transaction(&app.db, move |t| {
        let mut ticket = t
            .ticket_for_update(&id)?
            .ok_or(AppError::NotFound("ticket"))?;
        if ticket.source != "remote" {
            return Err(AppError::conflict(
                "not_remote",
                "this ticket was taken at the office: its holder is here",
            ));
        }
        if ticket.status != Status::Waiting {
            return Err(AppError::conflict(
                "not_waiting",
                format!("the ticket is {}", ticket.status.as_str()),
            ));
        }
        let mut events = Vec::new();
        if ticket.present_at.is_none() {
            if ticket.held_at.is_some_and(|held| now > held + grace_ms) {
                return Err(AppError::conflict(
                    "lapsed",
                    "the ticket's turn passed longer ago than the office waits",
                ));
            }
            ticket.present_at = Some(now);
            t.update_ticket(&ticket)?;
            let present = NewEvent {
                actor: Some(&actor),
                event: SiteEvent::TicketPresent {
                    number: ticket.number.clone(),
                    service: ticket.service_id.clone(),
                },
            };
            events = t.append_all(&site, now, &[present])?;
        }
        let ahead = t.ahead_of(&ticket)?;
        Ok::<_, AppError>((view(&context, &pace, ticket, ahead), events))
    })
    .await?;
    app.publish(events);
    Ok(view)
}
