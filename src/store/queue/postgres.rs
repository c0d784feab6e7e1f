//! The queue's operations on PostgreSQL, for `QueueTx` to wait on: most are
//! the store's own functions; these are the ones that take one round trip
//! where SQLite, in `direct`, runs two statements.

use super::{CounterAndStreak, Heads};
use crate::domain::ticket::Priority;
use crate::store::counters::{self, CounterRow};
use crate::store::events::{self, Along, EventRow, NewEvent};
use crate::store::rows::execute;
use crate::store::tickets::{self, TicketRow};
use crate::store::{Conn, StoreError, Tx, appointments};
use sqlx::{FromRow, PgConnection, Row};

/// The connection of a transaction that `queue::transaction` opened on
/// PostgreSQL: SQLite's queue statements never come here.
fn postgres(tx: &mut Tx) -> &mut PgConnection {
    match tx {
        Tx::Postgres(pg) => pg,
        Tx::Sqlite(_) => unreachable!("the queue's SQLite statements run in `direct`"),
    }
}

pub async fn ahead_of(tx: &mut Tx, ticket: &TicketRow) -> Result<i64, StoreError> {
    tickets::ahead_of(Conn::Tx(tx), ticket).await
}

pub async fn set_appointment_status(
    tx: &mut Tx,
    id: &str,
    from: &str,
    to: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let changed = execute!(tx, appointments::SET_STATUS, id, from, to, now)?;
    Ok(changed == 1)
}

pub async fn insert_waiting_ticket(tx: &mut Tx, ticket: &TicketRow) -> Result<i64, StoreError> {
    tickets::insert_waiting_postgres(postgres(tx), ticket).await
}

pub async fn update_ticket_left_waiting(
    tx: &mut Tx,
    ticket: &TicketRow,
) -> Result<i64, StoreError> {
    tickets::update_left_waiting_postgres(postgres(tx), ticket).await
}

/// The counter, then the site's sequence row, locked in the order every
/// call locks them, in one round trip. A plain row lock, not an update:
/// the site's row is the busiest of all, and each update would leave a
/// dead version. Nothing else is read here: this statement's snapshot
/// predates any wait for the locks (`active_at`).
pub async fn counter_and_streak(
    tx: &mut Tx,
    id: &str,
) -> Result<Option<CounterAndStreak>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        counter: CounterRow,
        streak: i64,
    }
    let row: Option<Row> = sqlx::query_as(
        "WITH c AS (SELECT id, site_id, label, state, agent, state_since, created_at
                    FROM counters WHERE id = $1 FOR UPDATE),
              s AS (SELECT priority_streak FROM site_sequences
                    WHERE site_id = (SELECT site_id FROM c) FOR UPDATE)
         SELECT c.id, c.site_id, c.label, c.state, c.agent, c.state_since, c.created_at,
             COALESCE((SELECT priority_streak FROM s), 0) AS streak
         FROM c",
    )
    .bind(id)
    .fetch_optional(postgres(tx))
    .await?;
    Ok(row.map(|r| (r.counter, r.streak)))
}

pub async fn active_at(tx: &mut Tx, counter: &str) -> Result<Option<String>, StoreError> {
    tickets::active_at_counter(tx, counter).await
}

/// Both heads, locked, and the counter's active ticket, in one round trip:
/// a statement that starts once the counter is locked, so it sees every
/// call committed before.
pub async fn heads_and_active(
    tx: &mut Tx,
    site: &str,
    services: &[String],
    now: i64,
    counter: &str,
) -> Result<(Heads, Option<String>), StoreError> {
    // A counter known here without services (settings read before it got
    // them): nobody to call, and `IN ()` is not PostgreSQL.
    if services.is_empty() {
        return Ok(((None, None), active_at(tx, counter).await?));
    }
    let lock = " FOR UPDATE SKIP LOCKED";
    let sql = format!(
        "WITH a AS ({}), n AS ({})
         SELECT h.*, x.active FROM (SELECT ({}) AS active) x
         LEFT JOIN (SELECT * FROM a UNION ALL SELECT * FROM n) h ON true",
        tickets::head_sql(services.len(), false, lock),
        tickets::head_sql(services.len(), true, lock),
        // Its one parameter, the counter, comes after the services.
        tickets::ACTIVE_AT_COUNTER.replace("$1", &format!("${}", services.len() + 3))
    );
    let mut query = sqlx::query(&sql).bind(site).bind(now);
    for service in services {
        query = query.bind(service);
    }
    let rows = query.bind(counter).fetch_all(postgres(tx)).await?;
    let mut active = None;
    let (mut ahead, mut normal) = (None, None);
    for row in &rows {
        active = row.try_get("active")?;
        if row.try_get::<Option<String>, _>("id")?.is_none() {
            continue;
        }
        let ticket = TicketRow::from_row(row)?;
        match ticket.priority {
            Priority::Normal => normal = Some(ticket),
            _ => ahead = Some(ticket),
        }
    }
    Ok(((ahead, normal), active))
}

pub async fn counter_locked(
    tx: &mut Tx,
    id: &str,
) -> Result<Option<(CounterRow, Option<String>)>, StoreError> {
    let Some(counter) = counters::get_for_update(tx, id).await? else {
        return Ok(None);
    };
    let active = tickets::active_at_counter(tx, &counter.id).await?;
    Ok(Some((counter, active)))
}

pub async fn counter_held_by(tx: &mut Tx, agent: &str) -> Result<Option<String>, StoreError> {
    counters::held_by(tx, agent).await
}

pub async fn update_counter_appending(
    tx: &mut Tx,
    counter: &CounterRow,
    at: i64,
    events: &[NewEvent<'_>],
) -> Result<Vec<EventRow>, StoreError> {
    counters::update(tx, counter).await?;
    events::append_all(tx, &counter.site_id, at, events).await
}

pub async fn append_all_with_streak(
    tx: &mut Tx,
    site: &str,
    at: i64,
    streak: i64,
    events: &[NewEvent<'_>],
) -> Result<Vec<EventRow>, StoreError> {
    events::append_all_postgres(postgres(tx), site, at, events, Along::Streak(streak)).await
}

pub async fn update_ticket_appending(
    tx: &mut Tx,
    ticket: &TicketRow,
    at: i64,
    events: &[NewEvent<'_>],
) -> Result<Vec<EventRow>, StoreError> {
    let along = Along::Ticket(ticket);
    events::append_all_postgres(postgres(tx), &ticket.site_id, at, events, along).await
}

pub async fn use_otp(tx: &mut Tx, id: &str, now: i64) -> Result<bool, StoreError> {
    crate::store::otp::consume(tx, id, now).await
}
