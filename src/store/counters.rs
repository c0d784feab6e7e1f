//! Counters (guichets), the services each handles in order of preference,
//! and who works at them.

use super::StoreError;
use super::rows::{self, execute};
use super::{Db, Tx};
use crate::{read, write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CounterRow {
    pub id: String,
    pub site_id: String,
    pub label: String,
    /// `open`, `paused` or `closed`.
    pub state: String,
    pub agent: Option<String>,
    pub state_since: i64,
    pub created_at: i64,
}

pub(crate) const COLUMNS: &str = "id, site_id, label, state, agent, state_since, created_at";

pub async fn get(db: &Db, id: &str) -> Result<Option<CounterRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM counters WHERE id = $1");
    rows::one(db, &sql, id).await
}

pub async fn get_for_update(tx: &mut Tx, id: &str) -> Result<Option<CounterRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM counters WHERE id = $1");
    rows::locked(tx, &sql, id).await
}

pub async fn list(db: &Db, site: &str) -> Result<Vec<CounterRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM counters WHERE site_id = $1 ORDER BY id");
    rows::all(db, &sql, site).await
}

/// The service ids a counter handles, most preferred first.
pub async fn services(db: &Db, counter: &str) -> Result<Vec<String>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_scalar(
            "SELECT service_id FROM counter_services WHERE counter_id = $1 ORDER BY rank",
        )
        .bind(counter)
        .fetch_all(c)
        .await
    })?)
}

/// `(counter_id, service_id)` pairs of a site's counters, in rank order.
pub async fn services_of_site(db: &Db, site: &str) -> Result<Vec<(String, String)>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as("SELECT counter_id, service_id FROM counter_services WHERE site_id = $1 ORDER BY counter_id, rank")
            .bind(site)
            .fetch_all(c)
            .await
    })?)
}

pub async fn insert(tx: &mut Tx, counter: &CounterRow) -> Result<(), StoreError> {
    let sql = format!("INSERT INTO counters ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
    execute!(
        tx,
        &sql,
        &counter.id,
        &counter.site_id,
        &counter.label,
        &counter.state,
        &counter.agent,
        counter.state_since,
        counter.created_at
    )?;
    Ok(())
}

/// Writes label, state and agent of an existing counter.
pub(crate) const UPDATE: &str =
    "UPDATE counters SET label = $2, state = $3, agent = $4, state_since = $5 WHERE id = $1";

/// The counter an agent holds.
pub(crate) const HELD_BY: &str = "SELECT id FROM counters WHERE agent = $1";

/// Writes label, state and agent of an existing counter.
pub async fn update(tx: &mut Tx, counter: &CounterRow) -> Result<(), StoreError> {
    execute!(
        tx,
        UPDATE,
        &counter.id,
        &counter.label,
        &counter.state,
        &counter.agent,
        counter.state_since
    )?;
    Ok(())
}

/// Replaces the services of a counter, keeping their order as rank.
pub async fn set_services(
    tx: &mut Tx,
    counter: &CounterRow,
    services: &[String],
) -> Result<(), StoreError> {
    execute!(
        tx,
        "DELETE FROM counter_services WHERE counter_id = $1",
        &counter.id
    )?;
    for (rank, service) in services.iter().enumerate() {
        execute!(
            tx,
            "INSERT INTO counter_services (counter_id, site_id, service_id, rank) VALUES ($1, $2, $3, $4)",
            &counter.id,
            &counter.site_id,
            service,
            rank as i64
        )?;
    }
    Ok(())
}

/// The counter an agent holds, if any.
pub async fn held_by(tx: &mut Tx, agent: &str) -> Result<Option<String>, StoreError> {
    Ok(write!(tx, |c| {
        sqlx::query_scalar(HELD_BY)
            .bind(agent)
            .fetch_optional(c)
            .await
    })?)
}

/// A counter read inside a write transaction (its own writes visible).
pub async fn get_in(tx: &mut Tx, id: &str) -> Result<Option<CounterRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM counters WHERE id = $1");
    Ok(write!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)?)
}
