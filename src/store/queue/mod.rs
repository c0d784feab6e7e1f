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
//!
//! `step(db, |t| …)` is for a body that reads one ticket and writes it
//! with its events: on PostgreSQL it first runs without a transaction
//! (`optimistic`), and again in one only if it needs more or the ticket
//! changed meanwhile. The body must therefore be safe to run twice: it
//! decides from what it reads, nothing else.

use super::counters::CounterRow;
use super::direct::{self, DirectTx};
use super::events::{self, EventRow, NewEvent};
use super::outbox::NewMessage;
use super::tickets::{self, TicketRow};
use super::{Db, StoreError, Tx};
use tokio::runtime::Handle;

mod optimistic;
mod postgres;

/// The heads of a queue: (due check-ins and priority, normal).
pub type Heads = (Option<TicketRow>, Option<TicketRow>);

/// A counter and its site's streak.
pub type CounterAndStreak = (CounterRow, i64);

/// An open queue transaction, on either backend.
pub struct QueueTx<'a>(Inner<'a>);

enum Inner<'a> {
    Sqlite(DirectTx<'a>),
    Postgres { tx: &'a mut Tx, runtime: Handle },
    Optimistic(&'a mut optimistic::Optimistic),
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

/// How a `step` was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    /// In a transaction, as always on SQLite.
    Transaction,
    /// On PostgreSQL, without a transaction.
    Unlocked,
    /// On PostgreSQL, in a transaction after the first run wrote nothing:
    /// the ticket had changed, or the body needed more.
    Retried,
}

impl Way {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transaction => "transaction",
            Self::Unlocked => "unlocked",
            Self::Retried => "retried",
        }
    }
}

/// Runs `work` as `transaction` does, but on PostgreSQL first without a
/// transaction: `work` may read one ticket (`ticket_for_update`, unlocked
/// then) and write it with its events (`update_ticket_appending`, applied
/// only if the ticket is still as read). If it asks for anything else, or
/// the ticket changed, nothing was written and `work` runs again in a
/// transaction. Says which way it went.
pub async fn step<T, E, F>(db: &Db, mut work: F) -> Result<(T, Way), E>
where
    F: FnMut(&mut QueueTx<'_>) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    let Db::Postgres(pool) = db else {
        return Ok((transaction(db, work).await?, Way::Transaction));
    };
    let conn = pool.acquire().await.map_err(StoreError::from)?;
    let runtime = Handle::current();
    let ran = tokio::task::spawn_blocking(move || {
        let mut optimistic = optimistic::Optimistic::new(conn, runtime);
        let value = work(&mut QueueTx(Inner::Optimistic(&mut optimistic)));
        (optimistic.retry(), value, work)
    })
    .await;
    match ran {
        Ok((false, value, _)) => Ok((value?, Way::Unlocked)),
        Ok((true, _, work)) => Ok((transaction(db, work).await?, Way::Retried)),
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => Err(StoreError::NotFound("queue transaction").into()),
    }
}

impl QueueTx<'_> {
    /// The ticket, locked (unlocked in a `step`, which writes it only if
    /// it is unchanged).
    pub fn ticket_for_update(&mut self, id: &str) -> Result<Option<TicketRow>, StoreError> {
        match &mut self.0 {
            Inner::Sqlite(direct) => direct.ticket_for_update(id),
            Inner::Postgres { tx, runtime } => runtime.block_on(tickets::get_for_update(tx, id)),
            Inner::Optimistic(o) => o.ticket(id),
        }
    }

    /// Writes a ticket read in the transaction and appends its site's
    /// events (one statement on PostgreSQL).
    pub fn update_ticket_appending(
        &mut self,
        ticket: &TicketRow,
        at: i64,
        events: &[NewEvent<'_>],
    ) -> Result<Vec<EventRow>, StoreError> {
        match &mut self.0 {
            Inner::Sqlite(direct) => direct.update_ticket_appending(ticket, at, events),
            Inner::Postgres { tx, runtime } => {
                runtime.block_on(postgres::update_ticket_appending(tx, ticket, at, events))
            }
            Inner::Optimistic(o) => o.update_ticket_appending(ticket, at, events),
        }
    }
}

