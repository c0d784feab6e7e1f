//! End of day: tickets still waiting when the office has closed are
//! cancelled, and tickets called but never served are no-shows, each
//! recorded with the reason `end_of_day`, so that the next day starts clean
//! and statistics stay true. Tickets being served are left to their agent.

use super::queue::Pace;
use super::sites::SiteContext;
use super::{App, AppResult};
use crate::domain::event::{SiteEvent, TicketChange};
use crate::domain::ticket::Status;
use crate::store::{self, events::NewEvent};

/// How long after closing time the office still calls those who got in.
const GRACE_MINUTES: i64 = 30;

/// Closes out what is left of finished days at one site; returns how many
/// tickets it closed.
pub async fn close_out(app: &App, site: &str) -> AppResult<usize> {
    let context = SiteContext::load(app, site).await?;
    let now = app.clock.now_ms();
    let local = jiff::Timestamp::from_millisecond(now)
        .map_err(|e| super::AppError::Internal(e.into()))?
        .to_zoned(context.zone.clone());
    let today = local.date();
    let closed_for_today = context
        .hours
        .closing_time(today.weekday())
        .map(|closing| {
            local.time() >= closing.saturating_add(jiff::SignedDuration::from_mins(GRACE_MINUTES))
        })
        .unwrap_or(true);
    let last_day = if closed_for_today {
        Some(today)
    } else {
        today.yesterday().ok()
    };
    let Some(last_day) = last_day else {
        return Ok(0);
    };
    let pace = Pace::read(app, &context).await?;
    let mut tx = app.db.begin().await?;
    let tickets = store::tickets::unfinished_until(&mut tx, site, &last_day.to_string()).await?;
    if tickets.is_empty() {
        return Ok(0);
    }
    let mut events = Vec::new();
    let mut services: Vec<String> = Vec::new();
    for mut ticket in tickets.iter().cloned() {
        let status = if ticket.status == Status::Waiting {
            Status::Cancelled
        } else {
            Status::NoShow
        };
        ticket.status = status;
        ticket.close_reason = Some("end_of_day".to_owned());
        ticket.finished_at = Some(now);
        store::tickets::update(&mut tx, &ticket).await?;
        let change = TicketChange {
            number: ticket.number.clone(),
            service: ticket.service_id.clone(),
            status,
            counter: None,
            counter_label: None,
            recalls: None,
            reason: Some("end_of_day"),
        };
        events.push(NewEvent {
            actor: Some("system:end_of_day"),
            event: match status {
                Status::Cancelled => SiteEvent::TicketCancelled(change),
                _ => SiteEvent::TicketNoShow(change),
            },
        });
        if !services.contains(&ticket.service_id) {
            services.push(ticket.service_id.clone());
        }
    }
    let mut loads = Vec::new();
    for service in &services {
        loads.push(pace.load(
            service,
            store::tickets::waiting_of(&mut tx, site, service).await?,
        ));
    }
    events.push(NewEvent {
        actor: None,
        event: SiteEvent::QueueChanged { services: loads },
    });
    let events = store::events::append_all(&mut tx, site, now, &events).await?;
    tx.commit().await?;
    app.publish(events);
    tracing::info!(site, closed = tickets.len(), "end-of-day close-out");
    Ok(tickets.len())
}

/// Closes out every site; what a background task runs every minute.
pub async fn close_out_all(app: &App) -> AppResult<usize> {
    let mut closed = 0;
    for site in store::sites::list(&app.db).await? {
        closed += close_out(app, &site.id).await?;
    }
    Ok(closed)
}
