//! One-time codes sent by SMS to prove a phone number. Only a salted
//! SHA-256 of each code is kept.

use super::{Db, Tx};
use crate::{read, write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OtpRow {
    pub id: String,
    pub phone: String,
    pub code_hash: String,
    pub attempts: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn insert(tx: &mut Tx, otp: &OtpRow) -> Result<(), sqlx::Error> {
    write!(tx, |c| {
        sqlx::query(
            "INSERT INTO otp_codes (id, phone, code_hash, attempts, created_at, expires_at, used_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&otp.id)
        .bind(&otp.phone)
        .bind(&otp.code_hash)
        .bind(otp.attempts)
        .bind(otp.created_at)
        .bind(otp.expires_at)
        .bind(otp.used_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// How many codes a phone was sent since `since`, and when the last was.
pub async fn sent_since(
    db: &Db,
    phone: &str,
    since: i64,
) -> Result<(i64, Option<i64>), sqlx::Error> {
    read!(db, |c| {
        sqlx::query_as(
            "SELECT COUNT(*), MAX(created_at) FROM otp_codes WHERE phone = $1 AND created_at >= $2",
        )
        .bind(phone)
        .bind(since)
        .fetch_one(c)
        .await
    })
}

/// The phone's latest code, if it is still unused and unexpired.
pub async fn latest_live(db: &Db, phone: &str, now: i64) -> Result<Option<OtpRow>, sqlx::Error> {
    let latest: Option<OtpRow> = read!(db, |c| {
        sqlx::query_as(
            "SELECT id, phone, code_hash, attempts, created_at, expires_at, used_at
             FROM otp_codes WHERE phone = $1 ORDER BY created_at DESC, id LIMIT 1",
        )
        .bind(phone)
        .fetch_optional(c)
        .await
    })?;
    Ok(latest.filter(|o| o.used_at.is_none() && o.expires_at > now))
}

/// Counts a wrong try; returns the tries made, this one included.
pub async fn record_failure(tx: &mut Tx, id: &str) -> Result<i64, sqlx::Error> {
    write!(tx, |c| {
        sqlx::query_scalar(
            "UPDATE otp_codes SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts",
        )
        .bind(id)
        .fetch_one(c)
        .await
    })
}

/// Uses a code up; `false` if it was used meanwhile (each code proves one
/// action).
pub async fn consume(tx: &mut Tx, id: &str, now: i64) -> Result<bool, sqlx::Error> {
    let changed = write!(tx, |c| {
        sqlx::query("UPDATE otp_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(changed == 1)
}
