//! The remote queue's jobs: holding aside the absent remote tickets whose
//! turn has come, lapsing those still absent after the site's grace, and
//! the "leave now" SMS. Each is safe to run on several instances at once:
//! holding and lapsing each recheck the ticket locked in its queue
//! transaction, and the SMS is keyed per ticket.

use crate::app::queue::Pace;
use crate::app::sites::SiteContext;
use crate::app::{App, AppError, AppResult};
use crate::domain::event::{SiteEvent, TicketChange};
use crate::domain::ticket::Status;
use crate::notify::{self, remote_messages};
use crate::store::{self, Conn, events::NewEvent, tickets::TicketRow};
use std::collections::HashMap;
use std::sync::Arc;

const MINUTE_MS: i64 = 60_000;

/// Holds aside the passed-over absent remote tickets, then lapses those
/// whose grace is over; returns how many tickets changed.
pub async fn sweep(app: &App) -> AppResult<usize> {
    let now = app.clock.now_ms();
    let mut changed = 0;
    for id in store::remote_queue::passed(&app.db).await? {
        changed += hold(app, id, now).await? as usize;
    }
    for ticket in store::remote_queue::lapsing(&app.db, now).await? {
        changed += lapse(app, ticket, now).await? as usize;
    }
    Ok(changed)
}

/// Holds a passed-over absent ticket aside, with its `ticket.held` event
/// (its tracking page says so at once), unless it was held, came or left
/// meanwhile: each ticket is held once, however many instances sweep.
async fn hold(app: &App, id: String, now: i64) -> AppResult<bool> {
    let events = store::queue::transaction(&app.db, move |t| {
        let Some(mut ticket) = t.ticket_for_update(&id)? else {
            return Ok(Vec::new());
        };
        let due = ticket.status == Status::Waiting
            && ticket.present_at.is_none()
            && ticket.held_at.is_none();
        if !due {
            return Ok(Vec::new());
        }
        ticket.held_at = Some(now);
        t.update_ticket(&ticket)?;
        let held = NewEvent {
            actor: Some("system:remote_queue"),
            event: SiteEvent::TicketHeld {
                number: ticket.number.clone(),
                service: ticket.service_id.clone(),
            },
        };
        Ok::<_, AppError>(t.append_all(&ticket.site_id, now, &[held])?)
    })
    .await?;
    let held = !events.is_empty();
    app.publish(events);
    Ok(held)
}

/// Ends a held ticket still absent after the grace: `no_show`, `lapsed`.
async fn lapse(app: &App, found: TicketRow, now: i64) -> AppResult<bool> {
    let context = SiteContext::load(app, &found.site_id).await?;
    let pace = Pace::read(app, &context).await?;
    let grace_ms = context.row.remote_grace_minutes * MINUTE_MS;
    let events = store::queue::transaction(&app.db, move |t| {
        let Some(mut ticket) = t.ticket_for_update(&found.id)? else {
            return Ok(Vec::new());
        };
        let due = ticket.status == Status::Waiting
            && ticket.present_at.is_none()
            && ticket.held_at.is_some_and(|held| held + grace_ms <= now);
        if !due {
            return Ok(Vec::new());
        }
        ticket.status = Status::NoShow;
        ticket.close_reason = Some("lapsed".to_owned());
        ticket.finished_at = Some(now);
        let waiting = t.update_ticket_left_waiting(&ticket)?;
        let change = TicketChange {
            number: ticket.number.clone(),
            service: ticket.service_id.clone(),
            status: Status::NoShow,
            counter: None,
            counter_label: None,
            recalls: None,
            reason: Some("lapsed"),
        };
        let events = [
            NewEvent {
                actor: Some("system:remote_queue"),
                event: SiteEvent::TicketNoShow(change),
            },
            NewEvent {
                actor: None,
                event: SiteEvent::QueueChanged {
                    services: vec![pace.load(&ticket.service_id, waiting)],
                },
            },
        ];
        Ok::<_, AppError>(t.append_all(&ticket.site_id, now, &events)?)
    })
    .await?;
    let lapsed = !events.is_empty();
    app.publish(events);
    Ok(lapsed)
}

/// "Leave now": one SMS to each absent remote ticket whose estimated wait
/// has come down to its site's travel margin. Returns how many were queued.
pub async fn leave_now(app: &App, now: i64) -> AppResult<usize> {
    let tickets = store::remote_queue::absent_unnotified(&app.db, "leave_now", 500).await?;
    let mut paces: HashMap<String, (Arc<SiteContext>, Arc<Pace>)> = HashMap::new();
    let mut queued = 0;
    for ticket in tickets {
        let Some(phone) = &ticket.phone else {
            continue;
        };
        if !paces.contains_key(&ticket.site_id) {
            let context = SiteContext::load(app, &ticket.site_id).await?;
            let pace = Pace::read(app, &context).await?;
            paces.insert(ticket.site_id.clone(), (context, pace));
        }
        let Some((context, pace)) = paces.get(&ticket.site_id) else {
            continue;
        };
        let ahead = store::tickets::ahead_of(Conn::Db(&app.db), &ticket).await?;
        let wait_s = pace.wait_seconds(&ticket.service_id, ahead);
        if wait_s > context.row.travel_margin_minutes * 60 {
            continue;
        }
        let link = format!("{}/t/{}", app.links.public_url, ticket.id);
        let body =
            remote_messages::leave_now(&ticket.lang, &ticket.number, (wait_s + 59) / 60, &link);
        let key = format!("leave_now:{}", ticket.id);
        let sms = notify::sms(Some(&ticket.site_id), "leave_now", phone, body, key, now);
        let mut tx = app.db.begin().await?;
        queued += store::outbox::enqueue(&mut tx, &sms).await? as usize;
        tx.commit().await?;
    }
    Ok(queued)
}
