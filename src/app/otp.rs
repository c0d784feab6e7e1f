//! One-time codes that prove a citizen holds a phone (`POST /api/v1/otp`,
//! docs/appointments.md). A code is valid 10 minutes, for 5 tries, and proves one
//! action: the transaction of that action uses it up.
//!
//! Limits are taken before the work they guard: a phone's place for one
//! more code is reserved in the transaction that queues it, and each try of
//! a code is counted by the statement that reads it.

use super::{App, AppError, AppResult};
use crate::domain::{Invalid, phone::Phone};
use crate::notify::{self, messages};
use crate::secrets::{constant_time_eq, hash_token, new_id};
use crate::store::otp::{OtpRow, Quota, QuotaRow};
use crate::store::{self, Tx};
use rand::Rng;

const VALID_MS: i64 = 10 * 60 * 1000;
const MAX_TRIES: i64 = 5;
/// Codes one phone may be sent: one a minute, five an hour, ten a day.
pub const PHONE_QUOTA: Quota = Quota {
    gap_ms: 60 * 1000,
    hour_max: 5,
    day_max: 10,
};
const HOUR_MS: i64 = 60 * 60 * 1000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// Sends a new code to a phone, unless its country is not served or it or
/// the client asked too often. Each limit takes its place before the next
/// step: the client's count, then the phone's, in the transaction that
/// queues the SMS.
pub async fn send(app: &App, phone: &Phone, lang: &'static str, client: &str) -> AppResult<()> {
    if !app.guards.sms_countries.allows(phone) {
        return Err(Invalid::new(
            "phone",
            format!(
                "codes are sent by SMS only to numbers of {}",
                app.guards.sms_countries
            ),
        )
        .into());
    }
    let phone = phone.as_str();
    let now = app.clock.now_ms();
    app.guards
        .limits
        .hit(super::rate_limit::OTP_PER_IP, client, now)
        .await?;
    let phone_hash = hash_token(phone);
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
    let id = new_id();
    let row = OtpRow {
        code_hash: code_hash(&id, &code),
        id,
        phone: phone.to_owned(),
        attempts: 0,
        created_at: now,
        expires_at: now + VALID_MS,
        used_at: None,
    };
    let message = notify::sms(
        None,
        "otp",
        phone,
        messages::otp(lang, &code),
        format!("otp:{}", row.id),
        now,
    );
    let mut tx = app.db.begin().await?;
    if !store::otp::reserve(&mut tx, &phone_hash, now, PHONE_QUOTA).await? {
        drop(tx);
        let counts = store::otp::quota(&app.db, &phone_hash).await?;
        return Err(retry_in(
            counts.map_or(PHONE_QUOTA.gap_ms, |c| wait_ms(&c, now)),
        ));
    }
    store::otp::insert(&mut tx, &row).await?;
    store::outbox::enqueue(&mut tx, &message).await?;
    tx.commit().await?;
    Ok(())
}

/// How long until a phone's counts let one more code through.
fn wait_ms(counts: &QuotaRow, now: i64) -> i64 {
    let gap = counts.last_at + PHONE_QUOTA.gap_ms - now;
    let hour = match counts.hour_count >= PHONE_QUOTA.hour_max {
        true => counts.hour_start + HOUR_MS - now,
        false => 0,
    };
    let day = match counts.day_count >= PHONE_QUOTA.day_max {
        true => counts.day_start + DAY_MS - now,
        false => 0,
    };
    gap.max(hour).max(day)
}

/// A code checked against a phone, to be used up by the action it proves.
#[derive(Debug, Clone)]
pub struct Proof(String);

/// Checks a code. Every try counts, in the statement that reads the code,
/// before it is compared: five tries a code, whoever sends them and however
/// many at once.
pub async fn check(app: &App, phone: &Phone, code: Option<&str>) -> AppResult<Proof> {
    let code = code.ok_or_else(|| invalid("this office asks for a code sent by SMS"))?;
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("a code is 6 digits").into());
    }
    let now = app.clock.now_ms();
    let mut tx = app.db.begin().await?;
    let tried = store::otp::take_try(&mut tx, phone, now, MAX_TRIES).await?;
    tx.commit().await?;
    let Some(live) = tried else {
        let spent = store::otp::latest_live(&app.db, phone, now)
            .await?
            .is_some_and(|live| live.attempts >= MAX_TRIES);
        return Err(match spent {
            true => invalid("too many wrong tries: ask for a new code"),
            false => invalid("no valid code for this phone: ask for a new one"),
        }
        .into());
    };
    if constant_time_eq(&code_hash(&live.id, code), &live.code_hash) {
        return Ok(Proof(live.id));
    }
    Err(invalid("wrong code").into())
}

/// Uses a checked code up inside the action's transaction; refused if
/// another action used it first.
pub async fn use_up(tx: &mut Tx, proof: &Proof, now: i64) -> AppResult<()> {
    if store::otp::consume(tx, &proof.0, now).await? {
        Ok(())
    } else {
        Err(invalid("this code was already used: ask for a new one").into())
    }
}

/// `use_up` inside a queue transaction (`store::queue`).
pub fn use_up_queued(t: &mut store::queue::QueueTx<'_>, proof: &Proof, now: i64) -> AppResult<()> {
    if t.use_otp(&proof.0, now)? {
        Ok(())
    } else {
        Err(invalid("this code was already used: ask for a new one").into())
    }
}

fn code_hash(id: &str, code: &str) -> String {
    hash_token(&format!("{id}:{code}"))
}

fn invalid(message: &str) -> Invalid {
    Invalid::new("otp", message)
}

fn retry_in(ms: i64) -> AppError {
    AppError::RateLimited {
        retry_after_secs: ((ms + 999) / 1000).max(1) as u64,
    }
}
