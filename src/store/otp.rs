//! One-time codes sent by SMS to prove a phone number. Only a salted
//! SHA-256 of each code is kept.

use super::StoreError;
use super::rows::{self, execute};
use super::{Db, Tx};
use crate::domain::phone::Phone;
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

rows::values! {
    OtpRow {
        id, phone, code_hash, attempts, created_at, expires_at, used_at
    }
}

pub async fn insert(tx: &mut Tx, otp: &OtpRow) -> Result<(), StoreError> {
    otp.insert_into(tx, "otp_codes").await
}

/// The windows a phone's codes are counted in, and their limits.
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    /// At least this long between two codes.
    pub gap_ms: i64,
    pub hour_max: i64,
    pub day_max: i64,
}

const HOUR_MS: i64 = 60 * 60 * 1000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// A phone's counts, as `reserve` left them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuotaRow {
    pub last_at: i64,
    pub hour_start: i64,
    pub hour_count: i64,
    pub day_start: i64,
    pub day_count: i64,
}

/// Takes the place of one more code for a phone, in one conditional upsert:
/// `false` when the gap or a window's limit refuses it. PostgreSQL locks the
/// row and checks the condition on its latest version, SQLite has one
/// writer, so simultaneous requests never take more places than there are.
pub async fn reserve(
    tx: &mut Tx,
    phone_hash: &str,
    now: i64,
    quota: Quota,
) -> Result<bool, StoreError> {
    let taken: Option<i64> = write!(tx, |c| {
        sqlx::query_scalar(
            "INSERT INTO otp_quota (phone_hash, last_at, hour_start, hour_count, day_start, day_count)
             VALUES ($1, $2, $2, 1, $2, 1)
             ON CONFLICT (phone_hash) DO UPDATE SET
               last_at = excluded.last_at,
               hour_start = CASE WHEN otp_quota.hour_start <= $2 - $3
                            THEN excluded.hour_start ELSE otp_quota.hour_start END,
               hour_count = CASE WHEN otp_quota.hour_start <= $2 - $3
                            THEN 1 ELSE otp_quota.hour_count + 1 END,
               day_start = CASE WHEN otp_quota.day_start <= $2 - $4
                           THEN excluded.day_start ELSE otp_quota.day_start END,
               day_count = CASE WHEN otp_quota.day_start <= $2 - $4
                           THEN 1 ELSE otp_quota.day_count + 1 END
             WHERE otp_quota.last_at <= $2 - $5
               AND (otp_quota.hour_start <= $2 - $3 OR otp_quota.hour_count < $6)
               AND (otp_quota.day_start <= $2 - $4 OR otp_quota.day_count < $7)
             RETURNING day_count",
        )
        .bind(phone_hash)
        .bind(now)
        .bind(HOUR_MS)
        .bind(DAY_MS)
        .bind(quota.gap_ms)
        .bind(quota.hour_max)
        .bind(quota.day_max)
        .fetch_optional(c)
        .await
    })?;
    Ok(taken.is_some())
}

/// A phone's counts, to tell a refused request how long to wait.
pub async fn quota(db: &Db, phone_hash: &str) -> Result<Option<QuotaRow>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT last_at, hour_start, hour_count, day_start, day_count
             FROM otp_quota WHERE phone_hash = $1",
        )
        .bind(phone_hash)
        .fetch_optional(c)
        .await
    })?)
}

/// Takes one try of the phone's latest code, if it is unused, unexpired and
/// has tries left, and returns it to be compared. The try is counted by the
/// statement that reads the code, so simultaneous guesses never get more
/// tries than the code has, and after the last one the code is dead.
pub async fn take_try(
    tx: &mut Tx,
    phone: &Phone,
    now: i64,
    max_tries: i64,
) -> Result<Option<OtpRow>, StoreError> {
    Ok(write!(tx, |c| {
        sqlx::query_as(
            "UPDATE otp_codes SET attempts = attempts + 1
             WHERE id = (SELECT id FROM otp_codes WHERE phone = $1
                         ORDER BY created_at DESC, id LIMIT 1)
               AND used_at IS NULL AND expires_at > $2 AND attempts < $3
             RETURNING id, phone, code_hash, attempts, created_at, expires_at, used_at",
        )
        .bind(phone.as_str())
        .bind(now)
        .bind(max_tries)
        .fetch_optional(c)
        .await
    })?)
}

/// The phone's latest code, if it is still unused and unexpired.
pub async fn latest_live(db: &Db, phone: &Phone, now: i64) -> Result<Option<OtpRow>, StoreError> {
    let latest: Option<OtpRow> = read!(db, |c| {
        sqlx::query_as(
            "SELECT id, phone, code_hash, attempts, created_at, expires_at, used_at
             FROM otp_codes WHERE phone = $1 ORDER BY created_at DESC, id LIMIT 1",
        )
        .bind(phone.as_str())
        .fetch_optional(c)
        .await
    })?;
    Ok(latest.filter(|o| o.used_at.is_none() && o.expires_at > now))
}

/// Uses a code up; `false` if it was used meanwhile (each code proves one
/// action).
/// Uses a code up; binds its id and now.
pub(crate) const CONSUME: &str =
    "UPDATE otp_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL";

pub async fn consume(tx: &mut Tx, id: &str, now: i64) -> Result<bool, StoreError> {
    let changed = execute!(tx, CONSUME, id, now)?;
    Ok(changed == 1)
}
