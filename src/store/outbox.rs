//! The outbox: every message (SMS, e-mail) is a row written in the
//! transaction of the change that causes it, sent afterwards by a worker.
//! Each row has an idempotency key: enqueuing the same message twice (two
//! runs of a job, two instances) keeps one.

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
    pub idempotency_key: String,
    pub created_at: i64,
}

/// A message taken by the worker to be sent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: String,
    pub channel: String,
    pub template: String,
    pub recipient: String,
    pub body: String,
}

/// Queues a message; `false` if one with its key was already queued.
pub async fn enqueue(tx: &mut Tx, m: &NewMessage) -> Result<bool, sqlx::Error> {
    let added = write!(tx, |c| {
        sqlx::query(
            "INSERT INTO notifications (id, site_id, channel, template, recipient, subject, body,
                idempotency_key, status, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9)
             ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(&m.id)
        .bind(&m.site_id)
        .bind(m.channel)
        .bind(m.template)
        .bind(&m.recipient)
        .bind(&m.subject)
        .bind(&m.body)
        .bind(&m.idempotency_key)
        .bind(m.created_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(added == 1)
}

/// Marks up to `limit` due messages as sent and returns them: what the
/// `log` transport does, which has nothing that can fail. Each row is
/// taken by one statement, so two instances never both take it.
pub async fn take_due_as_sent(db: &Db, now: i64, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let taken = write!(&mut tx, |c| {
        sqlx::query_as(
            "UPDATE notifications SET status = 'sent', attempts = attempts + 1, sent_at = $1
             WHERE id IN (SELECT id FROM notifications
                          WHERE status = 'pending' AND next_attempt_at <= $1
                          ORDER BY next_attempt_at LIMIT $2)
               AND status = 'pending'
             RETURNING id, channel, template, recipient, body",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(c)
        .await
    })?;
    tx.commit().await?;
    Ok(taken)
}

/// Messages of one recipient, newest first (for the citizen's history and tests).
pub async fn to_recipient(db: &Db, recipient: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    read!(db, |c| {
        sqlx::query_as(
            "SELECT template, body FROM notifications WHERE recipient = $1
             ORDER BY created_at DESC, id",
        )
        .bind(recipient)
        .fetch_all(c)
        .await
    })
}
