//! The outbox: every message (SMS, e-mail) is a row written in the
//! transaction of the change that causes it, sent afterwards by a worker.
//! Each row has an idempotency key: enqueuing the same message twice (two
//! runs of a job, two instances) keeps one.

use super::StoreError;
use super::rows::execute;
use super::{Db, Tx};
use crate::{read, write};

#[derive(Debug, Clone)]
pub struct NewMessage {
    pub id: String,
    pub site_id: Option<String>,
    /// `sms` or `email`.
    pub channel: &'static str,
    pub template: &'static str,
    pub recipient: String,
    pub subject: Option<String>,
    pub body: String,
    /// An e-mail's HTML part.
    pub html: Option<String>,
    /// An e-mail's attachment: its file name and bytes.
    pub attachment: Option<(String, Vec<u8>)>,
    pub idempotency_key: String,
    pub created_at: i64,
}

/// Queues a message; binds as `enqueue` does.
pub(crate) const ENQUEUE: &str =
    "INSERT INTO notifications (id, site_id, channel, template, recipient, subject, body,
                idempotency_key, status, attempts, next_attempt_at, created_at, html,
                attachment_name, attachment)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9, $10, $11, $12)
             ON CONFLICT (idempotency_key) DO NOTHING";

/// Queues a message; `false` if one with its key was already queued.
pub async fn enqueue(tx: &mut Tx, m: &NewMessage) -> Result<bool, StoreError> {
    let added = execute!(
        tx,
        ENQUEUE,
        &m.id,
        &m.site_id,
        m.channel,
        m.template,
        &m.recipient,
        &m.subject,
        &m.body,
        &m.idempotency_key,
        m.created_at,
        &m.html,
        m.attachment.as_ref().map(|(name, _)| name.as_str()),
        m.attachment.as_ref().map(|(_, data)| data.as_slice())
    )?;
    Ok(added == 1)
}

/// A message taken by a worker to be sent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: String,
    pub site_id: Option<String>,
    pub channel: String,
    pub template: String,
    pub recipient: String,
    pub subject: Option<String>,
    pub body: String,
    pub html: Option<String>,
    pub attachment_name: Option<String>,
    pub attachment: Option<Vec<u8>>,
    pub idempotency_key: String,
    /// Attempts made, this one included.
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub created_at: i64,
    /// Set when a worker had claimed it before and its lease ran out: that
    /// attempt may or may not have reached the provider.
    pub last_error: Option<String>,
}

/// What `claim` says of a message whose earlier claim expired.
pub const LEASE_EXPIRED: &str = "lease expired: the previous attempt may have been sent";

/// Claims up to `limit` due messages, oldest due first, for `lease_ms`:
/// waiting ones whose time has come, and ones whose worker's lease ran out
/// (it died, or hangs), except those of the channels in `paused` (whose
/// provider is down; see `notify::breaker`). PostgreSQL skips rows another
/// worker is claiming; SQLite's single writer claims one batch at a time.
pub async fn claim(
    db: &Db,
    now: i64,
    lease_ms: i64,
    limit: i64,
    paused: &[&'static str],
) -> Result<Vec<Claimed>, StoreError> {
    // Channel names are the worker's own constants, never input.
    let paused = match paused {
        [] => String::new(),
        names => {
            let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
            format!(" AND channel NOT IN ({})", quoted.join(", "))
        }
    };
    let due = format!(
        "((status IN ('pending', 'retrying') AND next_attempt_at <= $1)
          OR (status = 'sending' AND locked_until <= $1)){paused}"
    );
    // Most passes find nothing: a read says so without a write transaction.
    let sql = format!("SELECT CAST(1 AS BIGINT) FROM notifications WHERE {due} LIMIT 1");
    let found: Option<i64> = read!(db, |c| sqlx::query_scalar(&sql)
        .bind(now)
        .fetch_optional(c)
        .await)?;
    if found.is_none() {
        return Ok(Vec::new());
    }
    take(
        db,
        now,
        lease_ms,
        limit,
        &due,
        "next_attempt_at, created_at, id",
        None,
    )
    .await
}