/// Declares each operation once: a method of `QueueTx` that runs
/// `DirectTx`'s method of the same name on SQLite, or waits on PostgreSQL
/// for the function named after `=` on the open transaction.
macro_rules! operations {
    ($(
        $(#[$doc:meta])*
        fn $name:ident($($arg:ident: $ty:ty),*) -> $answer:ty = $postgres:path;
    )*) => {
        impl QueueTx<'_> {
            $(
                $(#[$doc])*
                pub fn $name(&mut self, $($arg: $ty),*) -> Result<$answer, StoreError> {
                    match &mut self.0 {
                        Inner::Sqlite(direct) => direct.$name($($arg),*),
                        Inner::Postgres { tx, runtime } => {
                            runtime.block_on($postgres(&mut **tx, $($arg),*))
                        }
                        Inner::Optimistic(o) => Err(o.refuse()),
                    }
                }
            )*
        }
    };
}

operations! {
    /// The next number of a service's day, and the instant it was taken.
    fn next_number(site: &str, service: &str, day: &str, now: i64) -> (i64, i64) = tickets::next_number;
    fn update_ticket(ticket: &TicketRow) -> () = tickets::update;
    /// The tickets waiting in a service.
    fn waiting_of(site: &str, service: &str) -> i64 = tickets::waiting_of;
    /// The tickets waiting ahead of `ticket` in its service.
    fn ahead_of(ticket: &TicketRow) -> i64 = postgres::ahead_of;
    /// Appends the site's events with its next `seq`s.
    fn append_all(site: &str, at: i64, events: &[NewEvent<'_>]) -> Vec<EventRow> = events::append_all;
    /// Moves an appointment from status `from` to `to`; `false` if it was
    /// no longer in `from`.
    fn set_appointment_status(id: &str, from: &str, to: &str, now: i64) -> bool = postgres::set_appointment_status;
    /// Inserts a new waiting ticket; returns its service's waiting count,
    /// the new ticket included.
    fn insert_waiting_ticket(ticket: &TicketRow) -> i64 = postgres::insert_waiting_ticket;
    /// Writes a ticket that was waiting in its service and no longer is;
    /// returns the service's waiting count after.
    fn update_ticket_left_waiting(ticket: &TicketRow) -> i64 = postgres::update_ticket_left_waiting;
    /// The counter, locked, then the site's fairness streak, locked, in
    /// that order.
    fn counter_and_streak(id: &str) -> Option<CounterAndStreak> = postgres::counter_and_streak;
    /// The number of the ticket a counter has called or is serving. Read
    /// after the counter's lock, in a statement of its own: one that waited
    /// for the lock would not see the call it waited for.
    fn active_at(counter: &str) -> Option<String> = postgres::active_at;
    /// The heads of a counter's queue, locked: the oldest due check-in or
    /// priority ticket, and the oldest normal one; with `active_at(counter)`
    /// read in the same statement (one round trip on PostgreSQL).
    fn heads_and_active(site: &str, services: &[String], now: i64, counter: &str) -> (Heads, Option<String>) = postgres::heads_and_active;
    /// The counter, locked, with the number of the ticket it has called or
    /// is serving.
    fn counter_locked(id: &str) -> Option<(CounterRow, Option<String>)> = postgres::counter_locked;
    /// The counter an agent holds, if any.
    fn counter_held_by(agent: &str) -> Option<String> = postgres::counter_held_by;
    /// Writes a counter read in the transaction (its state, agent, label)
    /// and appends its site's events.
    fn update_counter_appending(counter: &CounterRow, at: i64, events: &[NewEvent<'_>]) -> Vec<EventRow> = postgres::update_counter_appending;
    /// Sets the site's fairness streak and appends events.
    fn append_all_with_streak(site: &str, at: i64, streak: i64, events: &[NewEvent<'_>]) -> Vec<EventRow> = postgres::append_all_with_streak;
    /// Inserts a remote ticket; returns its service's waiting tickets, the
    /// remote ones and all, the new one included.
    fn insert_remote_ticket(ticket: &TicketRow) -> (i64, i64) = super::remote_queue::insert_counting;
    /// Uses a phone's code up; `false` if another action used it first.
    fn use_otp(id: &str, now: i64) -> bool = postgres::use_otp;
    /// Queues a message; `false` if one with its key was already queued.
    fn enqueue(message: &NewMessage) -> bool = super::outbox::enqueue;
}
