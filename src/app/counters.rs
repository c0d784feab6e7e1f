//! Counters (guichets): their services, and opening, pausing and closing
//! them. An agent works at one counter at a time; the database's unique
//! index on `counters.agent` holds that even between instances.

use super::auth::Principal;
use super::{App, AppError, AppResult};
use crate::domain::event::{CounterState, SiteEvent};
use crate::domain::role::Role;
use crate::domain::{Invalid, parse_label, slug::Slug};
use crate::store::events::{EventRow, NewEvent};
use crate::store::{self, Tx, counters::CounterRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCounter {
    pub id: String,
    pub label: String,
    /// Service ids of the site, most preferred first.
    pub services: Vec<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CounterPatch {
    pub label: Option<String>,
    pub services: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CounterView {
    pub id: String,
    pub site: String,
    pub label: String,
    pub services: Vec<String>,
    /// `open`, `paused` or `closed`.
    pub state: String,
    /// The username of the agent working there.
    pub agent: Option<String>,
}

/// What an agent does to a counter's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterAction {
    Open,
    Pause,
    Close,
}

pub async fn create(
    app: &App,
    who: &Principal,
    site: &str,
    input: NewCounter,
) -> AppResult<CounterView> {
    who.require_staff(site, &[Role::Supervisor])?;
    super::sites::require(app, site).await?;
    let now = app.clock.now_ms();
    let row = CounterRow {
        id: Slug::parse("id", &input.id)?.to_string(),
        site_id: site.to_owned(),
        label: parse_label("label", &input.label, 40)?,
        state: "closed".to_owned(),
        agent: None,
        state_since: now,
        created_at: now,
    };
    let mut tx = app.db.begin().await?;
    let services = check_services(&mut tx, site, &input.services).await?;
    if store::counters::get_for_update(&mut tx, &row.id)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "counter_exists",
            format!("counter {} already exists", row.id),
        ));
    }
    store::counters::insert(&mut tx, &row).await.map_err(|e| {
        AppError::unless_conflict(e, || {
            AppError::conflict("counter_exists", "counter already exists")
        })
    })?;
    store::counters::set_services(&mut tx, &row, &services).await?;
    commit(app, tx, &row, who, now).await?;
    Ok(view(row, services))
}

pub async fn update(
    app: &App,
    who: &Principal,
    site: &str,
    id: &str,
    patch: CounterPatch,
) -> AppResult<CounterView> {
    who.require_staff(site, &[Role::Supervisor])?;
    let mut tx = app.db.begin().await?;
    let mut row = locked_counter(&mut tx, id).await?;
    if row.site_id != site {
        return Err(AppError::NotFound("counter"));
    }
    if let Some(label) = patch.label {
        row.label = parse_label("label", &label, 40)?;
    }
    if let Some(services) = &patch.services {
        let services = check_services(&mut tx, site, services).await?;
        store::counters::set_services(&mut tx, &row, &services).await?;
    }
    store::counters::update(&mut tx, &row).await?;
    commit(app, tx, &row, who, app.clock.now_ms()).await?;
    let services = store::counters::services(&app.db, id).await?;
    Ok(view(row, services))
}

/// Opens, pauses or closes a counter. Opening takes the counter for the
/// caller; only that person (or a supervisor) may pause or close it. It is
/// a queue transaction (`store::queue`): on SQLite the queue's writer runs
/// it in one go, so a morning of agents opening their counters at once
/// does not wait behind the queue for the write lock.
pub async fn set_state(
    app: &App,
    who: &Principal,
    id: &str,
    action: CounterAction,
) -> AppResult<CounterView> {
    let Some(username) = who.username().map(str::to_owned) else {
        return Err(AppError::Forbidden("only staff work at counters"));
    };
    let now = app.clock.now_ms();
    let (who, id) = (who.clone(), id.to_owned());
    let (row, events) = store::queue::transaction(&app.db, move |t| {
        let username = username.as_str();
        let (mut row, active) = t
            .counter_locked(&id)?
            .ok_or(AppError::NotFound("counter"))?;
        let next = transition(&who, username, &row, action)?;
        if next == "open" && row.agent.is_none() {
            if let Some(other) = t.counter_held_by(username)? {
                return Err(AppError::conflict(
                    "agent_busy",
                    format!("you already work at counter {other}; close it first"),
                ));
            }
            row.agent = Some(username.to_owned());
        }
        if next == "closed" {
            if let Some(number) = active {
                return Err(AppError::conflict(
                    "counter_busy",
                    format!("finish ticket {number} before closing"),
                ));
            }
            row.agent = None;
        }
        row.state = next.to_owned();
        row.state_since = now;
        let actor = who.actor();
        let changed = [NewEvent {
            actor: Some(&actor),
            event: changed(&row),
        }];
        let events = t
            .update_counter_appending(&row, now, &changed)
            .map_err(|e| {
                AppError::unless_conflict(e, || {
                    AppError::conflict("agent_busy", "you already work at another counter")
                })
            })?;
        Ok::<_, AppError>((row, events))
    })
    .await?;
    app.publish(events);
    forget_site(app, &row.site_id);
    let services = store::counters::services(&app.db, &row.id).await?;
    Ok(view(row, services))
}

