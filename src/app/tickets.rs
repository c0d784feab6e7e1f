//! Walk-in tickets: issuing them, reading them, and what agents do to them
//! once called. Each change is one transaction with its events.

use super::auth::Principal;
use super::queue::Pace;
use super::sites::SiteContext;
use super::{App, AppError, AppResult};
use crate::domain::Invalid;
use crate::domain::event::{SiteEvent, TicketChange};
use crate::domain::phone::Phone;
use crate::domain::role::{DeviceKind, Role};
use crate::domain::ticket::{Action, Priority, Refusal, Status, format_number, transition};
use crate::secrets::new_id;
use crate::store::{self, Conn, events::NewEvent, services::ServiceRow, tickets::TicketRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Minutes before opening when the kiosk starts handing out tickets.
const TICKETS_BEFORE_OPENING_MINUTES: i64 = 30;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicket {
    pub service: String,
    /// `normal` (default) or `priority` (elderly, disabled, pregnant).
    pub priority: Option<String>,
    /// E.164, for "your turn is near"; never shown back.
    pub phone: Option<String>,
    /// `fr` (default), `ar` or `en`: the language of messages.
    pub lang: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    pub id: String,
    pub number: String,
    pub site: String,
    pub service: String,
    pub status: Status,
    pub priority: Priority,
    /// Place in line while waiting: 1 is next.
    pub position: Option<i64>,
    pub estimated_wait_seconds: Option<i64>,
    pub issued_at: String,
    pub called_at: Option<String>,
    /// Where to go once called: `{id, label}`.
    pub counter: Option<serde_json::Value>,
    pub recalls: i64,
    /// Joined from a phone (web or SMS): called only once present.
    pub remote: bool,
    /// For a remote ticket: whether its holder has checked in at the office.
    pub present: Option<bool>,
    /// A remote ticket whose turn came while its holder was away: it keeps
    /// its place for the site's grace period, then lapses.
    pub held: bool,
    /// While held: when its holder's grace ends (the site's local time,
    /// RFC 3339); checked in by then, the ticket goes back to its place.
    pub held_until: Option<String>,
}

pub async fn issue(
    app: &App,
    who: &Principal,
    site: &str,
    input: NewTicket,
) -> AppResult<TicketView> {
    who.require_staff_or_device(site, &[Role::Agent, Role::Supervisor], &[DeviceKind::Kiosk])?;
    let context = SiteContext::load(app, site).await?;
    let service = context.service(&input.service).cloned().ok_or_else(|| {
        Invalid::new(
            "service",
            format!("no service {:?} at this site", input.service),
        )
    })?;
    if !service.walk_in {
        return Err(Invalid::new("service", "this service takes appointments only").into());
    }
    let priority = match input.priority.as_deref() {
        None | Some("normal") => Priority::Normal,
        Some("priority") => Priority::Priority,
        Some(_) => return Err(Invalid::new("priority", "normal or priority").into()),
    };
    let phone = input.phone.as_deref().map(Phone::parse).transpose()?;
    let lang = parse_lang(input.lang.as_deref())?;
    let now = app.clock.now_ms();
    let local = jiff::Timestamp::from_millisecond(now)
        .map_err(|e| AppError::Internal(e.into()))?
        .to_zoned(context.zone.clone());
    let open = context.hours.takes_tickets_at(
        local.date(),
        local.time(),
        &context.closures,
        TICKETS_BEFORE_OPENING_MINUTES,
    );
    if !open {
        return Err(AppError::conflict(
            "site_closed",
            "the office is closed now",
        ));
    }
    let day = local.date().to_string();
    let source = match who {
        Principal::Device { .. } => "kiosk",
        _ => "reception",
    };
    let pace = Pace::read(app, &context).await?;
    let (site, actor) = (site.to_owned(), who.actor());
    let (view, events) = store::queue::transaction(&app.db, move |t| {
        let (sequence, issued_at) = t.next_number(&site, &service.id, &day, now)?;
        let ticket = TicketRow {
            phone: phone.as_ref().map(|p| p.to_string()),
            lang: lang.to_owned(),
            ..waiting(&site, &service, &day, sequence, issued_at, priority, source)
        };
        let waiting = t.insert_waiting_ticket(&ticket)?;
        // A normal ticket is behind everyone already waiting for its service.
        let ahead = match priority {
            Priority::Normal => waiting - 1,
            _ => t.ahead_of(&ticket)?,
        };
        let joined = issued(&actor, &ticket, None, &pace, waiting);
        let events = t.append_all(&site, now, &joined)?;
        Ok::<_, AppError>((view(&context, &pace, ticket, ahead), events))
    })
    .await?;
    app.publish(events);
    remember_site(app, &view);
    Ok(view)
}

/// The events of a ticket joining the queue: `ticket.issued` (with the
/// appointment it came from, if any) and its service's new waiting count.
pub(crate) fn issued<'a>(
    actor: &'a str,
    ticket: &TicketRow,
    appointment: Option<String>,
    pace: &Pace,
    waiting: i64,
) -> [NewEvent<'a>; 2] {
    let issued = NewEvent {
        actor: Some(actor),
        event: SiteEvent::TicketIssued {
            number: ticket.number.clone(),
            service: ticket.service_id.clone(),
            priority: ticket.priority,
            appointment,
        },
    };
    let changed = NewEvent {
        actor: None,
        event: SiteEvent::QueueChanged {
            services: vec![pace.load(&ticket.service_id, waiting)],
        },
    };
    [issued, changed]
}

