//! The statements of the queue's hot transactions (issue, call, act on a
//! ticket) on a sqlx transaction: `Statements`, which `queue::QueueTx`
//! waits for on PostgreSQL, one statement (or one compound round trip) at
//! a time. SQLite's are the same SQL through its C API, in `direct`.

use super::counters::CounterRow;
use super::events::{EventRow, NewEvent};
use super::rows::execute;
use super::tickets::TicketRow;
use super::{Conn, StoreError, Tx, appointments, counters, events, tickets};
use crate::domain::ticket::Priority;

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
pub(super) trait Statements {
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
    /// Moves an appointment from status `from` to `to`; `false` if it was
    /// no longer in `from`.
    async fn set_appointment_status(
        &mut self,
        id: &str,
        from: &str,
        to: &str,
        now: i64,
    ) -> Result<bool, StoreError>;

    // Compound steps: each a sequence of the statements above, which
    // PostgreSQL overrides with a single statement (one round trip).

    /// Inserts a new waiting ticket; returns its service's waiting count,
    /// the new ticket included.
    async fn insert_waiting_ticket(&mut self, ticket: &TicketRow) -> Result<i64, StoreError> {
        write_then_count(self, ticket, true).await
    }
    /// Writes a ticket that was waiting in its service and no longer is;
    /// returns the service's waiting count after.
    async fn update_ticket_left_waiting(&mut self, ticket: &TicketRow) -> Result<i64, StoreError> {
        write_then_count(self, ticket, false).await
    }
    /// `counter_for_call`, then the site's fairness streak, locked, in that
    /// order.
    async fn counter_and_streak(
        &mut self,
        id: &str,
    ) -> Result<Option<CounterAndStreak>, StoreError> {
        counter_then_streak(self, id).await
    }
    /// Sets the site's fairness streak and appends events.
    async fn append_all_with_streak(
        &mut self,
        site: &str,
        at: i64,
        streak: i64,
        events: &[NewEvent<'_>],
    ) -> Result<Vec<EventRow>, StoreError> {
        self.set_priority_streak(site, streak).await?;
        self.append_all(site, at, events).await
    }
}

/// A counter, the number of its active ticket, and its site's streak.
pub type CounterAndStreak = (CounterRow, Option<String>, i64);

/// Inserts (`new`) or updates a ticket, then counts its service's waiting
/// tickets: two statements.
async fn write_then_count<T: Statements + ?Sized>(
    t: &mut T,
    ticket: &TicketRow,
    new: bool,
) -> Result<i64, StoreError> {
    if new {
        t.insert_ticket(ticket).await?;
    } else {
        t.update_ticket(ticket).await?;
    }
    t.waiting_of(&ticket.site_id, &ticket.service_id).await
}

async fn counter_then_streak<T: Statements + ?Sized>(
    t: &mut T,
    id: &str,
) -> Result<Option<CounterAndStreak>, StoreError> {
    let Some((counter, active)) = t.counter_for_call(id).await? else {
        return Ok(None);
    };
    let streak = t.lock_priority_streak(&counter.site_id).await?;
    Ok(Some((counter, active, streak)))
}

impl Statements for Tx {
    async fn next_number(
        &mut self,
        site: &str,
        service: &str,
        day: &str,
        now: i64,
    ) -> Result<(i64, i64), StoreError> {
        tickets::next_number(self, site, service, day, now).await
    }
    async fn insert_ticket(&mut self, ticket: &TicketRow) -> Result<(), StoreError> {
        tickets::insert(self, ticket).await
    }
    async fn update_ticket(&mut self, ticket: &TicketRow) -> Result<(), StoreError> {
        tickets::update(self, ticket).await
    }
    async fn ticket_for_update(&mut self, id: &str) -> Result<Option<TicketRow>, StoreError> {
        tickets::get_for_update(self, id).await
    }
    async fn waiting_of(&mut self, site: &str, service: &str) -> Result<i64, StoreError> {
        tickets::waiting_of(self, site, service).await
    }
    async fn ahead_of(&mut self, ticket: &TicketRow) -> Result<i64, StoreError> {
        tickets::ahead_of(Conn::Tx(self), ticket).await
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
            let (normal, ahead): (Vec<TicketRow>, Vec<TicketRow>) = rows
                .into_iter()
                .partition(|t| t.priority == Priority::Normal);
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
            return Ok(row.map(counter_with_active));
        }
        let Some(counter) = counters::get_for_update(self, id).await? else {
            return Ok(None);
        };
        let active = tickets::active_at_counter(self, &counter.id).await?;
        Ok(Some((counter, active)))
    }
    async fn lock_priority_streak(&mut self, site: &str) -> Result<i64, StoreError> {
        events::lock_priority_streak(self, site).await
    }
    async fn set_priority_streak(&mut self, site: &str, streak: i64) -> Result<(), StoreError> {
        events::set_priority_streak(self, site, streak).await
    }
    async fn append_all(
        &mut self,
        site: &str,
        at: i64,
        events: &[NewEvent<'_>],
    ) -> Result<Vec<EventRow>, StoreError> {
        events::append_all(self, site, at, events).await
    }
    async fn set_appointment_status(
        &mut self,
        id: &str,
        from: &str,
        to: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let changed = execute!(self, appointments::SET_STATUS, id, from, to, now)?;
        Ok(changed == 1)
    }
    async fn insert_waiting_ticket(&mut self, ticket: &TicketRow) -> Result<i64, StoreError> {
        if let Tx::Postgres(pg) = self {
            return tickets::insert_waiting_postgres(pg, ticket).await;
        }
        write_then_count(self, ticket, true).await
    }
    async fn update_ticket_left_waiting(&mut self, ticket: &TicketRow) -> Result<i64, StoreError> {
        if let Tx::Postgres(pg) = self {
            return tickets::update_left_waiting_postgres(pg, ticket).await;
        }
        write_then_count(self, ticket, false).await
    }
    async fn counter_and_streak(
        &mut self,
        id: &str,
    ) -> Result<Option<CounterAndStreak>, StoreError> {
        let Tx::Postgres(pg) = self else {
            return counter_then_streak(self, id).await;
        };
        // The counter, then the site's sequence row: the order every call
        // locks them in. A plain row lock, not an update: the site's row is
        // the busiest of all, and each update would leave a dead version.
        type Row = (
            String,
            String,
            String,
            String,
            Option<String>,
            i64,
            i64,
            Option<String>,
            i64,
        );
        let row: Option<Row> = sqlx::query_as(
            "WITH c AS (SELECT id, site_id, label, state, agent, state_since, created_at
                        FROM counters WHERE id = $1 FOR UPDATE),
                  s AS (SELECT priority_streak FROM site_sequences
                        WHERE site_id = (SELECT site_id FROM c) FOR UPDATE)
             SELECT c.id, c.site_id, c.label, c.state, c.agent, c.state_since, c.created_at,
                 (SELECT t.number FROM tickets t
                  WHERE t.counter_id = c.id AND t.status IN ('called', 'serving') LIMIT 1),
                 COALESCE((SELECT priority_streak FROM s), 0)
             FROM c",
        )
        .bind(id)
        .fetch_optional(&mut **pg)
        .await?;
        Ok(row.map(
            |(id, site, label, state, agent, since, created, active, streak)| {
                let (counter, active) =
                    counter_with_active((id, site, label, state, agent, since, created, active));
                (counter, active, streak)
            },
        ))
    }
    async fn append_all_with_streak(
        &mut self,
        site: &str,
        at: i64,
        streak: i64,
        events: &[NewEvent<'_>],
    ) -> Result<Vec<EventRow>, StoreError> {
        if let Tx::Postgres(pg) = self {
            return events::append_all_postgres(pg, site, at, events, Some(streak)).await;
        }
        self.set_priority_streak(site, streak).await?;
        self.append_all(site, at, events).await
    }
}

fn counter_with_active(
    (id, site_id, label, state, agent, state_since, created_at, active): CounterWithActive,
) -> (CounterRow, Option<String>) {
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
}
