//! The queue's statements on the writer thread: the SQL of `store`
//! through SQLite's C API, one plain call each, nothing to wait for.

use super::{DirectTx, execute, run};
use crate::store::StoreError;
use crate::store::appointments;
use crate::store::counters::{self, CounterRow};
use crate::store::events::{self, EventRow, NewEvent};
use crate::store::outbox::{self, NewMessage};
use crate::store::queue::{CounterAndStreak, Heads};
use crate::store::tickets::{self, TicketRow};
use crate::store::{otp, remote_queue};
use rusqlite::{Row, ToSql};

fn ticket(row: &Row<'_>) -> rusqlite::Result<TicketRow> {
    Ok(TicketRow {
        id: row.get(0)?,
        site_id: row.get(1)?,
        service_id: row.get(2)?,
        origin_service_id: row.get(3)?,
        local_day: row.get(4)?,
        number: row.get(5)?,
        sequence: row.get(6)?,
        priority: row.get(7)?,
        source: row.get(8)?,
        phone: row.get(9)?,
        lang: row.get(10)?,
        status: row.get(11)?,
        counter_id: row.get(12)?,
        agent: row.get(13)?,
        appointment_id: row.get(14)?,
        recalls: row.get(15)?,
        last_recall_at: row.get(16)?,
        due_at: row.get(17)?,
        close_reason: row.get(18)?,
        issued_at: row.get(19)?,
        called_at: row.get(20)?,
        serving_at: row.get(21)?,
        finished_at: row.get(22)?,
        present_at: row.get(23)?,
        held_at: row.get(24)?,
    })
}

fn counter(row: &Row<'_>) -> rusqlite::Result<CounterRow> {
    Ok(CounterRow {
        id: row.get(0)?,
        site_id: row.get(1)?,
        label: row.get(2)?,
        state: row.get(3)?,
        agent: row.get(4)?,
        state_since: row.get(5)?,
        created_at: row.get(6)?,
    })
}