/// Claims the `limit` oldest unsent messages of `channel`, due or not:
/// the worker's try of a provider that was down (`notify::breaker`).
pub async fn claim_oldest(
    db: &Db,
    channel: &str,
    now: i64,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<Claimed>, StoreError> {
    let unsent = "channel = $4 AND (status IN ('pending', 'retrying')
         OR (status = 'sending' AND locked_until <= $1))";
    take(
        db,
        now,
        lease_ms,
        limit,
        unsent,
        "created_at, id",
        Some(channel),
    )
    .await
}

/// Marks `sending`, for `lease_ms`, up to `limit` of the messages `which`
/// selects (`$1` is now, `$4` the channel if any), in `order`.
async fn take(
    db: &Db,
    now: i64,
    lease_ms: i64,
    limit: i64,
    which: &str,
    order: &str,
    channel: Option<&str>,
) -> Result<Vec<Claimed>, StoreError> {
    let mut tx = db.begin().await?;
    let skip = match tx {
        Tx::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        Tx::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE notifications SET status = 'sending', attempts = attempts + 1, locked_until = $2,
             last_error = CASE WHEN status = 'sending' THEN '{LEASE_EXPIRED}' ELSE last_error END
         WHERE id IN (SELECT id FROM notifications WHERE {which}
                      ORDER BY {order} LIMIT $3{skip})
         RETURNING id, site_id, channel, template, recipient, subject, body, html,
             attachment_name, attachment, idempotency_key,
             attempts, next_attempt_at, created_at, last_error"
    );
    let mut claimed: Vec<Claimed> = write!(&mut tx, |c| {
        let query = sqlx::query_as(&sql)
            .bind(now)
            .bind(now + lease_ms)
            .bind(limit);
        match channel {
            Some(channel) => query.bind(channel),
            None => query,
        }
        .fetch_all(c)
        .await
    })?;
    tx.commit().await?;
    // Sent in the order they fell due.
    claimed.sort_by(|a, b| {
        (a.next_attempt_at, a.created_at, &a.id).cmp(&(b.next_attempt_at, b.created_at, &b.id))
    });
    Ok(claimed)
}

/// Gives back a claimed message that was not attempted after all (its
/// provider was found down meanwhile): as it was, its attempt not counted.
pub async fn release(db: &Db, id: &str) -> Result<(), StoreError> {
    let mut tx = db.begin().await?;
    execute!(
        &mut tx,
        "UPDATE notifications SET status = 'retrying', attempts = attempts - 1,
             locked_until = NULL
         WHERE id = $1 AND status = 'sending'",
        id
    )?;
    tx.commit().await
}

/// The provider of `channel` is back: the messages that failed since it
/// went down (`since`) fall due again at their first due time, so that
/// they go out in that order.
pub async fn due_again(db: &Db, channel: &str, since: i64) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let changed = execute!(
        &mut tx,
        "UPDATE notifications SET next_attempt_at = created_at
         WHERE channel = $1 AND status = 'retrying' AND next_attempt_at >= $2",
        channel,
        since
    )?;
    tx.commit().await?;
    Ok(changed)
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Sent {
        provider_id: Option<String>,
    },
    /// Try again at `next_at`.
    Retry {
        next_at: i64,
        error: String,
    },
    /// Never to be tried again (a permanent error, or the last attempt).
    Dead {
        error: String,
    },
}

