//! Tickets: numbering, the queue heads a counter may call, and the counts
//! that positions and estimates are made of.
//!
//! A ticket number comes from a per-site/service/day row bumped in the
//! issuing transaction; the unique key (site, issuing service, day, number)
//! backs it. Call-next reads the heads of the queue with row locks that
//! skip rows another transaction holds (PostgreSQL), or inside the single
//! SQLite writer, so two counters never get the same ticket.

use super::StoreError;
use super::rows;
use super::{Conn, Db, Tx};
use crate::domain::ticket::{Priority, Status};
use crate::{on, write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketRow {
    pub id: String,
    pub site_id: String,
    pub service_id: String,
    pub origin_service_id: String,
    pub local_day: String,
    pub number: String,
    pub sequence: i64,
    pub priority: Priority,
    pub source: String,
    pub phone: Option<String>,
    pub lang: String,
    pub status: Status,
    pub counter_id: Option<String>,
    pub agent: Option<String>,
    pub appointment_id: Option<String>,
    pub recalls: i64,
    pub last_recall_at: Option<i64>,
    pub due_at: Option<i64>,
    pub close_reason: Option<String>,
    pub issued_at: i64,
    pub called_at: Option<i64>,
    pub serving_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// A remote ticket's holder confirmed present (kiosk or agent).
    pub present_at: Option<i64>,
    /// When a remote ticket's turn came while its holder was absent.
    pub held_at: Option<i64>,
}

pub(crate) const COLUMNS: &str =
    "id, site_id, service_id, origin_service_id, local_day, number, sequence, priority,
    source, phone, lang, status, counter_id, agent, appointment_id, recalls, last_recall_at,
    due_at, close_reason, issued_at, called_at, serving_at, finished_at, present_at, held_at";

/// Bumps a service's daily number; binds site, service, day, now.
pub(crate) const NEXT_NUMBER: &str =
    "INSERT INTO ticket_numbers (site_id, service_id, local_day, last_number, last_issued_at)
             VALUES ($1, $2, $3, 1, $4)
             ON CONFLICT (site_id, service_id, local_day)
             DO UPDATE SET last_number = ticket_numbers.last_number + 1,
                 last_issued_at = CASE WHEN ticket_numbers.last_issued_at > excluded.last_issued_at
                     THEN ticket_numbers.last_issued_at ELSE excluded.last_issued_at END
             RETURNING last_number, last_issued_at";

/// `UPDATE` with its parameters numbered from `first` (the ticket's id)
/// on, to follow others in one statement.
pub(crate) fn update_sql(first: usize) -> String {
    let mut sql = String::with_capacity(UPDATE.len() + 16);
    let mut rest = UPDATE;
    while let Some(at) = rest.find('$') {
        sql.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: usize = rest[..digits]
            .parse()
            .expect("UPDATE numbers its parameters");
        sql.push_str(&(n + first - 1).to_string());
        rest = &rest[digits..];
    }
    sql.push_str(rest);
    sql
}

/// The parameters `UPDATE` binds.
pub(crate) const UPDATE_PARAMS: usize = 13;

/// Writes a ticket's mutable part; binds as `update` does.
pub(crate) const UPDATE: &str =
    "UPDATE tickets SET service_id = $2, status = $3, counter_id = $4, agent = $5,
                recalls = $6, last_recall_at = $7, close_reason = $8, called_at = $9,
                serving_at = $10, finished_at = $11, present_at = $12, held_at = $13
             WHERE id = $1";

/// The number of a counter's called or serving ticket.
pub(crate) const ACTIVE_AT_COUNTER: &str = "SELECT number FROM tickets
     WHERE site_id = (SELECT site_id FROM counters WHERE id = $1)
       AND counter_id = $1 AND status IN ('called', 'serving') LIMIT 1";

/// Waiting tickets of one service.
pub(crate) const WAITING_OF: &str =
    "SELECT COUNT(*) FROM tickets WHERE site_id = $1 AND status = 'waiting' AND service_id = $2";

/// Binds every column of a ticket, in `COLUMNS` order.
macro_rules! bind_columns {
    ($query:expr, $t:expr) => {
        $query
            .bind(&$t.id)
            .bind(&$t.site_id)
            .bind(&$t.service_id)
            .bind(&$t.origin_service_id)
            .bind(&$t.local_day)
            .bind(&$t.number)
            .bind($t.sequence)
            .bind($t.priority)
            .bind(&$t.source)
            .bind(&$t.phone)
            .bind(&$t.lang)
            .bind($t.status)
            .bind(&$t.counter_id)
            .bind(&$t.agent)
            .bind(&$t.appointment_id)
            .bind($t.recalls)
            .bind($t.last_recall_at)
            .bind($t.due_at)
            .bind(&$t.close_reason)
            .bind($t.issued_at)
            .bind($t.called_at)
            .bind($t.serving_at)
            .bind($t.finished_at)
            .bind($t.present_at)
            .bind($t.held_at)
    };
}

pub(crate) use bind_columns;

/// Binds a ticket's mutable part, as `UPDATE` takes it.
macro_rules! bind_update {
    ($query:expr, $t:expr) => {
        $query
            .bind(&$t.id)
            .bind(&$t.service_id)
            .bind($t.status)
            .bind(&$t.counter_id)
            .bind(&$t.agent)
            .bind($t.recalls)
            .bind($t.last_recall_at)
            .bind(&$t.close_reason)
            .bind($t.called_at)
            .bind($t.serving_at)
            .bind($t.finished_at)
            .bind($t.present_at)
            .bind($t.held_at)
    };
}
pub(crate) use bind_update;

/// Orders classes for calling: due check-ins, priority, normal.
const CLASS_RANK: &str =
    "CASE priority WHEN 'appointment' THEN 0 WHEN 'priority' THEN 1 ELSE 2 END";

/// The next sequence number of a service's tickets on a local day, and its
/// issue time: `now`, or the previous ticket's time if the clock of another
/// instance ran ahead, so that numbers and issue times agree on the order.
pub async fn next_number(
    tx: &mut Tx,
    site: &str,
    service: &str,
    day: &str,
    now: i64,
) -> Result<(i64, i64), StoreError> {
    Ok(write!(tx, |c| {
        sqlx::query_as(NEXT_NUMBER)
            .bind(site)
            .bind(service)
            .bind(day)
            .bind(now)
            .fetch_one(c)
            .await
    })?)
}

pub async fn insert(tx: &mut Tx, t: &TicketRow) -> Result<(), StoreError> {
    let sql = insert_sql();
    write!(tx, |c| {
        bind_columns!(sqlx::query(&sql), t)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// PostgreSQL: inserts a waiting ticket and counts its service's waiting
/// tickets in one statement. The count reads the statement's snapshot,
/// which does not hold the new row yet: hence the `+ 1`.
pub async fn insert_waiting_postgres(
    pg: &mut sqlx::PgConnection,
    t: &TicketRow,
) -> Result<i64, StoreError> {
    let sql = format!(
        "WITH added AS ({}) SELECT COUNT(*) + 1 FROM tickets
         WHERE site_id = $2 AND status = 'waiting' AND service_id = $3",
        insert_sql()
    );
    Ok(bind_columns!(sqlx::query_scalar(&sql), t)
        .fetch_one(pg)
        .await?)
}

/// PostgreSQL: writes a ticket that was waiting in its service and no
/// longer is, and counts that service's waiting tickets after, in one
/// statement (the snapshot still holds the ticket as waiting: `- 1`).
pub async fn update_left_waiting_postgres(
    pg: &mut sqlx::PgConnection,
    t: &TicketRow,
) -> Result<i64, StoreError> {
    let sql = format!(
        "WITH changed AS ({UPDATE}) SELECT COUNT(*) - 1 FROM tickets
         WHERE site_id = $14 AND status = 'waiting' AND service_id = $2"
    );
    Ok(bind_update!(sqlx::query_scalar(&sql), t)
        .bind(&t.site_id)
        .fetch_one(pg)
        .await?)
}

/// The SQL of `insert`: binds every column in `COLUMNS` order.
pub(crate) fn insert_sql() -> String {
    let values: Vec<String> = (1..=25).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO tickets ({COLUMNS}) VALUES ({})",
        values.join(", ")
    )
}

/// Writes the mutable part of a ticket read in the same transaction.
pub async fn update(tx: &mut Tx, t: &TicketRow) -> Result<(), StoreError> {
    write!(tx, |c| {
        bind_update!(sqlx::query(UPDATE), t)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn get(db: &Db, id: &str) -> Result<Option<TicketRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM tickets WHERE id = $1");
    rows::one(db, &sql, id).await
}

pub async fn get_for_update(tx: &mut Tx, id: &str) -> Result<Option<TicketRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM tickets WHERE id = $1");
    rows::locked(tx, &sql, id).await
}

/// A ticket read without a lock, with its row's version (PostgreSQL's
/// `xmin`), for a write that applies only if nobody changed it since.
pub async fn get_versioned(
    pg: &mut sqlx::PgConnection,
    id: &str,
) -> Result<Option<(TicketRow, String)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Versioned {
        #[sqlx(flatten)]
        ticket: TicketRow,
        version: String,
    }
    let sql = format!("SELECT {COLUMNS}, xmin::text AS version FROM tickets WHERE id = $1");
    let row: Option<Versioned> = sqlx::query_as(&sql).bind(id).fetch_optional(pg).await?;
    Ok(row.map(|r| (r.ticket, r.version)))
}

/// The number of the ticket a counter has called or is serving, if any.
pub async fn active_at_counter(tx: &mut Tx, counter: &str) -> Result<Option<String>, StoreError> {
    Ok(write!(tx, |c| {
        sqlx::query_scalar(ACTIVE_AT_COUNTER)
            .bind(counter)
            .fetch_optional(c)
            .await
    })?)
}

/// The oldest waiting ticket of the counter's services among the classes
/// named by `normal` (true: the normal class; false: due check-ins and
/// priority, check-ins first). Locked for this transaction.
pub async fn head(
    tx: &mut Tx,
    site: &str,
    services: &[String],
    normal: bool,
    now: i64,
) -> Result<Option<TicketRow>, StoreError> {
    let lock = match tx {
        Tx::Sqlite(_) => "",
        Tx::Postgres(_) => " FOR UPDATE SKIP LOCKED",
    };
    let sql = head_sql(services.len(), normal, lock);
    Ok(write!(tx, |c| {
        let mut query = sqlx::query_as(&sql).bind(site).bind(now);
        for service in services {
            query = query.bind(service);
        }
        query.fetch_optional(c).await
    })?)
}

/// The SQL of `head`: binds site, now, then each service.
pub(crate) fn head_sql(services: usize, normal: bool, lock: &str) -> String {
    let placeholders: Vec<String> = (0..services).map(|i| format!("${}", i + 3)).collect();
    let class = if normal {
        "priority = 'normal'"
    } else {
        "(priority = 'priority' OR (priority = 'appointment' AND due_at <= $2))"
    };
    format!(
        "SELECT {COLUMNS} FROM tickets
         WHERE site_id = $1 AND status = 'waiting' AND service_id IN ({}) AND {class}
           AND (present_at IS NOT NULL OR source <> 'remote')
           AND $2 = $2 -- every parameter appears: SQLite numbers them by appearance
         ORDER BY {CLASS_RANK}, issued_at, sequence, id LIMIT 1{lock}",
        placeholders.join(", ")
    )
}

/// The SQL of `ahead_of`: binds site, service, class rank, issue time,
/// sequence, id.
pub(crate) fn ahead_sql() -> String {
    format!(
        "SELECT COUNT(*) FROM tickets
         WHERE site_id = $1 AND service_id = $2 AND status = 'waiting'
           AND ({CLASS_RANK} < $3 OR ({CLASS_RANK} = $3 AND (issued_at < $4
                OR (issued_at = $4 AND (sequence < $5 OR (sequence = $5 AND id < $6))))))"
    )
}

/// The rank of a ticket's class in the call order.
pub(crate) fn class_rank(priority: Priority) -> i64 {
    match priority {
        Priority::Appointment => 0,
        Priority::Priority => 1,
        Priority::Normal => 2,
    }
}

/// How many waiting tickets of the same service will be called before this one.
pub async fn ahead_of(conn: Conn<'_>, t: &TicketRow) -> Result<i64, StoreError> {
    let sql = ahead_sql();
    let rank = class_rank(t.priority);
    Ok(on!(conn, |c| {
        sqlx::query_scalar(&sql)
            .bind(&t.site_id)
            .bind(&t.service_id)
            .bind(rank)
            .bind(t.issued_at)
            .bind(t.sequence)
            .bind(&t.id)
            .fetch_one(c)
            .await
    })?)
}

/// Waiting tickets of one service.
pub async fn waiting_of(tx: &mut Tx, site: &str, service: &str) -> Result<i64, StoreError> {
    Ok(write!(tx, |c| {
        sqlx::query_scalar(WAITING_OF)
            .bind(site)
            .bind(service)
            .fetch_one(c)
            .await
    })?)
}

/// Waiting tickets per service of a site.
pub async fn waiting_by_service(
    conn: Conn<'_>,
    site: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(on!(conn, |c| {
        sqlx::query_as("SELECT service_id, COUNT(*) FROM tickets WHERE site_id = $1 AND status = 'waiting' GROUP BY service_id")
            .bind(site)
            .fetch_all(c)
            .await
    })?)
}

/// Open counters handling each service of a site.
pub async fn open_counters_by_service(
    conn: Conn<'_>,
    site: &str,
) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(on!(conn, |c| {
        sqlx::query_as(
            "SELECT cs.service_id, COUNT(*) FROM counter_services cs
             JOIN counters k ON k.id = cs.counter_id
             WHERE cs.site_id = $1 AND k.state = 'open' GROUP BY cs.service_id",
        )
        .bind(site)
        .fetch_all(c)
        .await
    })?)
}

/// Per service, the total seconds and the number of a site's visits
/// finished on a local day, leaving out durations no visit really takes
/// (under a second, over four hours: a ticket left open over lunch).
pub async fn durations_of_day(
    conn: Conn<'_>,
    site: &str,
    day: &str,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    Ok(on!(conn, |c| {
        sqlx::query_as(
            "SELECT service_id, CAST(SUM(finished_at - serving_at) / 1000 AS BIGINT), COUNT(*) FROM tickets
             WHERE site_id = $1 AND local_day = $2 AND status = 'done' AND serving_at IS NOT NULL
               AND finished_at - serving_at BETWEEN 1000 AND 14400000
             GROUP BY service_id",
        )
        .bind(site)
        .bind(day)
        .fetch_all(c)
        .await
    })?)
}

/// Tickets a site's counters have called or are serving.
pub async fn active_of_site(db: &Db, site: &str) -> Result<Vec<TicketRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tickets WHERE site_id = $1 AND status IN ('called', 'serving')"
    );
    rows::all(db, &sql, site).await
}

/// Tickets of a site still waiting or called from a local day up to `day`
/// (inclusive), for the end-of-day close-out.
pub async fn unfinished_until(
    tx: &mut Tx,
    site: &str,
    day: &str,
) -> Result<Vec<TicketRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tickets WHERE site_id = $1 AND local_day <= $2
           AND status IN ('waiting', 'called') ORDER BY issued_at{}",
        tx.lock_rows()
    );
    Ok(write!(tx, |c| sqlx::query_as(&sql)
        .bind(site)
        .bind(day)
        .fetch_all(c)
        .await)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_update_follows_other_parameters() {
        assert_eq!(update_sql(1), UPDATE);
        let shifted = update_sql(10);
        assert!(shifted.contains("service_id = $11,"), "{shifted}");
        assert!(shifted.contains("held_at = $22"), "{shifted}");
        assert!(shifted.ends_with("WHERE id = $10"), "{shifted}");
    }
}
