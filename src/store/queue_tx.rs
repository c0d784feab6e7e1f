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
    async fn head(
        &mut self,
        site: &str,
        services: &[String],
        normal: bool,
        now: i64,
    ) -> Result<Option<TicketRow>, StoreError>;
    async fn counter_for_update(&mut self, id: &str) -> Result<Option<CounterRow>, StoreError>;
    async fn active_at_counter(&mut self, counter: &str) -> Result<Option<String>, StoreError>;
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
    async fn head(
        &mut self,
        site: &str,
        services: &[String],
        normal: bool,
        now: i64,
    ) -> Result<Option<TicketRow>, StoreError> {
        Ok(tickets::head(self, site, services, normal, now).await?)
    }
    async fn counter_for_update(&mut self, id: &str) -> Result<Option<CounterRow>, StoreError> {
        Ok(counters::get_for_update(self, id).await?)
    }
    async fn active_at_counter(&mut self, counter: &str) -> Result<Option<String>, StoreError> {
        Ok(tickets::active_at_counter(self, counter).await?)
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
