//! The statements of the queue's hot transactions (issue, call, act on a
//! ticket), behind one trait so that each use case is written once.
//!
//! On PostgreSQL the trait runs on a sqlx transaction. On SQLite it runs on
//! the writer connection's raw handle through SQLite's C API (`direct`):
//! the whole transaction costs one trip to the connection instead of one
//! per statement, which is what bounds a single SQLite writer driven from
//! async code.

use super::counters::CounterRow;
use super::events::{EventRow, NewEvent};
use super::tickets::TicketRow;
use super::{Conn, StoreError, Tx, counters, events, tickets};

/// The heads of a queue: (due check-ins and priority, normal).
pub type Heads = (Option<TicketRow>, Option<TicketRow>);

/// A counter's columns and its active ticket's number.
type CounterWithActive = (
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    Option<String>,
);

#[allow(async_fn_in_trait)]
pub trait QueueTx {
    async fn next_number(
        &mut self,
        site: &str,
        service: &str,
        day: &str,
        now: i64,
    ) -> Result<(i64, i64), StoreError>;
    async fn insert_ticket(&mut self, ticket: &TicketRow) -> Result<(), StoreError>;
    async fn update_ticket(&mut self, ticket: &TicketRow) -> Result<(), StoreError>;
    async fn ticket_for_update(&mut self, id: &str) -> Result<Option<TicketRow>, StoreError>;
    async fn waiting_of(&mut self, site: &str, service: &str) -> Result<i64, StoreError>;
    async fn ahead_of(&mut self, ticket: &TicketRow) -> Result<i64, StoreError>;
    /// The heads of a counter's queue, locked: the oldest due check-in or
    /// priority ticket, and the oldest normal one.
    async fn heads(
        &mut self,
        site: &str,
        services: &[String],
        now: i64,
    ) -> Result<Heads, StoreError>;
    /// The counter, locked, with the number of the ticket it has called or
    /// is serving, if any.
    async fn counter_for_call(
        &mut self,
        id: &str,
    ) -> Result<Option<(CounterRow, Option<String>)>, StoreError>;
    async fn lock_priority_streak(&mut self, site: &str) -> Result<i64, StoreError>;
    async fn set_priority_streak(&mut self, site: &str, streak: i64) -> Result<(), StoreError>;
    async fn append_all(
        &mut self,
        site: &str,
        at: i64,
        events: &[NewEvent<'_>],
    ) -> Result<Vec<EventRow>, StoreError>;
}

impl QueueTx for Tx {
    async fn next_number(
        &mut self,
        site: &str,
        service: &str,
        day: &str,
        now: i64,
    ) -> Result<(i64, i64), StoreError> {
        Ok(tickets::next_number(self, site, service, day, now).await?)
    }
    async fn insert_ticket(&mut self, ticket: &TicketRow) -> Result<(), StoreError> {
        Ok(tickets::insert(self, ticket).await?)
    }
    async fn update_ticket(&mut self, ticket: &TicketRow) -> Result<(), StoreError> {
        Ok(tickets::update(self, ticket).await?)
    }
    async fn ticket_for_update(&mut self, id: &str) -> Result<Option<TicketRow>, StoreError> {
        Ok(tickets::get_for_update(self, id).await?)
    }
    async fn waiting_of(&mut self, site: &str, service: &str) -> Result<i64, StoreError> {
        Ok(tickets::waiting_of(self, site, service).await?)
    }
    async fn ahead_of(&mut self, ticket: &TicketRow) -> Result<i64, StoreError> {
        Ok(tickets::ahead_of(Conn::Tx(self), ticket).await?)
    }
    async fn heads(
        &mut self,
        site: &str,
        services: &[String],
        now: i64,
    ) -> Result<Heads, StoreError> {
        if let Tx::Postgres(pg) = self {
            // Both heads in one round trip.
            let lock = " FOR UPDATE SKIP LOCKED";
            let sql = format!(
                "WITH a AS ({}), n AS ({}) SELECT * FROM a UNION ALL SELECT * FROM n",
                tickets::head_sql(services.len(), false, lock),
                tickets::head_sql(services.len(), true, lock)
            );
            let mut query = sqlx::query_as::<_, TicketRow>(&sql).bind(site).bind(now);
            for service in services {
                query = query.bind(service);
            }
            let rows = query.fetch_all(&mut **pg).await?;
            let (normal, ahead): (Vec<TicketRow>, Vec<TicketRow>) =
                rows.into_iter().partition(|t| t.priority == "normal");
            return Ok((ahead.into_iter().next(), normal.into_iter().next()));
        }
        let ahead = tickets::head(self, site, services, false, now).await?;
        let normal = tickets::head(self, site, services, true, now).await?;
        Ok((ahead, normal))
    }
    async fn counter_for_call(
        &mut self,
        id: &str,
    ) -> Result<Option<(CounterRow, Option<String>)>, StoreError> {
        if let Tx::Postgres(pg) = self {
            // The lock and the check in one round trip.
            let row: Option<CounterWithActive> = sqlx::query_as(
                "SELECT c.id, c.site_id, c.label, c.state, c.agent, c.state_since, c.created_at,
                    (SELECT t.number FROM tickets t
                     WHERE t.counter_id = c.id AND t.status IN ('called', 'serving') LIMIT 1)
                 FROM counters c WHERE c.id = $1 FOR UPDATE OF c",
            )
            .bind(id)
            .fetch_optional(&mut **pg)
            .await?;
            return Ok(row.map(
                |(id, site_id, label, state, agent, state_since, created_at, active)| {
                    let counter = CounterRow {
                        id,
                        site_id,
                        label,
                        state,
                        agent,
                        state_since,
                        created_at,
                    };
                    (counter, active)
                },
            ));
        }
        let Some(counter) = counters::get_for_update(self, id).await? else {
            return Ok(None);
        };
        let active = tickets::active_at_counter(self, &counter.id).await?;
        Ok(Some((counter, active)))
    }
    async fn lock_priority_streak(&mut self, site: &str) -> Result<i64, StoreError> {
        Ok(events::lock_priority_streak(self, site).await?)
    }
    async fn set_priority_streak(&mut self, site: &str, streak: i64) -> Result<(), StoreError> {
        Ok(events::set_priority_streak(self, site, streak).await?)
    }
    async fn append_all(
        &mut self,
        site: &str,
        at: i64,
        events: &[NewEvent<'_>],
    ) -> Result<Vec<EventRow>, StoreError> {
        Ok(events::append_all(self, site, at, events).await?)
    }
}