/// The state `action` moves the counter to, if `who` may move it.
fn transition(
    who: &Principal,
    username: &str,
    row: &CounterRow,
    action: CounterAction,
) -> AppResult<&'static str> {
    who.require_staff(&row.site_id, &[Role::Agent, Role::Supervisor])?;
    let is_holder = row.agent.as_deref() == Some(username);
    let may_override = who.require_staff(&row.site_id, &[Role::Supervisor]).is_ok();
    if row.agent.is_some() && !is_holder && !(may_override && action == CounterAction::Close) {
        return Err(AppError::conflict(
            "counter_taken",
            "another agent works at this counter",
        ));
    }
    match (action, row.state.as_str()) {
        (CounterAction::Open, "closed" | "paused") => Ok("open"),
        (CounterAction::Pause, "open") => Ok("paused"),
        (CounterAction::Close, "open" | "paused") => Ok("closed"),
        (_, state) => Err(AppError::conflict(
            "invalid_transition",
            format!("the counter is {state}"),
        )),
    }
}

async fn locked_counter(tx: &mut Tx, id: &str) -> AppResult<CounterRow> {
    store::counters::get_for_update(tx, id)
        .await?
        .ok_or(AppError::NotFound("counter"))
}

/// Checks the list names distinct services of the site.
async fn check_services(tx: &mut Tx, site: &str, services: &[String]) -> AppResult<Vec<String>> {
    if services.is_empty() || services.len() > 50 {
        return Err(Invalid::new("services", "between 1 and 50 services").into());
    }
    let known = store::services::existing_ids(tx, site).await?;
    for (i, service) in services.iter().enumerate() {
        if !known.contains(service) {
            return Err(
                Invalid::new("services", format!("no service {service:?} at this site")).into(),
            );
        }
        if services[..i].contains(service) {
            return Err(Invalid::new("services", format!("{service} listed twice")).into());
        }
    }
    Ok(services.to_vec())
}

/// Appends `counter.changed` so screens and consoles follow; no names.
/// Commits a change to a counter with its `counter.changed` event, then
/// publishes the event and drops what this instance cached of the site.
async fn commit(
    app: &App,
    mut tx: Tx,
    row: &CounterRow,
    who: &Principal,
    now: i64,
) -> AppResult<()> {
    let event = announce(&mut tx, row, who, now).await?;
    tx.commit().await?;
    app.publish(vec![event]);
    forget_site(app, &row.site_id);
    Ok(())
}

/// Drops what this instance cached of the site its counters changed in.
fn forget_site(app: &App, site: &str) {
    app.caches.site_contexts.forget(site);
    app.caches.paces.forget(site);
}

async fn announce(tx: &mut Tx, row: &CounterRow, who: &Principal, now: i64) -> AppResult<EventRow> {
    let actor = who.actor();
    Ok(store::events::append(tx, &row.site_id, now, Some(&actor), changed(row)).await?)
}

/// `counter.changed`, for screens and consoles: no names.
fn changed(row: &CounterRow) -> SiteEvent {
    SiteEvent::CounterChanged {
        counter: CounterState {
            id: row.id.clone(),
            label: row.label.clone(),
            state: row.state.clone(),
        },
    }
}

fn view(row: CounterRow, services: Vec<String>) -> CounterView {
    CounterView {
        id: row.id,
        site: row.site_id,
        label: row.label,
        services,
        state: row.state,
        agent: row.agent,
    }
}
