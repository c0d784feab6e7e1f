//! Joining the walk-in queue from a phone, by web or by SMS, and leaving it
//! (docs/remote-queue.md).
//!
//! A remote ticket is issued in the same queue and numbering as the
//! kiosk's, in one queue transaction that also uses up the phone's code and
//! queues the SMS with the number and the tracking link (a join by SMS gets
//! them in the reply to its SMS instead). The transaction
//! first bumps the service's daily number, which locks that number's row on
//! PostgreSQL (and runs on the single writer on SQLite): joins and kiosk
//! tickets of a service pass one at a time, so the cap on the remote share
//! is counted with no join in between. One active remote ticket per phone
//! and office is the unique index `tickets_remote_phone`.

mod presence;
mod sweep;

use super::otp;
use super::queue::Pace;
use super::rate_limit::{REMOTE_JOIN_PER_IP, REMOTE_JOIN_PER_PHONE};
use super::sites::SiteContext;
use super::tickets::{TicketView, issued, waiting};
use super::{App, AppError, AppResult};
use crate::domain::Invalid;
use crate::domain::phone::Phone;
use crate::domain::ticket::{Action, Priority, Status};
use crate::notify::{self, remote_messages};
use crate::store::{self, Conn, tickets::TicketRow};
pub use presence::{present, present_by_number};
use serde::Serialize;
pub use sweep::{leave_now, sweep};
use utoipa::ToSchema;

/// Minutes before opening when remote joins open, as the kiosk's tickets.
const BEFORE_OPENING_MINUTES: i64 = 30;

/// What a citizen asks for: a service, their phone, their language.
#[derive(Debug, Clone)]
pub struct JoinRequest {
    pub service: String,
    pub phone: Phone,
    /// `fr`, `ar` or `en`: the language of the messages.
    pub lang: &'static str,
}

/// How the citizen asked.
#[derive(Debug, Clone)]
pub enum Via {
    /// The portal or the API, from a client address, with the code sent to
    /// the phone (on sites that verify phones).
    Web { client: String, otp: Option<String> },
    /// An inbound SMS whose signature was checked: its sender is the phone.
    Sms,
}

/// A remote ticket as its holder sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemoteTicket {
    pub id: String,
    pub number: String,
    pub service: String,
    /// Place in line while waiting: 1 is next.
    pub position: Option<i64>,
    pub estimated_wait_s: Option<i64>,
    /// The public tracking page, `{public_url}/t/{id}`.
    pub track_url: String,
    /// Whether the holder has checked in at the office.
    pub present: bool,
    pub status: Status,
}