/// The queue's statements (`store::queue::QueueTx` on SQLite): plain
/// calls on the writer thread, nothing to wait for.
impl DirectTx<'_> {
    pub fn next_number(
        &mut self,
        site: &str,
        service: &str,
        day: &str,
        now: i64,
    ) -> Result<(i64, i64), StoreError> {
        let row = run(
            self.0,
            tickets::NEXT_NUMBER,
            &[&site, &service, &day, &now],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        row.ok_or(StoreError::NotFound("ticket number"))
    }
    pub fn insert_ticket(&mut self, t: &TicketRow) -> Result<(), StoreError> {
        let values: [&dyn ToSql; 25] = [
            &t.id,
            &t.site_id,
            &t.service_id,
            &t.origin_service_id,
            &t.local_day,
            &t.number,
            &t.sequence,
            &t.priority,
            &t.source,
            &t.phone,
            &t.lang,
            &t.status,
            &t.counter_id,
            &t.agent,
            &t.appointment_id,
            &t.recalls,
            &t.last_recall_at,
            &t.due_at,
            &t.close_reason,
            &t.issued_at,
            &t.called_at,
            &t.serving_at,
            &t.finished_at,
            &t.present_at,
            &t.held_at,
        ];
        execute(self.0, &tickets::insert_sql(), &values).map(drop)
    }
    pub fn update_ticket(&mut self, t: &TicketRow) -> Result<(), StoreError> {
        let values: [&dyn ToSql; 13] = [
            &t.id,
            &t.service_id,
            &t.status,
            &t.counter_id,
            &t.agent,
            &t.recalls,
            &t.last_recall_at,
            &t.close_reason,
            &t.called_at,
            &t.serving_at,
            &t.finished_at,
            &t.present_at,
            &t.held_at,
        ];
        execute(self.0, tickets::UPDATE, &values).map(drop)
    }
    pub fn ticket_for_update(&mut self, id: &str) -> Result<Option<TicketRow>, StoreError> {
        let sql = format!("SELECT {} FROM tickets WHERE id = $1", tickets::COLUMNS);
        run(self.0, &sql, &[&id], ticket)
    }
    pub fn waiting_of(&mut self, site: &str, service: &str) -> Result<i64, StoreError> {
        Ok(run(self.0, tickets::WAITING_OF, &[&site, &service], |r| {
            r.get(0)
        })?
        .unwrap_or(0))
    }
    pub fn ahead_of(&mut self, t: &TicketRow) -> Result<i64, StoreError> {
        let rank = tickets::class_rank(t.priority);
        let values: [&dyn ToSql; 6] = [
            &t.site_id,
            &t.service_id,
            &rank,
            &t.issued_at,
            &t.sequence,
            &t.id,
        ];
        Ok(run(self.0, &tickets::ahead_sql(), &values, |r| r.get(0))?.unwrap_or(0))
    }
    pub fn heads(
        &mut self,
        site: &str,
        services: &[String],
        now: i64,
    ) -> Result<Heads, StoreError> {
        let mut values: Vec<&dyn ToSql> = vec![&site, &now];
        values.extend(services.iter().map(|s| s as &dyn ToSql));
        let ahead = run(
            self.0,
            &tickets::head_sql(services.len(), false, ""),
            &values,
            ticket,
        )?;
        let normal = run(
            self.0,
            &tickets::head_sql(services.len(), true, ""),
            &values,
            ticket,
        )?;
        Ok((ahead, normal))
    }
    fn counter(&mut self, id: &str) -> Result<Option<CounterRow>, StoreError> {
        let sql = format!("SELECT {} FROM counters WHERE id = $1", counters::COLUMNS);
        run(self.0, &sql, &[&id], counter)
    }
    pub fn counter_locked(
        &mut self,
        id: &str,
    ) -> Result<Option<(CounterRow, Option<String>)>, StoreError> {
        let Some(found) = self.counter(id)? else {
            return Ok(None);
        };
        let active = self.active_at(&found.id)?;
        Ok(Some((found, active)))
    }
    pub fn lock_priority_streak(&mut self, site: &str) -> Result<i64, StoreError> {
        Ok(run(self.0, events::LOCK_STREAK, &[&site], |r| r.get(0))?.unwrap_or(0))
    }
    pub fn set_priority_streak(&mut self, site: &str, streak: i64) -> Result<(), StoreError> {
        execute(self.0, events::SET_STREAK, &[&site, &streak]).map(drop)
    }
    pub fn append_all(
        &mut self,
        site: &str,
        at: i64,
        new: &[NewEvent<'_>],
    ) -> Result<Vec<EventRow>, StoreError> {
        let count = new.len() as i64;
        let last: i64 = run(self.0, events::BUMP_SEQ, &[&site, &count], |r| r.get(0))?
            .ok_or(StoreError::NotFound("sequence"))?;
        let rows = events::numbered(site, at, last, new);
        let mut values: Vec<&dyn ToSql> = Vec::with_capacity(rows.len() * 6);
        for (row, event) in rows.iter().zip(new) {
            values.extend([
                &row.site_id as &dyn ToSql,
                &row.seq,
                &row.kind,
                &row.at,
                &event.actor,
                &row.payload,
            ]);
        }
        execute(self.0, &events::insert_sql(rows.len()), &values)?;
        Ok(rows)
    }
    pub fn set_appointment_status(
        &mut self,
        id: &str,
        from: &str,
        to: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let changed = execute(self.0, appointments::SET_STATUS, &[&id, &from, &to, &now])?;
        Ok(changed == 1)
    }
    // Compound steps, each one call of `QueueTx`, which PostgreSQL runs as
    // a single statement (one round trip).

    /// Inserts a new waiting ticket; returns its service's waiting count,
    /// the new ticket included.
    pub fn insert_waiting_ticket(&mut self, ticket: &TicketRow) -> Result<i64, StoreError> {
        self.insert_ticket(ticket)?;
        self.waiting_of(&ticket.site_id, &ticket.service_id)
    }
    /// Writes a ticket that was waiting in its service and no longer is;
    /// returns the service's waiting count after.
    pub fn update_ticket_appending(
        &mut self,
        ticket: &TicketRow,
        at: i64,
        events: &[NewEvent<'_>],
    ) -> Result<Vec<EventRow>, StoreError> {
        self.update_ticket(ticket)?;
        self.append_all(&ticket.site_id, at, events)
    }
    pub fn update_ticket_left_waiting(&mut self, ticket: &TicketRow) -> Result<i64, StoreError> {
        self.update_ticket(ticket)?;
        self.waiting_of(&ticket.site_id, &ticket.service_id)
    }
    /// The counter, then the site's fairness streak.
    pub fn counter_and_streak(&mut self, id: &str) -> Result<Option<CounterAndStreak>, StoreError> {
        let Some(found) = self.counter(id)? else {
            return Ok(None);
        };
        let streak = self.lock_priority_streak(&found.site_id)?;
        Ok(Some((found, streak)))
    }
    pub fn active_at(&mut self, counter: &str) -> Result<Option<String>, StoreError> {
        run(self.0, tickets::ACTIVE_AT_COUNTER, &[&counter], |r| {
            r.get(0)
        })
    }
    pub fn heads_and_active(
        &mut self,
        site: &str,
        services: &[String],
        now: i64,
        counter: &str,
    ) -> Result<(Heads, Option<String>), StoreError> {
        let active = self.active_at(counter)?;
        Ok((self.heads(site, services, now)?, active))
    }
    /// Sets the site's fairness streak and appends events.
    pub fn append_all_with_streak(
        &mut self,
        site: &str,
        at: i64,
        streak: i64,
        events: &[NewEvent<'_>],
    ) -> Result<Vec<EventRow>, StoreError> {
        self.set_priority_streak(site, streak)?;
        self.append_all(site, at, events)
    }
    /// Inserts a remote ticket; returns its service's waiting tickets, the
    /// remote ones and all, the new one included.
    pub fn insert_remote_ticket(&mut self, t: &TicketRow) -> Result<(i64, i64), StoreError> {
        self.insert_ticket(t)?;
        let row = run(
            self.0,
            remote_queue::SHARE,
            &[&t.site_id, &t.service_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(row.unwrap_or((0, 0)))
    }
    /// The counter an agent holds.
    pub fn counter_held_by(&mut self, agent: &str) -> Result<Option<String>, StoreError> {
        run(self.0, counters::HELD_BY, &[&agent], |r| r.get(0))
    }
    /// Writes a counter read in the transaction and appends its site's
    /// events.
    pub fn update_counter_appending(
        &mut self,
        c: &CounterRow,
        at: i64,
        events: &[NewEvent<'_>],
    ) -> Result<Vec<EventRow>, StoreError> {
        let values: [&dyn ToSql; 5] = [&c.id, &c.label, &c.state, &c.agent, &c.state_since];
        execute(self.0, counters::UPDATE, &values)?;
        self.append_all(&c.site_id, at, events)
    }
    /// Uses a phone's code up; `false` if another action used it first.
    pub fn use_otp(&mut self, id: &str, now: i64) -> Result<bool, StoreError> {
        Ok(execute(self.0, otp::CONSUME, &[&id, &now])? == 1)
    }
    /// Queues a message; `false` if one with its key was already queued.
    pub fn enqueue(&mut self, m: &NewMessage) -> Result<bool, StoreError> {
        let name = m.attachment.as_ref().map(|(name, _)| name.as_str());
        let data = m.attachment.as_ref().map(|(_, data)| data.as_slice());
        let values: [&dyn ToSql; 12] = [
            &m.id,
            &m.site_id,
            &m.channel,
            &m.template,
            &m.recipient,
            &m.subject,
            &m.body,
            &m.idempotency_key,
            &m.created_at,
            &m.html,
            &name,
            &data,
        ];
        Ok(execute(self.0, outbox::ENQUEUE, &values)? == 1)
    }
}
