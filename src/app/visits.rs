//! Messages that follow a walk-in visit, sent by a job every few seconds
//! rather than from the queue's hot transactions: "your turn is near",
//! "go to counter 3", the feedback request after the visit, and the
//! `ticket.done` webhook. Each is keyed by its ticket, so a message is
//! queued once however often (and on however many instances) the job runs;
//! the job's delay is a few seconds.
//!
//! "Your turn is near" goes to a ticket with a phone once
//! `near_turn_ahead` (a site setting; 0 turns it off) or fewer people are
//! ahead, and only if it was taken more than five minutes ago: someone who
//! takes a ticket with two people ahead is still in the lobby (a remote
//! ticket's holder is not: they are told at once). Absent remote tickets
//! also get "leave now" (`remote_queue::leave_now`). An
//! appointment's ticket is told no earlier than its start, when it can be
//! called.

use super::sites::SiteContext;
use super::{App, AppError, AppResult};
use crate::domain::Invalid;
use crate::notify::{self, messages, webhooks};
use crate::secrets::{hash_token, new_token};
use crate::store::visits::NewFeedback;
use crate::store::{self, Conn, tickets::TicketRow};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use utoipa::ToSchema;

const MINUTE_MS: i64 = 60_000;
/// How far back the job looks for finished visits.
const LOOK_BACK_MS: i64 = 24 * 60 * MINUTE_MS;

