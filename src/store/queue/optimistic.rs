//! A queue step on PostgreSQL without a transaction: the ticket is read
//! without a lock, and written with its events in one statement that
//! applies only if the ticket's row is still the version read. A start or
//! a completion then takes two round trips instead of four (`BEGIN`, the
//! locked read, the write, `COMMIT`), and no row lock is written.
//!
//! Anything else the body asks for (another write, a count, a lock), or a
//! ticket that changed since it was read, sets `retry` before anything is
//! written: `queue::step` then runs the body again in a transaction.

use crate::store::StoreError;
use crate::store::events::{self, Along, EventRow, NewEvent};
use crate::store::tickets::{self, TicketRow};
use sqlx::PgConnection;
use sqlx::pool::PoolConnection;
use tokio::runtime::Handle;

pub struct Optimistic {
    conn: PoolConnection<sqlx::Postgres>,
    runtime: Handle,
    /// The ticket read, and its row's version.
    read: Option<(String, String)>,
    state: State,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Reading,
    Written,
    /// Nothing was written; the body must run in a transaction.
    Retry,
}

impl Optimistic {
    pub fn new(conn: PoolConnection<sqlx::Postgres>, runtime: Handle) -> Self {
        Self {
            conn,
            runtime,
            read: None,
            state: State::Reading,
        }
    }

    /// Whether the body must run again in a transaction.
    pub fn retry(&self) -> bool {
        self.state == State::Retry
    }

    /// The ticket, unlocked; its version is kept for the write.
    pub fn ticket(&mut self, id: &str) -> Result<Option<TicketRow>, StoreError> {
        if self.state != State::Reading || self.read.is_some() {
            return Err(self.refuse());
        }
        let pg: &mut PgConnection = &mut self.conn;
        let Some((ticket, version)) = self.runtime.block_on(tickets::get_versioned(pg, id))? else {
            return Ok(None);
        };
        self.read = Some((ticket.id.clone(), version));
        Ok(Some(ticket))
    }

    /// Writes the ticket read and appends its site's events, if the ticket
    /// is still the version read.
    pub fn update_ticket_appending(
        &mut self,
        ticket: &TicketRow,
        at: i64,
        events: &[NewEvent<'_>],
    ) -> Result<Vec<EventRow>, StoreError> {
        let version = match &self.read {
            Some((id, version)) if *id == ticket.id && self.state == State::Reading => {
                version.clone()
            }
            _ => return Err(self.refuse()),
        };
        let along = Along::TicketIf(ticket, &version);
        let pg: &mut PgConnection = &mut self.conn;
        let site = &ticket.site_id;
        match self
            .runtime
            .block_on(events::append_postgres(pg, site, at, events, along))?
        {
            Some(rows) => {
                self.state = State::Written;
                Ok(rows)
            }
            None => {
                self.state = State::Retry;
                Err(StoreError::NotFound("unchanged ticket"))
            }
        }
    }

    /// Anything but the read and then the write: the body runs again in a
    /// transaction. After the write, nothing may follow it (a bug of the
    /// body's, since the write is committed).
    pub fn refuse(&mut self) -> StoreError {
        if self.state == State::Written {
            debug_assert!(false, "a queue step asked for more after its write");
            tracing::error!("a queue step asked for more after its write");
        } else {
            self.state = State::Retry;
        }
        StoreError::NotFound("queue transaction")
    }
}