/// A new ticket waiting in `service`, numbered `sequence` on `day`, with
/// no phone and in French until told otherwise.
pub(crate) fn waiting(
    site: &str,
    service: &ServiceRow,
    day: &str,
    sequence: i64,
    issued_at: i64,
    priority: Priority,
    source: &str,
) -> TicketRow {
    TicketRow {
        id: new_id(),
        site_id: site.to_owned(),
        service_id: service.id.clone(),
        origin_service_id: service.id.clone(),
        local_day: day.to_owned(),
        number: format_number(&service.prefix, sequence),
        sequence,
        priority,
        source: source.to_owned(),
        phone: None,
        lang: "fr".to_owned(),
        status: Status::Waiting,
        counter_id: None,
        agent: None,
        appointment_id: None,
        recalls: 0,
        last_recall_at: None,
        due_at: None,
        close_reason: None,
        issued_at,
        called_at: None,
        serving_at: None,
        finished_at: None,
        present_at: None,
        held_at: None,
    }
}

/// A ticket as its holder sees it (public: whoever has the id).
pub async fn get(app: &App, id: &str) -> AppResult<TicketView> {
    let ticket = store::tickets::get(&app.db, id)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    let context = SiteContext::load(app, &ticket.site_id).await?;
    let pace = Pace::read(app, &context).await?;
    let ahead = store::tickets::ahead_of(Conn::Db(&app.db), &ticket).await?;
    Ok(view(&context, &pace, ticket, ahead))
}