/// Queues what the visits of every site call for; returns how many
/// messages were queued.
pub async fn follow_up(app: &App) -> AppResult<usize> {
    let now = app.clock.now_ms();
    let mut contexts: HashMap<String, Arc<SiteContext>> = HashMap::new();
    let mut queued = 0;
    let waiting = store::visits::unnotified(&app.db, "waiting", "turn_near", false, 500).await?;
    let called = store::visits::unnotified(&app.db, "called", "called", true, 500).await?;
    let done = store::visits::done_since(&app.db, now - LOOK_BACK_MS, true).await?;
    for ticket in waiting.iter().chain(&called).chain(&done) {
        if !contexts.contains_key(&ticket.site_id) {
            let context = SiteContext::load(app, &ticket.site_id).await?;
            contexts.insert(ticket.site_id.clone(), context);
        }
    }
    for ticket in waiting {
        let Some(context) = contexts.get(&ticket.site_id) else {
            continue;
        };
        let limit = context.row.near_turn_ahead;
        // A remote ticket's holder is away: told however recent the ticket.
        let fresh = ticket.source != "remote" && now - ticket.issued_at < 5 * MINUTE_MS;
        if limit == 0 || fresh {
            continue;
        }
        // A checked-in appointment is called from its start on, whoever
        // else waits: before that, nobody is near.
        if ticket.due_at.is_some_and(|due| now < due) {
            continue;
        }
        let ahead = store::tickets::ahead_of(Conn::Db(&app.db), &ticket).await?;
        if ahead <= limit {
            let body = messages::turn_near(&ticket.lang, &ticket.number, ahead);
            queued += queue_sms(app, &ticket, "turn_near", body, now).await? as usize;
        }
    }
    for ticket in called {
        let Some(context) = contexts.get(&ticket.site_id) else {
            continue;
        };
        let counter = context
            .counter_ref(ticket.counter_id.as_deref())
            .and_then(|c| c["label"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let body = messages::called(&ticket.lang, &ticket.number, &counter);
        queued += queue_sms(app, &ticket, "called", body, now).await? as usize;
    }
    for ticket in done {
        let Some(context) = contexts.get(&ticket.site_id) else {
            continue;
        };
        queued += ask_feedback(app, context, &ticket, now).await? as usize;
    }
    queued += done_webhooks(app, now).await?;
    queued += super::remote_queue::leave_now(app, now).await?;
    Ok(queued)
}

async fn queue_sms(
    app: &App,
    ticket: &TicketRow,
    template: &'static str,
    body: String,
    now: i64,
) -> AppResult<bool> {
    let Some(phone) = &ticket.phone else {
        return Ok(false);
    };
    // "Called" is told again at each counter the ticket is called to.
    let key = match template {
        "called" => format!(
            "called:{}:{}",
            ticket.id,
            ticket.counter_id.as_deref().unwrap_or("")
        ),
        _ => format!("{template}:{}", ticket.id),
    };
    let sms = notify::sms(Some(&ticket.site_id), template, phone, body, key, now);
    let mut tx = app.db.begin().await?;
    let added = store::outbox::enqueue(&mut tx, &sms).await?;
    tx.commit().await?;
    Ok(added)
}

async fn ask_feedback(
    app: &App,
    context: &SiteContext,
    ticket: &TicketRow,
    now: i64,
) -> AppResult<bool> {
    let Some(phone) = &ticket.phone else {
        return Ok(false);
    };
    let token = new_token();
    let request = NewFeedback {
        token_hash: hash_token(&token),
        site_id: ticket.site_id.clone(),
        service_id: ticket.service_id.clone(),
        ticket_id: Some(ticket.id.clone()),
        appointment_id: ticket.appointment_id.clone(),
        agent: ticket.agent.clone(),
        created_at: now,
    };
    let office =
        super::appointments::local_name(&ticket.lang, &context.row.name, &context.row.name_ar);
    let link = format!("{}/feedback/{token}", app.links.public_url);
    let body = messages::feedback(&ticket.lang, office, &link);
    let key = format!("feedback:{}", ticket.id);
    let sms = notify::sms(Some(&ticket.site_id), "feedback", phone, body, key, now);
    let mut tx = app.db.begin().await?;
    if !store::visits::ask_feedback(&mut tx, &request).await? {
        return Ok(false);
    }
    store::outbox::enqueue(&mut tx, &sms).await?;
    tx.commit().await?;
    Ok(true)
}

/// `ticket.done` for the endpoints that want it, for tickets finished in
/// the last few minutes (keyed by ticket: each queued once).
async fn done_webhooks(app: &App, now: i64) -> AppResult<usize> {
    if !webhooks::anyone_wants(&app.db, "ticket.done").await? {
        return Ok(0);
    }
    let done = store::visits::done_since(&app.db, now - 10 * MINUTE_MS, false).await?;
    let mut tx = app.db.begin().await?;
    for ticket in &done {
        let data = json!({"ticket": ticket.id, "number": ticket.number, "service": ticket.service_id,
            "appointment": ticket.appointment_id, "finished_at": ticket.finished_at});
        let finished = ticket.finished_at.unwrap_or(now);
        let (site, id) = (&ticket.site_id, &ticket.id);
        webhooks::enqueue_since(&mut tx, site, "ticket.done", id, data, finished, now).await?;
    }
    tx.commit().await?;
    Ok(done.len())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackAnswer {
    /// 1 (bad) to 5 (very good).
    pub rating: i64,
    pub comment: Option<String>,
}

/// Whether the feedback link of a visit still waits for its answer (the
/// page asks), was answered already (`true`), or is unknown (404).
pub async fn feedback_answered(app: &App, token: &str) -> AppResult<bool> {
    store::visits::feedback_answered(&app.db, &hash_token(token))
        .await?
        .ok_or(AppError::NotFound("feedback request"))
}

/// The citizen's answer to a feedback request: once per visit.
pub async fn answer_feedback(app: &App, token: &str, input: FeedbackAnswer) -> AppResult<()> {
    let rating = crate::domain::parse_within("rating", input.rating, 1..=5)?;
    let comment = match input.comment.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(text) if text.chars().count() > 1000 => {
            return Err(Invalid::new("comment", "at most 1000 characters").into());
        }
        Some(text) => Some(text.to_owned()),
    };
    let mut tx = app.db.begin().await?;
    let answered = store::visits::answer_feedback(
        &mut tx,
        &hash_token(token),
        rating,
        comment.as_deref(),
        app.clock.now_ms(),
    )
    .await?;
    match answered {
        Some(true) => {
            tx.commit().await?;
            Ok(())
        }
        Some(false) => Err(AppError::conflict(
            "already_answered",
            "this visit was already rated",
        )),
        None => Err(AppError::NotFound("feedback request")),
    }
}
