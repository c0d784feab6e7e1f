//! The audit log of staff and device actions: written in batches, read
//! newest first with filters, and what an entry needs looked up (the site
//! of the thing acted on, whether a login's name is an account).

use super::{Db, StoreError, Tx, direct};
use crate::{read, write};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    /// A staff username or a device id; `unknown` for a login under a
    /// name that is no account.
    pub actor: String,
    /// `admin`, `supervisor`, `agent`, `kiosk`, `display`, `console` (the
    /// server's command line), or `none`.
    pub actor_role: String,
    pub site_id: Option<String>,
    /// `METHOD /route/{template}`, or `login`.
    pub action: String,
    /// The ids and references of the path, `name:value` separated by spaces.
    pub target: Option<String>,
    pub client_ip: Option<String>,
    pub status: i64,
    /// `done` (below 400), `refused` (4xx) or `failed` (5xx).
    pub outcome: String,
}

/// The insert of `n` entries: 9 parameters each.
pub(crate) fn insert_sql(n: usize) -> String {
    let values: Vec<String> = (0..n)
        .map(|i| {
            let n = i * 9;
            let marks: Vec<String> = (1..=9).map(|k| format!("${}", n + k)).collect();
            format!("({})", marks.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO audit_log
           (at, actor, actor_role, site_id, action, target, client_ip, status, outcome)
         VALUES {}",
        values.join(", ")
    )
}

/// Writes entries in a transaction of their own (their `id`s are given by
/// the database, in this order). On SQLite they go to the queue's writer
/// thread (`direct`) and are committed with the queue's transactions: the
/// audit of every staff call then never holds the write lock a call or a
/// ticket waits for.
pub async fn write_all(db: &Db, rows: Vec<AuditRow>) -> Result<(), StoreError> {
    if let Db::Sqlite { direct, .. } = db {
        return direct::transaction(direct, move |tx| tx.insert_audit(&rows)).await;
    }
    let mut tx = db.begin().await?;
    insert_all(&mut tx, &rows).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes entries in one statement inside `tx`. At most a few hundred at a
/// time: each takes 9 parameters.
pub async fn insert_all(tx: &mut Tx, rows: &[AuditRow]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = insert_sql(rows.len());
    write!(tx, |c| {
        let mut query = sqlx::query(&sql);
        for r in rows {
            query = query
                .bind(r.at)
                .bind(&r.actor)
                .bind(&r.actor_role)
                .bind(&r.site_id)
                .bind(&r.action)
                .bind(&r.target)
                .bind(&r.client_ip)
                .bind(r.status)
                .bind(&r.outcome);
        }
        query.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// What a reader asks for; every filter is optional.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub site: Option<String>,
    pub actor: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Only entries older than this id (the next page).
    pub before: Option<i64>,
    pub limit: i64,
}

/// Entries matching the filter, newest first.
pub async fn list(db: &Db, f: &AuditFilter) -> Result<Vec<AuditRow>, StoreError> {
    Ok(read!(db, |c| sqlx::query_as(
        "SELECT id, at, actor, actor_role, site_id, action, target, client_ip, status, outcome
         FROM audit_log
         WHERE ($1 IS NULL OR site_id = $1) AND ($2 IS NULL OR actor = $2)
           AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at < $4)
           AND ($5 IS NULL OR id < $5)
         ORDER BY id DESC LIMIT $6"
    )
    .bind(&f.site)
    .bind(&f.actor)
    .bind(f.from)
    .bind(f.to)
    .bind(f.before)
    .bind(f.limit)
    .fetch_all(c)
    .await)?)
}

/// The tables whose rows an action's target can name, with their site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Counter,
    Ticket,
    Appointment,
    Request,
    Complaint,
    Device,
    Message,
}

/// The site of a counter, ticket, appointment, request, complaint, device
/// or message, if it exists.
pub async fn site_of(db: &Db, owner: Owner, key: &str) -> Result<Option<String>, StoreError> {
    let sql = match owner {
        Owner::Counter => "SELECT site_id FROM counters WHERE id = $1",
        Owner::Ticket => "SELECT site_id FROM tickets WHERE id = $1",
        Owner::Appointment => "SELECT site_id FROM appointments WHERE reference = $1",
        Owner::Request => "SELECT site_id FROM document_requests WHERE reference = $1",
        Owner::Complaint => "SELECT site_id FROM complaints WHERE reference = $1",
        Owner::Device => "SELECT site_id FROM devices WHERE id = $1",
        Owner::Message => "SELECT site_id FROM notifications WHERE id = $1",
    };
    let site: Option<Option<String>> = read!(db, |c| sqlx::query_scalar(sql)
        .bind(key)
        .fetch_optional(c)
        .await)?;
    Ok(site.flatten())
}

/// The role and site of an account, if it exists.
pub async fn account(
    db: &Db,
    username: &str,
) -> Result<Option<(String, Option<String>)>, StoreError> {
    Ok(read!(db, |c| sqlx::query_as(
        "SELECT role, site_id FROM users WHERE username = $1"
    )
    .bind(username)
    .fetch_optional(c)
    .await)?)
}
