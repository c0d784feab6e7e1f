//! Calling tickets to a counter: the next one by the site's rules, or a
//! chosen one out of order.
//!
//! Both run in one write transaction that first locks the counter and the
//! site's sequence row, so calls at one site take turns and two counters
//! never get the same ticket, on one instance or ten.

use super::auth::Principal;
use super::queue::{Pace, changed};
use super::sites::SiteContext;
use super::tickets::{TicketView, locked, view};
use super::{App, AppError, AppResult};
use crate::domain::ordering::{Head, choose, next_streak};
use crate::domain::role::Role;
use crate::domain::ticket::Priority;
use crate::store::{self, Tx, counters::CounterRow, events::NewEvent, tickets::TicketRow};
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
    let mut tx = app.db.begin().await?;
    let counter = ready_counter(&mut tx, who, counter).await?;
    let streak = store::events::lock_priority_streak(&mut tx, &counter.site_id).await?;
    let now = app.clock.now_ms();
    let ahead = store::tickets::head(&mut tx, &counter.site_id, &services, false, now).await?;
    let normal = store::tickets::head(&mut tx, &counter.site_id, &services, true, now).await?;
    let head = |t: &Option<TicketRow>| {
        t.as_ref().map(|t| Head {
            id: t.id.clone(),
            priority: Priority::parse(&t.priority).unwrap_or(Priority::Normal),
            issued_at: t.issued_at,
        })
    };
    let Some(chosen) = choose(
        head(&ahead),
        head(&normal),
        streak,
        context.row.priority_streak_max,
    ) else {
        return Ok(None);
    };
    let ticket = [ahead, normal]
        .into_iter()
        .flatten()
        .find(|t| t.id == chosen.id)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("chosen ticket vanished")))?;
    store::events::set_priority_streak(
        &mut tx,
        &counter.site_id,
        next_streak(streak, chosen.priority),
    )
    .await?;
    let view = call(app, tx, who, (&context, &pace), &counter, ticket).await?;
    Ok(Some(view))
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
    let mut tx = app.db.begin().await?;
    // The ticket is locked before the counter: the order every use case
    // that holds a ticket follows, so none waits on another in a circle.
    let ticket = locked(&mut tx, ticket).await?;
    let counter = ready_counter(&mut tx, who, counter).await?;
    if ticket.site_id != counter.site_id {
        return Err(AppError::NotFound("ticket"));
    }
    if ticket.status != "waiting" {
        return Err(AppError::conflict(
            "not_waiting",
            format!("ticket {} is {}", ticket.number, ticket.status),
        ));
    }
    if !services.contains(&ticket.service_id) {
        return Err(crate::domain::Invalid::new(
            "ticket",
            "this counter does not handle the ticket's service",
        )
        .into());
    }
    let streak = store::events::lock_priority_streak(&mut tx, &counter.site_id).await?;
    let priority = Priority::parse(&ticket.priority).unwrap_or(Priority::Normal);
    store::events::set_priority_streak(&mut tx, &counter.site_id, next_streak(streak, priority))
        .await?;
    call(app, tx, who, (&context, &pace), &counter, ticket).await
}

/// The counter's site and services, read before the transaction opens.
async fn setting_of_counter(app: &App, id: &str) -> AppResult<(Arc<SiteContext>, Vec<String>)> {
    let site = match app.counter_sites.get(id) {
        Some(site) => site,
        None => {
            let counter = store::counters::get(&app.db, id)
                .await?
                .ok_or(AppError::NotFound("counter"))?;
            let site = Arc::new(counter.site_id);
            app.counter_sites.put(id, site.clone());
            site
        }
    };
    let context = SiteContext::load(app, &site).await?;
    let services = context.services_of(id);
    Ok((context, services))
}

/// The counter, locked, if the caller may call there now.
async fn ready_counter(tx: &mut Tx, who: &Principal, id: &str) -> AppResult<CounterRow> {
    let counter = store::counters::get_for_update(tx, id)
        .await?
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
    if let Some(active) = store::tickets::active_at_counter(tx, &counter.id).await? {
        return Err(AppError::conflict(
            "counter_busy",
            format!("finish ticket {active} at this counter first"),
        ));
    }
    Ok(counter)
}

async fn call(
    app: &App,
    mut tx: Tx,
    who: &Principal,
    (context, pace): (&SiteContext, &Pace),
    counter: &CounterRow,
    mut ticket: TicketRow,
) -> AppResult<TicketView> {
    let now = app.clock.now_ms();
    ticket.status = "called".to_owned();
    ticket.counter_id = Some(counter.id.clone());
    ticket.agent = who.username().map(str::to_owned);
    ticket.called_at = Some(now);
    store::tickets::update(&mut tx, &ticket).await?;
    let actor = who.actor();
    let called = NewEvent {
        kind: "ticket.called",
        actor: Some(&actor),
        payload: json!({
            "number": ticket.number,
            "service": ticket.service_id,
            "counter": counter.id,
            "counter_label": counter.label,
        }),
    };
    let queue = NewEvent {
        kind: "queue.changed",
        actor: None,
        payload: changed(&mut tx, pace, &counter.site_id, &ticket.service_id).await?,
    };
    let events =
        store::events::append_all(&mut tx, &counter.site_id, now, &[called, queue]).await?;
    tx.commit().await?;
    app.bus.publish(events);
    let mut view = view(context, pace, ticket, 0);
    view.counter = Some(json!({"id": counter.id, "label": counter.label}));
    Ok(view)
}
