//! The site event log: every change of a site's queue, numbered by the
//! site's own gap-free sequence.
//!
//! The sequence row is bumped in the caller's transaction, so two events of
//! one site can never share a `seq`, and a rolled-back change leaves no gap.

use super::StoreError;
use super::Tx;
use super::tickets::{self, TicketRow};
use crate::domain::event::SiteEvent;
use crate::write;

/// An event as stored and as sent to subscribers.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, serde::Deserialize)]
pub struct EventRow {
    pub site_id: String,
    pub seq: i64,
    pub kind: String,
    pub at: i64,
    pub payload: String,
}

/// Takes `$2` sequence numbers for site `$1`; returns the last one.
pub(crate) const BUMP_SEQ: &str = "INSERT INTO site_sequences (site_id, last_seq) VALUES ($1, $2)
             ON CONFLICT (site_id) DO UPDATE SET last_seq = site_sequences.last_seq + excluded.last_seq
             RETURNING last_seq";

/// Locks the site's row and reads its fairness streak.
pub(crate) const LOCK_STREAK: &str = "UPDATE site_sequences SET priority_streak = priority_streak WHERE site_id = $1 RETURNING priority_streak";

/// Sets the site's fairness streak.
pub(crate) const SET_STREAK: &str =
    "INSERT INTO site_sequences (site_id, last_seq, priority_streak) VALUES ($1, 0, $2)
             ON CONFLICT (site_id) DO UPDATE SET priority_streak = excluded.priority_streak";

/// The rows of `events`, the last of which takes sequence number `last`.
pub(crate) fn numbered(site: &str, at: i64, last: i64, events: &[NewEvent<'_>]) -> Vec<EventRow> {
    let count = events.len() as i64;
    events
        .iter()
        .enumerate()
        .map(|(i, e)| EventRow {
            site_id: site.to_owned(),
            seq: last - count + 1 + i as i64,
            kind: e.event.kind().to_owned(),
            at,
            payload: e.event.payload(),
        })
        .collect()
}

/// Inserts `count` events; binds site, seq, kind, at, actor, payload of each.
pub(crate) fn insert_sql(count: usize) -> String {
    let values: Vec<String> = (0..count)
        .map(|i| {
            let p = i * 6;
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                p + 1,
                p + 2,
                p + 3,
                p + 4,
                p + 5,
                p + 6
            )
        })
        .collect();
    format!(
        "INSERT INTO site_events (site_id, seq, kind, at, actor, payload) VALUES {}",
        values.join(", ")
    )
}

/// An event about to be appended, and who caused it (`None`: the queue
/// itself, as for `queue.changed`).
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub actor: Option<&'a str>,
    pub event: SiteEvent,
}

/// Appends an event and returns it with its new `seq`.
pub async fn append(
    tx: &mut Tx,
    site: &str,
    at: i64,
    actor: Option<&str>,
    event: SiteEvent,
) -> Result<EventRow, StoreError> {
    let event = NewEvent { actor, event };
    let mut rows = append_all(tx, site, at, &[event]).await?;
    Ok(rows.remove(0))
}

