//! From a walk-in visit to a document request in one step
//! (docs/requests.md, "From a ticket"): the agent serving a ticket files
//! the citizen's request for the ticket's site, with the phone given at
//! the kiosk carried over. The request's first step names the visit (the
//! ticket's number) and the agent.
//!
//! Rules: only staff of the ticket's site (agents, supervisors) may ask
//! (else 403); the ticket must be called or being served by the caller
//! (else 409 `ticket_not_served`: a waiting or finished ticket, or one at
//! another agent's counter); one request per service and visit (else 409
//! `already_filed`, so that a double click files once). The ticket is
//! locked and checked again in the request's transaction.

use super::auth::Principal;
use super::receipts::Channel;
use super::request_filing::{Filed, file};
use super::requests::RequestView;
use super::sites::SiteContext;
use super::{App, AppError, AppResult};
use crate::domain::phone::Phone;
use crate::domain::role::Role;
use crate::domain::ticket::Status;
use crate::store::{self, Tx};
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    pub service: String,
    pub name: String,
    /// E.164; the phone given with the ticket when left out.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// `fr`, `ar` or `en`; the ticket's language when left out.
    pub lang: Option<String>,
}

/// The visit a request is filed from, and the agent serving it.
#[derive(Debug, Clone)]
pub(super) struct Visit {
    pub id: String,
    pub number: String,
    pub agent: String,
}

/// Files the request of the citizen the caller is serving on ticket `id`.
pub async fn file_from_ticket(
    app: &App,
    who: &Principal,
    id: &str,
    input: TicketRequest,
) -> AppResult<RequestView> {
    let ticket = store::tickets::get(&app.db, id)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    who.require_staff(&ticket.site_id, &[Role::Agent, Role::Supervisor])?;
    let agent = who
        .username()
        .ok_or(AppError::Forbidden("staff only"))?
        .to_owned();
    served_by(&ticket, &agent)?;
    let context = SiteContext::load(app, &ticket.site_id).await?;
    let phone = match input.phone.as_deref().map(str::trim) {
        Some(typed) if !typed.is_empty() => Some(Phone::parse(typed)?),
        _ => ticket.phone.as_deref().map(Phone::parse).transpose()?,
    };
    let filed = Filed {
        service: input.service,
        name: input.name,
        phone,
        email: input.email,
        lang: input.lang.or(Some(ticket.lang)),
        channel: Channel::Ticket,
        visit: Some(Visit {
            id: ticket.id,
            number: ticket.number,
            agent,
        }),
        actor: who.actor(),
    };
    file(app, &context, filed, None, true).await
}

/// Inside the request's transaction: the ticket, locked, is still called
/// or served by the visit's agent, and has no request for `service` yet.
pub(super) async fn still_served(tx: &mut Tx, visit: &Visit, service: &str) -> AppResult<()> {
    let ticket = store::tickets::get_for_update(tx, &visit.id)
        .await?
        .ok_or(AppError::NotFound("ticket"))?;
    served_by(&ticket, &visit.agent)?;
    if store::requests::filed_from(tx, &visit.id, service).await? {
        return Err(AppError::conflict(
            "already_filed",
            "this visit already filed a request for this service",
        ));
    }
    Ok(())
}

fn served_by(ticket: &store::tickets::TicketRow, agent: &str) -> AppResult<()> {
    let active = matches!(ticket.status, Status::Called | Status::Serving);
    if active && ticket.agent.as_deref() == Some(agent) {
        return Ok(());
    }
    Err(AppError::conflict(
        "ticket_not_served",
        "this ticket is not being served by you",
    ))
}