/// Records an attempt's outcome, if this worker still holds the message.
pub async fn record(db: &Db, id: &str, outcome: &Outcome, now: i64) -> Result<(), StoreError> {
    let (sql, text, at): (&str, Option<&str>, i64) = match outcome {
        Outcome::Sent { provider_id } => (
            "UPDATE notifications SET status = 'sent', provider_id = $2, sent_at = $3,
                 locked_until = NULL, last_error = NULL, delivery_status = 'accepted',
                 delivery_rank = CASE WHEN delivery_rank > 1 THEN delivery_rank ELSE 1 END
             WHERE id = $1 AND status = 'sending'",
            provider_id.as_deref(),
            now,
        ),
        Outcome::Retry { next_at, error } => (
            "UPDATE notifications SET status = 'retrying', last_error = $2,
                 next_attempt_at = $3, locked_until = NULL
             WHERE id = $1 AND status = 'sending'",
            Some(error.as_str()),
            *next_at,
        ),
        Outcome::Dead { error } => (
            "UPDATE notifications SET status = 'dead', last_error = $2, dead_at = $3,
                 locked_until = NULL
             WHERE id = $1 AND status = 'sending'",
            Some(error.as_str()),
            now,
        ),
    };
    let mut tx = db.begin().await?;
    execute!(&mut tx, sql, id, text, at)?;
    tx.commit().await
}

/// Moves a message's delivery status forward (never back); `false` when
/// the provider id is unknown or the status is not newer.
pub async fn update_delivery(
    db: &Db,
    provider_id: &str,
    status: &str,
    rank: i64,
) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let changed = execute!(
        &mut tx,
        "UPDATE notifications SET delivery_status = $2, delivery_rank = $3
             WHERE provider_id = $1 AND delivery_rank < $3",
        provider_id,
        status,
        rank
    )?;
    tx.commit().await?;
    Ok(changed > 0)
}

/// A message as the admin view lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub id: String,
    pub site_id: Option<String>,
    pub channel: String,
    pub template: String,
    pub recipient: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub provider_id: Option<String>,
    pub delivery_status: Option<String>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// Messages in one status (or all), newest first.
pub async fn list(db: &Db, status: Option<&str>, limit: i64) -> Result<Vec<Listed>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT id, site_id, channel, template, recipient, status, attempts, next_attempt_at,
                 provider_id, delivery_status, last_error, created_at, sent_at
             FROM notifications WHERE ($1 IS NULL OR status = $1)
             ORDER BY created_at DESC, id LIMIT $2",
        )
        .bind(status)
        .bind(limit)
        .fetch_all(c)
        .await
    })?)
}

/// Sends a dead or retrying message again now; `false` if it is in
/// neither state.
pub async fn retry_now(db: &Db, id: &str, now: i64) -> Result<bool, StoreError> {
    let mut tx = db.begin().await?;
    let changed = execute!(
        &mut tx,
        "UPDATE notifications SET status = 'retrying', next_attempt_at = $2, dead_at = NULL
             WHERE id = $1 AND status IN ('dead', 'retrying')
             AND personal_data_erased_at IS NULL",
        id,
        now
    )?;
    tx.commit().await?;
    Ok(changed == 1)
}

/// Messages of one recipient, newest first (for the citizen's history and tests).
pub async fn to_recipient(db: &Db, recipient: &str) -> Result<Vec<(String, String)>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT template, body FROM notifications WHERE recipient = $1
             ORDER BY created_at DESC, id",
        )
        .bind(recipient)
        .fetch_all(c)
        .await
    })?)
}

/// A message with its text, for the demo's page of what was not sent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Written {
    pub id: String,
    pub channel: String,
    pub template: String,
    pub recipient: String,
    pub subject: Option<String>,
    pub body: String,
    pub created_at: i64,
}

/// The `limit` newest messages of one or two channels, newest first.
pub async fn latest(
    db: &Db,
    channel: &str,
    or_channel: &str,
    limit: i64,
) -> Result<Vec<Written>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT id, channel, template, recipient, subject, body, created_at
             FROM notifications WHERE channel = $1 OR channel = $2
             ORDER BY created_at DESC, id DESC LIMIT $3",
        )
        .bind(channel)
        .bind(or_channel)
        .bind(limit)
        .fetch_all(c)
        .await
    })?)
}
