//! Calling tickets to a counter: the next one by the site's rules, or a
//! chosen one out of order.
//!
//! Both run in one write transaction that first locks the counter and the
//! site's sequence row, so calls at one site take turns and two counters
//! never get the same ticket, on one instance or ten.

use super::auth::Principal;
use super::queue::Pace;
use super::sites::SiteContext;
use super::tickets::{TicketView, view};
use super::{App, AppError, AppResult};
use crate::domain::event::SiteEvent;
use crate::domain::ordering::{Head, choose, next_streak};
use crate::domain::role::Role;
use crate::domain::ticket::Status;
use crate::store::queue::QueueTx;
use crate::store::{
    self,
    counters::CounterRow,
    events::{EventRow, NewEvent},
    tickets::TicketRow,
};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallTicket {
    /// The id of a waiting ticket.
    pub ticket: String,
}

/// Calls the next ticket for the counter; `None` when nobody waits for its
/// services.
pub async fn call_next(app: &App, who: &Principal, counter: &str) -> AppResult<Option<TicketView>> {
    let (context, services) = setting_of_counter(app, counter).await?;
    let pace = Pace::read(app, &context).await?;
    let now = app.clock.now_ms();
    let (who, counter) = (who.clone(), counter.to_owned());
    let called = store::queue::transaction(&app.db, move |t| {
        let (counter, streak) = ready_counter(t, &who, &counter)?;
        let (heads, active) = t.heads_and_active(&counter.site_id, &services, now, &counter.id)?;
        idle(active)?;
        let (ahead, normal) = heads;
        let head = |t: &Option<TicketRow>| {
            t.as_ref().map(|t| Head {
                id: t.id.clone(),
                priority: t.priority,
                issued_at: t.issued_at,
            })
        };
        let Some(chosen) = choose(
            head(&ahead),
            head(&normal),
            streak,
            context.row.priority_streak_max,
        ) else {
            return Ok::<_, AppError>(None);
        };
        let ticket = [ahead, normal]
            .into_iter()
            .flatten()
            .find(|t| t.id == chosen.id)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("chosen ticket vanished")))?;
        let streak = next_streak(streak, chosen.priority);
        Ok(Some(call(
            t,
            now,
            &who,
            (&context, &pace),
            (&counter, streak),
            ticket,
        )?))
    })
    .await?;
    Ok(called.map(|(view, events)| {
        app.publish(events);
        super::tickets::remember_site(app, &view);
        view
    }))
}

/// Calls one waiting ticket out of order.
pub async fn call_ticket(
    app: &App,
    who: &Principal,
    counter: &str,
    ticket: &str,
) -> AppResult<TicketView> {
    let (context, services) = setting_of_counter(app, counter).await?;
    let pace = Pace::read(app, &context).await?;
    let now = app.clock.now_ms();
    let (who, counter, ticket) = (who.clone(), counter.to_owned(), ticket.to_owned());
    let (view, events) = store::queue::transaction(&app.db, move |t| {
        // The ticket is locked before the counter: the order every use case
        // that holds a ticket follows, so none waits on another in a circle.
        let ticket = t
            .ticket_for_update(&ticket)?
            .ok_or(AppError::NotFound("ticket"))?;
        let (counter, streak) = ready_counter(t, &who, &counter)?;
        idle(t.active_at(&counter.id)?)?;
        if ticket.site_id != counter.site_id {
            return Err(AppError::NotFound("ticket"));
        }
        if ticket.status != Status::Waiting {
            return Err(AppError::conflict(
                "not_waiting",
                format!("ticket {} is {}", ticket.number, ticket.status.as_str()),
            ));
        }
        if ticket.source == "remote" && ticket.present_at.is_none() {
            return Err(AppError::conflict(
                "not_present",
                format!(
                    "ticket {} was taken from a phone and is not checked in yet: mark it present first",
                    ticket.number
                ),
            ));
        }
        if !services.contains(&ticket.service_id) {
            return Err(crate::domain::Invalid::new(
                "ticket",
                "this counter does not handle the ticket's service",
            )
            .into());
        }
        let priority = ticket.priority;
        let streak = next_streak(streak, priority);
        call(t, now, &who, (&context, &pace), (&counter, streak), ticket)
    })
    .await?;
    app.publish(events);
    Ok(view)
}

/// The counter's site and services, read before the transaction opens.
pub(crate) async fn setting_of_counter(
    app: &App,
    id: &str,
) -> AppResult<(Arc<SiteContext>, Vec<String>)> {
    let site = match app.caches.counter_sites.get(id) {
        Some(site) => site,
        None => {
            let counter = store::counters::get(&app.db, id)
                .await?
                .ok_or(AppError::NotFound("counter"))?;
            let site = Arc::new(counter.site_id);
            app.caches.counter_sites.put(id, site.clone());
            site
        }
    };
    let context = SiteContext::load(app, &site).await?;
    let services = context.services_of(id);
    Ok((context, services))
}

/// The counter, locked, if the caller may call there (its active ticket
/// aside: `idle`), and the site's fairness streak, locked too.
fn ready_counter(t: &mut QueueTx<'_>, who: &Principal, id: &str) -> AppResult<(CounterRow, i64)> {
    let (counter, streak) = t
        .counter_and_streak(id)?
        .ok_or(AppError::NotFound("counter"))?;
    who.require_staff(&counter.site_id, &[Role::Agent, Role::Supervisor])?;
    if counter.state != "open" {
        return Err(AppError::conflict(
            "counter_not_open",
            format!("counter {} is {}", counter.id, counter.state),
        ));
    }
    let supervises = who
        .require_staff(&counter.site_id, &[Role::Supervisor])
        .is_ok();
    if counter.agent.as_deref() != who.username() && !supervises {
        return Err(AppError::conflict(
            "counter_taken",
            "another agent works at this counter",
        ));
    }
    Ok((counter, streak))
}

/// Refuses a call while the counter has a ticket called or being served,
/// as read after the counter's lock.
fn idle(active: Option<String>) -> AppResult<()> {
    match active {
        Some(active) => Err(AppError::conflict(
            "counter_busy",
            format!("finish ticket {active} at this counter first"),
        )),
        None => Ok(()),
    }
}

/// Marks the ticket called at the counter, sets the site's fairness streak
/// and appends the events.
fn call(
    t: &mut QueueTx<'_>,
    now: i64,
    who: &Principal,
    (context, pace): (&SiteContext, &Pace),
    (counter, streak): (&CounterRow, i64),
    mut ticket: TicketRow,
) -> AppResult<(TicketView, Vec<EventRow>)> {
    ticket.status = Status::Called;
    ticket.counter_id = Some(counter.id.clone());
    ticket.agent = who.username().map(str::to_owned);
    ticket.called_at = Some(now);
    let waiting = t.update_ticket_left_waiting(&ticket)?;
    let actor = who.actor();
    let called = NewEvent {
        actor: Some(&actor),
        event: SiteEvent::TicketCalled {
            number: ticket.number.clone(),
            service: ticket.service_id.clone(),
            counter: counter.id.clone(),
            counter_label: counter.label.clone(),
        },
    };
    let queue = NewEvent {
        actor: None,
        event: SiteEvent::QueueChanged {
            services: vec![pace.load(&ticket.service_id, waiting)],
        },
    };
    let events = t.append_all_with_streak(&counter.site_id, now, streak, &[called, queue])?;
    let mut view = view(context, pace, ticket, 0);
    view.counter = Some(json!({"id": counter.id, "label": counter.label}));
    Ok((view, events))
}