/// Recall, start, complete, no-show or cancel. Staff of the ticket's site
/// may do any; the holder (anyone with the id) may only cancel.
pub async fn act(
    app: &App,
    who: Option<&Principal>,
    id: &str,
    action: Action,
) -> AppResult<TicketView> {
    let context = context_of_ticket(app, id).await?;
    let pace = Pace::read(app, &context).await?;
    let now = app.clock.now_ms();
    let (who, id) = (who.cloned(), id.to_owned());
    // A step: one ticket read and written with its events, without a
    // transaction on PostgreSQL unless it needs more (an appointment, a
    // waiting count) or the ticket changed meanwhile.
    let ((view, events), way) = store::queue::step(&app.db, move |t| {
        let who = who.as_ref();
        let mut ticket = t
            .ticket_for_update(&id)?
            .ok_or(AppError::NotFound("ticket"))?;
        let staff = who.is_some_and(|w| {
            w.require_staff(&ticket.site_id, &[Role::Agent, Role::Supervisor])
                .is_ok()
        });
        if !staff && action != Action::Cancel {
            return Err(match who {
                None => AppError::Unauthorized("staff only"),
                Some(_) => AppError::Forbidden("not allowed for your role on this site"),
            });
        }
        let from = ticket.status;
        let next = transition(from, action, ticket.recalls, context.row.min_recalls)
            .map_err(refused(action))?;
        match action {
            Action::Recall => {
                ticket.recalls += 1;
                ticket.last_recall_at = Some(now);
            }
            Action::Start => ticket.serving_at = Some(now),
            Action::Complete | Action::NoShow | Action::Cancel => ticket.finished_at = Some(now),
            Action::Transfer => {}
        }
        if staff && let Some(username) = who.and_then(Principal::username) {
            ticket.agent = Some(username.to_owned());
        }
        ticket.status = next;
        // The visit of a checked-in appointment ends with its ticket.
        let outcome = match next {
            Status::Done => Some("done"),
            Status::NoShow => Some("no_show"),
            Status::Cancelled => Some("cancelled"),
            _ => None,
        };
        if let (Some(appointment), Some(outcome)) = (&ticket.appointment_id, outcome) {
            t.set_appointment_status(appointment, "checked_in", outcome, now)?;
        }
        let actor = who.map_or_else(|| "holder".to_owned(), Principal::actor);
        let counter = context.counter(ticket.counter_id.as_deref());
        let change = TicketChange {
            number: ticket.number.clone(),
            service: ticket.service_id.clone(),
            status: next,
            counter: counter.map(|c| c.id.clone()),
            counter_label: counter.map(|c| c.label.clone()),
            recalls: (action == Action::Recall).then_some(ticket.recalls),
            reason: None,
        };
        let event = SiteEvent::acted(action, change)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a transfer names its service")))?;
        let mut events = vec![NewEvent {
            actor: Some(&actor),
            event,
        }];
        let events = if from == Status::Waiting {
            let waiting = t.update_ticket_left_waiting(&ticket)?;
            events.push(NewEvent {
                actor: None,
                event: SiteEvent::QueueChanged {
                    services: vec![pace.load(&ticket.service_id, waiting)],
                },
            });
            t.append_all(&ticket.site_id, now, &events)?
        } else {
            t.update_ticket_appending(&ticket, now, &events)?
        };
        Ok::<_, AppError>((view(&context, &pace, ticket, 0), events))
    })
    .await?;
    app.activity.step(way);
    app.publish(events);
    Ok(view)
}

/// Sends a called or serving ticket back to `waiting` in another service of
/// the site, keeping its number and its place in time.
pub async fn transfer(
    app: &App,
    who: &Principal,
    id: &str,
    service: &str,
) -> AppResult<TicketView> {
    let context = context_of_ticket(app, id).await?;
    who.require_staff(&context.row.id, &[Role::Agent, Role::Supervisor])?;
    let target = context
        .service(service)
        .cloned()
        .ok_or_else(|| Invalid::new("service", format!("no service {service:?} at this site")))?;
    let pace = Pace::read(app, &context).await?;
    let now = app.clock.now_ms();
    let (id, actor) = (id.to_owned(), who.actor());
    let (view, events) = store::queue::transaction(&app.db, move |t| {
        let mut ticket = t
            .ticket_for_update(&id)?
            .ok_or(AppError::NotFound("ticket"))?;
        if target.id == ticket.service_id {
            return Err(Invalid::new("service", "the ticket is already in this service").into());
        }
        let from = ticket.status;
        transition(
            from,
            Action::Transfer,
            ticket.recalls,
            context.row.min_recalls,
        )
        .map_err(refused(Action::Transfer))?;
        let previous = std::mem::replace(&mut ticket.service_id, target.id.clone());
        ticket.status = Status::Waiting;
        ticket.counter_id = None;
        ticket.called_at = None;
        ticket.serving_at = None;
        ticket.recalls = 0;
        ticket.last_recall_at = None;
        t.update_ticket(&ticket)?;
        let mut events = vec![NewEvent {
            actor: Some(&actor),
            event: SiteEvent::TicketTransferred {
                number: ticket.number.clone(),
                from: previous.clone(),
                service: target.id.clone(),
            },
        }];
        for service in [&previous, &target.id] {
            let waiting = t.waiting_of(&ticket.site_id, service)?;
            events.push(NewEvent {
                actor: None,
                event: SiteEvent::QueueChanged {
                    services: vec![pace.load(service, waiting)],
                },
            });
        }
        let ahead = t.ahead_of(&ticket)?;
        let events = t.append_all(&ticket.site_id, now, &events)?;
        Ok::<_, AppError>((view(&context, &pace, ticket, ahead), events))
    })
    .await?;
    app.publish(events);
    Ok(view)
}