/// Appends events in order with consecutive `seq`s: one bump of the
/// sequence row and one insert, whatever their number.
pub async fn append_all(
    tx: &mut Tx,
    site: &str,
    at: i64,
    events: &[NewEvent<'_>],
) -> Result<Vec<EventRow>, StoreError> {
    if let Tx::Postgres(pg) = tx {
        return append_all_postgres(pg, site, at, events, Along::Nothing).await;
    }
    let count = events.len() as i64;
    let last: i64 = write!(tx, |c| {
        sqlx::query_scalar(BUMP_SEQ)
            .bind(site)
            .bind(count)
            .fetch_one(c)
            .await
    })?;
    let rows = numbered(site, at, last, events);
    let sql = insert_sql(events.len());
    write!(tx, |c| {
        let mut query = sqlx::query(&sql);
        for (row, event) in rows.iter().zip(events) {
            query = query
                .bind(&row.site_id)
                .bind(row.seq)
                .bind(&row.kind)
                .bind(row.at)
                .bind(event.actor)
                .bind(&row.payload);
        }
        query.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(rows)
}

/// What the statement that appends events also writes on PostgreSQL.
pub(crate) enum Along<'a> {
    Nothing,
    /// The site's fairness streak.
    Streak(i64),
    /// A ticket read in the same transaction (`tickets::update`).
    Ticket(&'a TicketRow),
    /// A ticket read without a lock, written only if its row is still the
    /// version read (PostgreSQL's `xmin`): otherwise the statement writes
    /// nothing at all.
    TicketIf(&'a TicketRow, &'a str),
}

/// PostgreSQL takes the numbers and inserts the events in one statement (a
/// data-modifying CTE): one round trip less for every change of a queue.
/// The same statement sets the site's fairness streak, or writes the ticket
/// the events are about, as `along` says.
pub(crate) async fn append_all_postgres(
    pg: &mut sqlx::PgConnection,
    site: &str,
    at: i64,
    events: &[NewEvent<'_>],
    along: Along<'_>,
) -> Result<Vec<EventRow>, StoreError> {
    append_postgres(pg, site, at, events, along)
        .await?
        .ok_or(StoreError::NotFound("sequence"))
}

/// As `append_all_postgres`; `None` when a `TicketIf` ticket was no longer
/// the version read, and nothing was written.
pub(crate) async fn append_postgres(
    pg: &mut sqlx::PgConnection,
    site: &str,
    at: i64,
    events: &[NewEvent<'_>],
    along: Along<'_>,
) -> Result<Option<Vec<EventRow>>, StoreError> {
    let values: Vec<String> = (0..events.len())
        .map(|i| {
            format!(
                "({}::BIGINT, ${}, ${}, ${})",
                i + 1,
                4 + i * 3,
                5 + i * 3,
                6 + i * 3
            )
        })
        .collect();
    let next_param = 4 + events.len() * 3;
    let bump = match along {
        Along::Nothing | Along::Ticket(_) => BUMP_SEQ.to_owned(),
        Along::TicketIf(..) => BUMP_SEQ.replacen(
            "VALUES ($1, $2)",
            "SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM changed)",
            1,
        ),
        Along::Streak(_) => format!(
            "INSERT INTO site_sequences (site_id, last_seq, priority_streak) VALUES ($1, $2, ${next_param})
             ON CONFLICT (site_id) DO UPDATE SET last_seq = site_sequences.last_seq + excluded.last_seq,
                 priority_streak = excluded.priority_streak
             RETURNING last_seq"
        ),
    };
    let ticket = match along {
        Along::Ticket(_) => format!("changed AS ({}), ", tickets::update_sql(next_param)),
        Along::TicketIf(..) => format!(
            "changed AS ({} AND xmin = ${}::text::xid RETURNING 1), ",
            tickets::update_sql(next_param),
            next_param + tickets::UPDATE_PARAMS
        ),
        _ => String::new(),
    };
    let sql = format!(
        "WITH {ticket}bumped AS ({bump})
         INSERT INTO site_events (site_id, seq, kind, at, actor, payload)
         SELECT $1, bumped.last_seq - $2 + v.k, v.kind, $3, v.actor, v.payload
         FROM bumped, (VALUES {}) AS v (k, kind, actor, payload)
         RETURNING seq",
        values.join(", ")
    );
    let mut query = sqlx::query_scalar::<_, i64>(&sql)
        .bind(site)
        .bind(events.len() as i64)
        .bind(at);
    let payloads: Vec<String> = events.iter().map(|e| e.event.payload()).collect();
    for (event, payload) in events.iter().zip(&payloads) {
        query = query
            .bind(event.event.kind())
            .bind(event.actor)
            .bind(payload);
    }
    match along {
        Along::Nothing => {}
        Along::Streak(streak) => query = query.bind(streak),
        Along::Ticket(ticket) => query = tickets::bind_update!(query, ticket),
        Along::TicketIf(ticket, version) => {
            query = tickets::bind_update!(query, ticket).bind(version);
        }
    }
    let seqs = query.fetch_all(pg).await?;
    Ok(seqs
        .into_iter()
        .max()
        .map(|last| numbered(site, at, last, events)))
}

/// Events of a site after `since`, oldest first.
pub async fn since(
    db: &super::Db,
    site: &str,
    since: i64,
    limit: i64,
) -> Result<Vec<EventRow>, StoreError> {
    Ok(crate::read!(db, |c| {
        sqlx::query_as(
            "SELECT site_id, seq, kind, at, payload FROM site_events
             WHERE site_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(site)
        .bind(since)
        .bind(limit)
        .fetch_all(c)
        .await
    })?)
}

/// The site's last event number (0 before its first event).
pub async fn last_seq(conn: super::Conn<'_>, site: &str) -> Result<i64, StoreError> {
    let seq: Option<i64> = crate::on!(conn, |c| {
        sqlx::query_scalar("SELECT last_seq FROM site_sequences WHERE site_id = $1")
            .bind(site)
            .fetch_optional(c)
            .await
    })?;
    Ok(seq.unwrap_or(0))
}

/// The latest calls and recalls of a site, newest first.
pub async fn latest_calls(
    db: &super::Db,
    site: &str,
    limit: i64,
) -> Result<Vec<EventRow>, StoreError> {
    Ok(crate::read!(db, |c| {
        sqlx::query_as(
            "SELECT site_id, seq, kind, at, payload FROM site_events
             WHERE site_id = $1 AND kind IN ('ticket.called', 'ticket.recalled')
             ORDER BY seq DESC LIMIT $2",
        )
        .bind(site)
        .bind(limit)
        .fetch_all(c)
        .await
    })?)
}

/// The fairness streak of a site (non-normal calls in a row), read with
/// the site's sequence row locked: calls at one site take turns.
pub async fn lock_priority_streak(tx: &mut Tx, site: &str) -> Result<i64, StoreError> {
    let streak: Option<i64> = write!(tx, |c| {
        sqlx::query_scalar(LOCK_STREAK)
            .bind(site)
            .fetch_optional(c)
            .await
    })?;
    Ok(streak.unwrap_or(0))
}

pub async fn set_priority_streak(tx: &mut Tx, site: &str, streak: i64) -> Result<(), StoreError> {
    write!(tx, |c| {
        sqlx::query(SET_STREAK)
            .bind(site)
            .bind(streak)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Every site's last event number: what live subscribers should have seen.
pub async fn last_seqs(db: &super::Db) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(crate::read!(db, |c| {
        sqlx::query_as("SELECT site_id, last_seq FROM site_sequences")
            .fetch_all(c)
            .await
    })?)
}