/// Issues a remote ticket for `request.phone` in a walk-in service of
/// `site` (see the module's documentation for the rules).
pub async fn join(
    app: &App,
    site: &str,
    request: JoinRequest,
    via: Via,
) -> AppResult<RemoteTicket> {
    let now = app.clock.now_ms();
    let phone = request.phone.to_string();
    let (client, code) = match &via {
        Via::Web { client, otp } => (Some(client.as_str()), Some(otp.as_deref())),
        Via::Sms => (None, None),
    };
    let limits = &app.guards.limits;
    if let Some(client) = client {
        limits.hit(REMOTE_JOIN_PER_IP, client, now).await?;
    }
    limits.hit(REMOTE_JOIN_PER_PHONE, &phone, now).await?;
    let context = SiteContext::load(app, site).await?;
    // Without its code, on an office that verifies phones, the join is only
    // asked for (the portal's first submit, which checks the other fields
    // and has the code sent): refused once the limits are used up, but it
    // gives its places back, and the join made with the code takes them.
    if context.row.verify_phone && matches!(code, Some(None)) {
        if let Some(client) = client {
            limits.take_back(REMOTE_JOIN_PER_IP, client).await;
        }
        limits.take_back(REMOTE_JOIN_PER_PHONE, &phone).await;
    }
    let service = context
        .service(&request.service)
        .filter(|s| s.walk_in && s.remote_share_percent > 0)
        .cloned()
        .ok_or_else(|| {
            Invalid::new(
                "service",
                format!("no service {:?} to join remotely here", request.service),
            )
        })?;
    let closing = closing_ms(&context, now)?;
    let proof = match (code, context.row.verify_phone) {
        (Some(code), true) => Some(otp::check(app, &request.phone, code).await?),
        _ => None,
    };
    let pace = Pace::read(app, &context).await?;
    let actor = match via {
        Via::Web { .. } => "remote:web",
        Via::Sms => "remote:sms",
    };
    // A join by SMS is answered by the reply to that SMS: no second message.
    let by_sms = matches!(via, Via::Sms);
    let day = context.day_of(now);
    let link_base = app.links.public_url.clone();
    let office =
        super::appointments::local_name(request.lang, &context.row.name, &context.row.name_ar)
            .to_owned();
    let site = site.to_owned();
    let estimates = pace.clone();
    let (ticket, ahead, events) = store::queue::transaction(&app.db, move |t| {
        let (sequence, issued_at) = t.next_number(&site, &service.id, &day, now)?;
        let ticket = TicketRow {
            phone: Some(phone.clone()),
            lang: request.lang.to_owned(),
            ..waiting(
                &site,
                &service,
                &day,
                sequence,
                issued_at,
                Priority::Normal,
                "remote",
            )
        };
        // The unique index speaks first: a phone with a ticket here is told
        // so. Counted with this ticket: the remote ones waiting, and all.
        let (remote, count) = t.insert_remote_ticket(&ticket).map_err(|e| {
            AppError::unless_conflict(e, || {
                AppError::conflict(
                    "already_in_queue",
                    "this phone already has a ticket in this office's queue",
                )
            })
        })?;
        let ahead = count - 1;
        if now + pace.wait_seconds(&service.id, ahead) * 1000 > closing {
            return Err(AppError::conflict(
                "queue_closing",
                "the estimated wait runs past closing time: come to the office instead",
            ));
        }
        // Remote tickets may be at most the service's share of those
        // waiting, rounded up.
        if remote * 100 > service.remote_share_percent * count + 99 {
            return Err(AppError::conflict(
                "remote_share_full",
                "remote places in this queue are all taken for now",
            ));
        }
        if let Some(proof) = &proof {
            otp::use_up_queued(t, proof, now)?;
        }
        if !by_sms {
            let link = format!("{link_base}/t/{}", ticket.id);
            let minutes = (pace.wait_seconds(&service.id, ahead) + 59) / 60;
            let body = remote_messages::joined(
                &ticket.lang,
                &ticket.number,
                &office,
                ahead,
                minutes,
                &link,
            );
            let key = format!("remote_joined:{}", ticket.id);
            t.enqueue(&notify::sms(
                Some(&site),
                "remote_joined",
                &phone,
                body,
                key,
                now,
            ))?;
        }
        let joined = issued(actor, &ticket, None, &pace, count);
        let events = t.append_all(&site, now, &joined)?;
        Ok::<_, AppError>((ticket, ahead, events))
    })
    .await?;
    app.publish(events);
    Ok(remote_view(app, &estimates, ticket, ahead))
}

/// Cancels the phone's active remote ticket (at `site`, or its newest one
/// anywhere): what "ANNULER" without a reference does.
pub async fn leave(app: &App, phone: &Phone, site: Option<&str>) -> AppResult<TicketView> {
    let found = store::remote_queue::active_of_phone(&app.db, phone.as_str(), site).await?;
    let ticket = found
        .into_iter()
        .next()
        .ok_or(AppError::NotFound("remote ticket"))?;
    super::tickets::act(app, None, &ticket.id, Action::Cancel).await
}

/// A remote ticket by id, as its holder sees it.
pub async fn get(app: &App, id: &str) -> AppResult<RemoteTicket> {
    let ticket = store::tickets::get(&app.db, id)
        .await?
        .filter(|t| t.source == "remote")
        .ok_or(AppError::NotFound("ticket"))?;
    let context = SiteContext::load(app, &ticket.site_id).await?;
    let pace = Pace::read(app, &context).await?;
    let ahead = store::tickets::ahead_of(Conn::Db(&app.db), &ticket).await?;
    Ok(remote_view(app, &pace, ticket, ahead))
}

fn remote_view(app: &App, pace: &Pace, t: TicketRow, ahead: i64) -> RemoteTicket {
    let waiting = t.status == Status::Waiting;
    RemoteTicket {
        position: waiting.then_some(ahead + 1),
        estimated_wait_s: waiting.then(|| pace.wait_seconds(&t.service_id, ahead)),
        track_url: format!("{}/t/{}", app.links.public_url, t.id),
        present: t.present_at.is_some(),
        status: t.status,
        id: t.id,
        number: t.number,
        service: t.service_id,
    }
}

/// When the office closes today, as an instant; refused when it does not
/// take tickets now (closed, or a closure day).
pub(crate) fn closing_ms(context: &SiteContext, now: i64) -> AppResult<i64> {
    let closed = || AppError::conflict("site_closed", "the office is closed now");
    let local = jiff::Timestamp::from_millisecond(now)
        .map_err(|e| AppError::Internal(e.into()))?
        .to_zoned(context.zone.clone());
    let open = context.hours.takes_tickets_at(
        local.date(),
        local.time(),
        &context.closures,
        BEFORE_OPENING_MINUTES,
    );
    let closing = context.hours.closing_time(local.date().weekday());
    let (true, Some(closing)) = (open, closing) else {
        return Err(closed());
    };
    let at = local
        .date()
        .to_datetime(closing)
        .to_zoned(context.zone.clone())
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(at.timestamp().as_millisecond())
}
