//! The audit log: who among the staff (or which device) did what, at which
//! site, to which target, when, from which address, and how it ended.
//!
//! Entries come from the HTTP edge (`http::audit`, a middleware on every
//! state-changing request made with a staff or device token, API and pages
//! alike, and on the two login forms), so no action can be left out by a
//! handler that forgets. They hold no citizen's personal data: actors are
//! usernames and device ids, targets are the ids and references of the
//! request's path (never a body, a query string or a token).
//!
//! Recording never makes a request wait on the database: an entry is
//! queued in memory and one writer task per instance inserts what is
//! queued in one transaction. It looks up, before writing, what the
//! request did not know: the site of the counter, ticket or reference an
//! admin acted on, and whether a login's name is an account (a name that is
//! none is recorded as `unknown`, since people type passwords there). A
//! reader flushes this instance's queue first, so it sees its own actions.
//! An instance that crashes loses the entries of its last moments. The
//! command line records its own actions at once (`console`).

use super::{App, AppError, AppResult, auth::Principal};
use crate::domain::Invalid;
use crate::domain::role::Role;
/// What an entry's site is looked up from (a counter, a ticket, …).
pub use crate::store::audit::Owner;
use crate::store::{
    self,
    audit::{AuditFilter, AuditRow},
};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use utoipa::ToSchema;

/// Entries written in one transaction at most.
const BATCH: usize = 256;
/// Entries on one page of the log.
const PAGE: i64 = 50;

/// An entry as the HTTP edge knows it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub at: i64,
    pub actor: Actor,
    pub site: Option<String>,
    pub action: String,
    pub target: Option<String>,
    /// The thing acted on, when the site must be looked up from it.
    pub owner: Option<(Owner, String)>,
    pub client_ip: Option<String>,
    pub status: u16,
}

/// Who acted.
#[derive(Debug, Clone)]
pub enum Actor {
    Principal(Principal),
    /// A login under this name; recorded only if it is an account.
    Login(String),
}

enum Message {
    Entry(Box<Entry>),
    Flush(oneshot::Sender<()>),
}

/// The queue of entries to write, held by `App`.
#[derive(Debug)]
pub struct AuditLog {
    sender: mpsc::UnboundedSender<Message>,
    receiver: Mutex<Option<mpsc::UnboundedReceiver<Message>>>,
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Entry(entry) => std::fmt::Debug::fmt(entry, f),
            Self::Flush(_) => f.write_str("Flush"),
        }
    }
}

impl Default for AuditLog {
    fn default() -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        Self {
            sender,
            receiver: Mutex::new(Some(receiver)),
        }
    }
}

impl AuditLog {
    /// Queues an entry; never waits.
    pub fn record(&self, entry: Entry) {
        let _ = self.sender.send(Message::Entry(Box::new(entry)));
    }

    /// Waits until what was queued before is written (5 s at most).
    pub async fn flush(&self) {
        let (done, written) = oneshot::channel();
        if self.sender.send(Message::Flush(done)).is_ok() {
            let _ = tokio::time::timeout(Duration::from_secs(5), written).await;
        }
    }
}

/// The writer task of this instance: started once by `Server::run`.
pub async fn write_queued(app: Arc<App>) {
    let taken = crate::sync::lock(&app.audit.receiver).take();
    let Some(mut receiver) = taken else { return };
    let mut batch = Vec::new();
    let mut waiting = Vec::new();
    while let Some(first) = receiver.recv().await {
        let mut next = Some(first);
        while let Some(message) = next {
            match message {
                Message::Entry(entry) => batch.push(*entry),
                Message::Flush(done) => waiting.push(done),
            }
            next = match batch.len() < BATCH {
                true => receiver.try_recv().ok(),
                false => None,
            };
        }
        while !batch.is_empty() {
            match write(&app, &batch).await {
                Ok(()) => batch.clear(),
                Err(error) => {
                    tracing::warn!(%error, entries = batch.len(), "audit entries not written; will retry");
                    tokio::select! {
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = app.live.shutdown.cancelled() => batch.clear(),
                    }
                }
            }
        }
        waiting.drain(..).for_each(|done| {
            let _ = done.send(());
        });
    }
}

async fn write(app: &App, entries: &[Entry]) -> AppResult<()> {
    let mut rows = Vec::with_capacity(entries.len());
    for entry in entries {
        rows.push(resolve(app, entry).await?);
    }
    store::audit::write_all(&app.db, rows).await?;
    Ok(())
}

/// Records at once an action taken at the server's own command line
/// (`guichet user add`): its actor and role are `console`, it has no
/// client address, and its status is 0 (no HTTP answer).
pub async fn console(app: &App, action: &str, target: &str, site: Option<&str>) -> AppResult<()> {
    let row = AuditRow {
        id: 0,
        at: app.clock.now_ms(),
        actor: "console".to_owned(),
        actor_role: "console".to_owned(),
        site_id: site.map(str::to_owned),
        action: action.to_owned(),
        target: Some(target.to_owned()),
        client_ip: None,
        status: 0,
        outcome: "done".to_owned(),
    };
    let mut tx = app.db.begin().await?;
    store::audit::insert_all(&mut tx, &[row]).await?;
    tx.commit().await?;
    Ok(())
}