/// The settings of a ticket's site, read before any transaction opens: a
/// use case never waits for a second connection while holding one. A
/// ticket never changes site, so its site is remembered.
async fn context_of_ticket(app: &App, id: &str) -> AppResult<std::sync::Arc<SiteContext>> {
    let site = match app.caches.ticket_sites.get(id) {
        Some(site) => site,
        None => {
            let ticket = store::tickets::get(&app.db, id)
                .await?
                .ok_or(AppError::NotFound("ticket"))?;
            let site = std::sync::Arc::new(ticket.site_id);
            app.caches.ticket_sites.put(id, site.clone());
            site
        }
    };
    SiteContext::load(app, &site).await
}

/// Remembers the site of a ticket this instance has just written.
pub(crate) fn remember_site(app: &App, view: &TicketView) {
    app.caches
        .ticket_sites
        .put(&view.id, std::sync::Arc::new(view.site.clone()));
}

/// The ticket as its holder sees it; `ahead` counts only while it waits.
pub(crate) fn view(context: &SiteContext, pace: &Pace, t: TicketRow, ahead: i64) -> TicketView {
    let waiting = t.status == Status::Waiting;
    let counter = context.counter_ref(t.counter_id.as_deref());
    let remote = t.source == "remote";
    TicketView {
        remote,
        present: remote.then_some(t.present_at.is_some()),
        held: waiting && remote && t.held_at.is_some() && t.present_at.is_none(),
        held_until: t
            .held_at
            .filter(|_| waiting && remote && t.present_at.is_none())
            .map(|at| context.local(at + context.row.remote_grace_minutes * 60_000)),
        position: waiting.then_some(ahead + 1),
        estimated_wait_seconds: waiting.then(|| pace.wait_seconds(&t.service_id, ahead)),
        issued_at: context.local(t.issued_at),
        called_at: t.called_at.map(|at| context.local(at)),
        status: t.status,
        priority: t.priority,
        counter,
        id: t.id,
        number: t.number,
        site: t.site_id,
        service: t.service_id,
        recalls: t.recalls,
    }
}

pub(crate) fn parse_lang(value: Option<&str>) -> Result<&'static str, Invalid> {
    match value {
        None | Some("fr") => Ok("fr"),
        Some("ar") => Ok("ar"),
        Some("en") => Ok("en"),
        Some(_) => Err(Invalid::new("lang", "fr, ar or en")),
    }
}

fn refused(action: Action) -> impl Fn(Refusal) -> AppError {
    move |refusal| match refusal {
        Refusal::WrongState(state) => AppError::conflict(
            "invalid_transition",
            format!(
                "cannot {} a ticket that is {}",
                action.name(),
                state.as_str()
            ),
        ),
        Refusal::TooFewRecalls { needed } => AppError::conflict(
            "too_few_recalls",
            format!("recall the ticket at least {needed} time(s) before marking a no-show"),
        ),
    }
}
