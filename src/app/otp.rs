//! One-time codes that prove a citizen holds a phone (API.md: `POST
//! /api/v1/otp`). A code is valid 10 minutes, for 5 tries, and proves one
//! action: the transaction of that action uses it up.

use super::{App, AppError, AppResult};
use crate::domain::{Invalid, phone::Phone};
use crate::notify::{self, messages};
use crate::secrets::{constant_time_eq, hash_token, new_id};
use crate::store::{self, Tx, otp::OtpRow};
use rand::Rng;

const VALID_MS: i64 = 10 * 60 * 1000;
const MAX_TRIES: i64 = 5;
/// Codes one phone may be sent: one a minute, five an hour.
const PHONE_GAP_MS: i64 = 60 * 1000;
const PHONE_PER_HOUR: i64 = 5;
const HOUR_MS: i64 = 60 * 60 * 1000;

/// Sends a new code to a phone, unless it or the client asked too often.
pub async fn send(app: &App, phone: &str, lang: &'static str, client: &str) -> AppResult<()> {
    let phone = Phone::parse(phone)?.to_string();
    let now = app.clock.now_ms();
    let per_ip = super::rate_limit::OTP_PER_IP;
    app.limits.check(per_ip, client, now).await?;
    let (last_hour, latest) = store::otp::sent_since(&app.db, &phone, now - HOUR_MS).await?;
    if let Some(latest) = latest.filter(|at| now - at < PHONE_GAP_MS) {
        return Err(retry_in(PHONE_GAP_MS - (now - latest)));
    }
    if last_hour >= PHONE_PER_HOUR {
        return Err(retry_in(HOUR_MS / 4));
    }
    app.limits.record(per_ip, client, now).await;
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
    let id = new_id();
    let row = OtpRow {
        code_hash: code_hash(&id, &code),
        id,
        phone: phone.clone(),
        attempts: 0,
        created_at: now,
        expires_at: now + VALID_MS,
        used_at: None,
    };
    let message = notify::sms(
        None,
        "otp",
        &phone,
        messages::otp(lang, &code),
        format!("otp:{}", row.id),
        now,
    );
    let mut tx = app.db.begin().await?;
    store::otp::insert(&mut tx, &row).await?;
    store::outbox::enqueue(&mut tx, &message).await?;
    tx.commit().await?;
    Ok(())
}

/// A code checked against a phone, to be used up by the action it proves.
#[derive(Debug, Clone)]
pub struct Proof(String);

/// Checks a code; a wrong one counts as a try whatever happens next.
pub async fn check(app: &App, phone: &str, code: Option<&str>) -> AppResult<Proof> {
    let code = code.ok_or_else(|| invalid("this office asks for a code sent by SMS"))?;
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("a code is 6 digits").into());
    }
    let now = app.clock.now_ms();
    let live = store::otp::latest_live(&app.db, phone, now)
        .await?
        .ok_or_else(|| invalid("no valid code for this phone: ask for a new one"))?;
    if live.attempts >= MAX_TRIES {
        return Err(invalid("too many wrong tries: ask for a new code").into());
    }
    if constant_time_eq(&code_hash(&live.id, code), &live.code_hash) {
        return Ok(Proof(live.id));
    }
    let mut tx = app.db.begin().await?;
    store::otp::record_failure(&mut tx, &live.id).await?;
    tx.commit().await?;
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