/// The row of an entry, with what had to be looked up.
async fn resolve(app: &App, entry: &Entry) -> AppResult<AuditRow> {
    let (actor, role, own_site) = match &entry.actor {
        Actor::Principal(Principal::User {
            username,
            role,
            site,
        }) => (username.clone(), role.as_str().to_owned(), site.clone()),
        Actor::Principal(Principal::Device { id, kind, site }) => {
            (id.clone(), kind.as_str().to_owned(), Some(site.clone()))
        }
        Actor::Principal(Principal::Province { username, .. }) => {
            (username.clone(), "province".to_owned(), None)
        }
        Actor::Principal(Principal::Citizen { .. }) => {
            ("citizen".to_owned(), "citizen".to_owned(), None)
        }
        Actor::Login(name) => match store::audit::account(&app.db, name).await? {
            Some((role, site)) => (name.clone(), role, site),
            None => ("unknown".to_owned(), "none".to_owned(), None),
        },
    };
    // The path's site; else the actor's own, unless refused (they may have
    // tried another site's); else that of the thing acted on.
    let site = match (&entry.site, &entry.owner) {
        (Some(site), _) => Some(site.clone()),
        (None, _) if entry.status < 400 && own_site.is_some() => own_site,
        (None, Some((owner, key))) => store::audit::site_of(&app.db, *owner, key)
            .await?
            .or(own_site),
        (None, None) => own_site,
    };
    Ok(AuditRow {
        id: 0,
        at: entry.at,
        actor,
        actor_role: role,
        site_id: site,
        action: entry.action.clone(),
        target: entry.target.clone(),
        client_ip: entry.client_ip.clone(),
        status: i64::from(entry.status),
        outcome: match entry.status {
            0..=399 => "done",
            400..=499 => "refused",
            _ => "failed",
        }
        .to_owned(),
    })
}

/// What a reader asks for (`GET /api/v1/audit`, `/admin/audit`).
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// A site id; a supervisor may only name their own (the default).
    pub site: Option<String>,
    /// A username or device id.
    pub actor: Option<String>,
    /// From this day (`YYYY-MM-DD`, UTC) or instant (RFC 3339), included.
    pub from: Option<String>,
    /// To this day (included) or instant (excluded).
    pub to: Option<String>,
    /// The `next` of the previous page.
    pub before: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    pub role: String,
    pub site: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub client_ip: Option<String>,
    pub status: i64,
    /// `done`, `refused` or `failed`.
    pub outcome: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntryView>,
    /// Pass as `before` for the next, older, page; absent on the last.
    pub next: Option<i64>,
}

/// A page of the log: admins read all of it, supervisors their own site's.
pub async fn list(app: &App, who: &Principal, query: &AuditQuery) -> AppResult<AuditPage> {
    let site = match who {
        Principal::User {
            role: Role::Admin, ..
        } => query.site.clone().filter(|s| !s.is_empty()),
        Principal::User {
            role: Role::Supervisor,
            site: Some(own),
            ..
        } => {
            let asked = query.site.as_deref().filter(|s| !s.is_empty());
            if asked.is_some_and(|site| site != own) {
                return Err(AppError::Forbidden("supervisors read their own site only"));
            }
            Some(own.clone())
        }
        _ => return Err(AppError::Forbidden("admins and supervisors only")),
    };
    let filter = AuditFilter {
        site,
        actor: query.actor.clone().filter(|a| !a.is_empty()),
        from: bound("from", query.from.as_deref(), false)?,
        to: bound("to", query.to.as_deref(), true)?,
        before: query.before,
        limit: PAGE + 1,
    };
    app.audit.flush().await;
    let mut rows = store::audit::list(&app.db, &filter).await?;
    let next = (rows.len() as i64 > PAGE).then(|| {
        rows.truncate(PAGE as usize);
        rows.last().map_or(0, |r| r.id)
    });
    Ok(AuditPage {
        entries: rows.into_iter().map(view).collect(),
        next,
    })
}

/// A day (its start, or for an end the next day's start) or an instant, in
/// Unix milliseconds; empty is no bound.
fn bound(field: &'static str, value: Option<&str>, end: bool) -> AppResult<Option<i64>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let wrong = || Invalid::new(field, "a day (2026-03-02) or an instant (RFC 3339)");
    if let Ok(day) = value.parse::<jiff::civil::Date>() {
        let day = match end {
            true => day.tomorrow().map_err(|_| wrong())?,
            false => day,
        };
        let at = day.to_zoned(jiff::tz::TimeZone::UTC).map_err(|_| wrong())?;
        return Ok(Some(at.timestamp().as_millisecond()));
    }
    let at: jiff::Timestamp = value.parse().map_err(|_| wrong())?;
    Ok(Some(at.as_millisecond()))
}

fn view(row: AuditRow) -> AuditEntryView {
    AuditEntryView {
        at: jiff::Timestamp::from_millisecond(row.at)
            .map(|t| t.to_string())
            .unwrap_or_default(),
        id: row.id,
        actor: row.actor,
        role: row.actor_role,
        site: row.site_id,
        action: row.action,
        target: row.target,
        client_ip: row.client_ip,
        status: row.status,
        outcome: row.outcome,
    }
}
