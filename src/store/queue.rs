//! The one way to write the queue: `transaction(db, |t| …)` runs a
//! synchronous body against `QueueTx` in one transaction, committed when
//! the body returns `Ok` and rolled back otherwise.
//!
//! The body is a plain closure (`FnOnce(&mut QueueTx) -> Result<T, E> +
//! Send + 'static`) and every `QueueTx` operation is a plain method, so a
//! body cannot await anything: waiting for another connection, a lock of
//! the process or the network inside a queue transaction does not compile.
//!
//! - On SQLite the body runs on the writer thread of `direct`, in one trip,
//!   with the statements run through SQLite's C API: this is what keeps the
//!   single writer busy only for the time SQLite itself takes.
//! - On PostgreSQL the transaction is opened from the pool, then the body
//!   runs on `tokio::task::spawn_blocking`, where each operation waits for
//!   its sqlx statement on the open transaction with `Handle::block_on`
//!   (which works under both the multi-thread and the current-thread
//!   runtime, unlike `block_in_place`); the transaction is committed back
//!   on the async side.

use super::direct::{self, DirectTx};
use super::events::{EventRow, NewEvent};
use super::queue_tx::{CounterAndStreak, Heads, Statements};
use super::tickets::TicketRow;
use super::{Db, StoreError, Tx};
use tokio::runtime::Handle;

/// An open queue transaction, on either backend.
pub struct QueueTx<'a>(Inner<'a>);

enum Inner<'a> {
    Sqlite(DirectTx<'a>),
    Postgres { tx: &'a mut Tx, runtime: Handle },
}

/// Runs `work` in one queue transaction: on SQLite on the writer thread of
/// `direct`, on PostgreSQL on a blocking thread over a pooled transaction.
/// It commits if `work` returns `Ok` and changes nothing otherwise. `work`
/// owns what it uses; a panic in it is the caller's.
pub async fn transaction<T, E, F>(db: &Db, work: F) -> Result<T, E>
where
    F: FnOnce(&mut QueueTx<'_>) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    match db {
        Db::Sqlite { direct, .. } => {
            direct::transaction(direct, move |t| work(&mut QueueTx(Inner::Sqlite(*t)))).await
        }
        Db::Postgres(_) => {
            let mut tx = db.begin().await?;
            let runtime = Handle::current();
            let ran = tokio::task::spawn_blocking(move || {
                let value = work(&mut QueueTx(Inner::Postgres {
                    tx: &mut tx,
                    runtime,
                }));
                (tx, value)
            })
            .await;
            let (tx, value) = match ran {
                Ok(ran) => ran,
                Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
                Err(_) => return Err(StoreError::NotFound("queue transaction").into()),
            };
            let value = value?;
            tx.commit().await?;
            Ok(value)
        }
    }
}

/// Runs one operation: directly on SQLite, or by waiting on PostgreSQL
/// for the statement of `Statements` on the open transaction.
macro_rules! each {
    ($self:ident, |$d:ident| $direct:expr, |$p:ident| $pooled:expr) => {
        match &mut $self.0 {
            Inner::Sqlite($d) => $direct,
            Inner::Postgres { tx: $p, runtime } => runtime.block_on($pooled),
        }
    };
}

impl QueueTx<'_> {
    /// The next number of a service's day, and the instant it was taken.
    pub fn next_number(
        &mut self,
        site: &str,
        service: &str,
        day: &str,
        now: i64,
    ) -> Result<(i64, i64), StoreError> {
        each!(self, |d| d.next_number(site, service, day, now), |p| p
            .next_number(site, service, day, now))
    }

    pub fn update_ticket(&mut self, ticket: &TicketRow) -> Result<(), StoreError> {
        each!(self, |d| d.update_ticket(ticket), |p| p
            .update_ticket(ticket))
    }

    /// The ticket, locked.
    pub fn ticket_for_update(&mut self, id: &str) -> Result<Option<TicketRow>, StoreError> {
        each!(self, |d| d.ticket_for_update(id), |p| p
            .ticket_for_update(id))
    }

    /// The tickets waiting in a service.
    pub fn waiting_of(&mut self, site: &str, service: &str) -> Result<i64, StoreError> {
        each!(self, |d| d.waiting_of(site, service), |p| p
            .waiting_of(site, service))
    }

    /// The tickets waiting ahead of `ticket` in its service.
    pub fn ahead_of(&mut self, ticket: &TicketRow) -> Result<i64, StoreError> {
        each!(self, |d| d.ahead_of(ticket), |p| p.ahead_of(ticket))
    }

    /// The heads of a counter's queue, locked: the oldest due check-in or
    /// priority ticket, and the oldest normal one.
    pub fn heads(
        &mut self,
        site: &str,
        services: &[String],
        now: i64,
    ) -> Result<Heads, StoreError> {
        each!(self, |d| d.heads(site, services, now), |p| p
            .heads(site, services, now))
    }

    /// Appends the site's events with its next `seq`s.
    pub fn append_all(
        &mut self,
        site: &str,
        at: i64,
        events: &[NewEvent<'_>],
    ) -> Result<Vec<EventRow>, StoreError> {
        each!(self, |d| d.append_all(site, at, events), |p| p
            .append_all(site, at, events))
    }

    /// Moves an appointment from status `from` to `to`; `false` if it was
    /// no longer in `from`.
    pub fn set_appointment_status(
        &mut self,
        id: &str,
        from: &str,
        to: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        each!(self, |d| d.set_appointment_status(id, from, to, now), |p| p
            .set_appointment_status(id, from, to, now))
    }

    /// Inserts a new waiting ticket; returns its service's waiting count,
    /// the new ticket included.
    pub fn insert_waiting_ticket(&mut self, ticket: &TicketRow) -> Result<i64, StoreError> {
        each!(
            self,
            |d| {
                d.insert_ticket(ticket)?;
                d.waiting_of(&ticket.site_id, &ticket.service_id)
            },
            |p| p.insert_waiting_ticket(ticket)
        )
    }

    /// Writes a ticket that was waiting in its service and no longer is;
    /// returns the service's waiting count after.
    pub fn update_ticket_left_waiting(&mut self, ticket: &TicketRow) -> Result<i64, StoreError> {
        each!(
            self,
            |d| {
                d.update_ticket(ticket)?;
                d.waiting_of(&ticket.site_id, &ticket.service_id)
            },
            |p| p.update_ticket_left_waiting(ticket)
        )
    }

    /// The counter, locked, with the number of the ticket it has called or
    /// is serving, then the site's fairness streak, locked, in that order.
    pub fn counter_and_streak(&mut self, id: &str) -> Result<Option<CounterAndStreak>, StoreError> {
        each!(
            self,
            |d| {
                let Some((counter, active)) = d.counter_for_call(id)? else {
                    return Ok(None);
                };
                let streak = d.lock_priority_streak(&counter.site_id)?;
                Ok(Some((counter, active, streak)))
            },
            |p| p.counter_and_streak(id)
        )
    }

    /// Sets the site's fairness streak and appends events.
    pub fn append_all_with_streak(
        &mut self,
        site: &str,
        at: i64,
        streak: i64,
        events: &[NewEvent<'_>],
    ) -> Result<Vec<EventRow>, StoreError> {
        each!(
            self,
            |d| {
                d.set_priority_streak(site, streak)?;
                d.append_all(site, at, events)
            },
            |p| p.append_all_with_streak(site, at, streak, events)
        )
    }
}
