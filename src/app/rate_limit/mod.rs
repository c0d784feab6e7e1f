//! Rate limits: how often one phone, one username or one client address
//! may do something that costs the office (an SMS, a booking, a password
//! check), counted in fixed windows.
//!
//! With Redis (`REDIS_URL`) the counts are shared by every instance, under
//! keys `guichet:rl:{rule}:{hash of the subject}` (no phone or address in
//! clear in Redis). Without it, or while Redis fails, each instance counts
//! in its own memory. A refusal is `AppError::RateLimited`, which the API
//! answers 429 `rate_limited` with `Retry-After`.
//!
//! Limits per client address are much higher than per phone: a whole office
//! Wi-Fi, or a mobile operator's NAT, shares one address.

mod memory;
mod redis;

use super::{App, AppError, AppResult};
use crate::domain::phone::Phone;

/// What is limited, how many times, and in what window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Part of the key: one count per rule and subject.
    pub name: &'static str,
    pub max: u32,
    pub window_ms: i64,
}

const MINUTE: i64 = 60 * 1000;
const HOUR: i64 = 60 * MINUTE;

/// Passwords tried for one username (the account is what is guessed at);
/// the right one clears the count.
pub const LOGIN_FAILURES_PER_USER: Rule = rule("login-user", 5, 15 * MINUTE);
/// Passwords tried from one address: an office's agents share one. The right
/// one gives its place back.
pub const LOGIN_FAILURES_PER_IP: Rule = rule("login-ip", 50, 15 * MINUTE);
/// Citizens' logins (phone and code) tried for one phone, and from one
/// address; each code has its own 5 tries besides (see `otp`).
pub const CITIZEN_LOGIN_PER_PHONE: Rule = rule("citizen-login-phone", 10, HOUR);
pub const CITIZEN_LOGIN_PER_IP: Rule = rule("citizen-login-ip", 300, HOUR);
/// Codes sent by SMS, asked from one address (per phone, the codes are
/// counted in the database: see `otp::PHONE_QUOTA`).
pub const OTP_PER_IP: Rule = rule("otp-ip", 100, HOUR);
/// Bookings tried for one phone, and from one address.
pub const BOOKINGS_PER_PHONE: Rule = rule("booking-phone", 20, HOUR);
pub const BOOKINGS_PER_IP: Rule = rule("booking-ip", 300, HOUR);
/// Places on a waiting list asked for one phone, and from one address.
pub const WAITLIST_PER_PHONE: Rule = rule("waitlist-phone", 20, HOUR);
pub const WAITLIST_PER_IP: Rule = rule("waitlist-ip", 300, HOUR);
/// Remote-queue joins tried for one phone (web or SMS), and from one
/// address (web).
pub const REMOTE_JOIN_PER_PHONE: Rule = rule("remote-join-phone", 10, HOUR);
pub const REMOTE_JOIN_PER_IP: Rule = rule("remote-join-ip", 300, HOUR);
/// Document requests filed for one phone, and from one address.
pub const REQUESTS_PER_PHONE: Rule = rule("request-phone", 20, HOUR);
pub const REQUESTS_PER_IP: Rule = rule("request-ip", 300, HOUR);
/// Complaints filed for one phone, and from one address.
pub const COMPLAINTS_PER_PHONE: Rule = rule("complaint-phone", 10, HOUR);
pub const COMPLAINTS_PER_IP: Rule = rule("complaint-ip", 200, HOUR);
/// SMS received from one phone (each may cost a reply), and webhook calls
/// from one address (the provider's few addresses carry every citizen's).
pub const INBOUND_SMS_PER_PHONE: Rule = rule("sms-phone", 20, HOUR);
pub const INBOUND_SMS_PER_IP: Rule = rule("sms-ip", 2_000, MINUTE);
/// Earliest-slot searches (API and portal) from one address: a read over
/// every office, so bounded, but far above what an office's Wi-Fi asks.
pub const EARLIEST_PER_IP: Rule = rule("earliest-ip", 600, MINUTE);
/// Pushes of partners' files: from one address before the signature is
/// checked, and from one partner once it is.
pub const PARTNER_PUSH_PER_IP: Rule = rule("partner-push-ip", 2_000, MINUTE);
pub const PARTNER_PUSH_PER_PARTNER: Rule = rule("partner-push", 600, MINUTE);
/// Citizens following a partner's file: from one address (a kiosk, an
/// office's Wi-Fi), and wrong identifiers for one reference (guessing its
/// holder's; the right one gives its place back).
pub const FILE_FOLLOW_PER_IP: Rule = rule("file-follow-ip", 300, HOUR);
pub const FILE_FOLLOW_PER_REFERENCE: Rule = rule("file-follow-reference", 10, HOUR);

const fn rule(name: &'static str, max: u32, window_ms: i64) -> Rule {
    Rule {
        name,
        max,
        window_ms,
    }
}

/// What the public creates, each limited per phone and per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Creation {
    Booking,
    Waitlist,
    Request,
    Complaint,
}

impl Creation {
    fn rules(self) -> (Rule, Rule) {
        match self {
            Self::Booking => (BOOKINGS_PER_PHONE, BOOKINGS_PER_IP),
            Self::Waitlist => (WAITLIST_PER_PHONE, WAITLIST_PER_IP),
            Self::Request => (REQUESTS_PER_PHONE, REQUESTS_PER_IP),
            Self::Complaint => (COMPLAINTS_PER_PHONE, COMPLAINTS_PER_IP),
        }
    }
}

/// The default start of every key in Redis.
pub const PREFIX: &str = "guichet:rl:";

/// Counts attempts per rule and subject, in Redis or in this process.
#[derive(Debug)]
pub struct Limiter {
    memory: memory::Windows,
    redis: Option<redis::Counter>,
    /// Start of the keys in Redis; tests give each run its own.
    prefix: String,
}

impl Default for Limiter {
    fn default() -> Self {
        Self {
            memory: memory::Windows::default(),
            redis: None,
            prefix: PREFIX.to_owned(),
        }
    }
}

impl Limiter {
    /// Counts in Redis at `url`, falling back to this process.
    pub fn redis(url: &str) -> anyhow::Result<Self> {
        Ok(Self {
            redis: Some(redis::Counter::new(url)?),
            ..Self::default()
        })
    }

    /// Puts the keys in Redis under another prefix.
    pub fn set_prefix(&mut self, prefix: &str) {
        prefix.clone_into(&mut self.prefix);
    }

    /// Takes a place for one attempt, before the attempt is made; refused
    /// once the rule's places are taken. The count is one atomic step
    /// (`INCR` in Redis, under a lock in the process), so requests that
    /// arrive together can never all pass a check made before they are
    /// counted.
    pub async fn hit(&self, rule: Rule, subject: &str, now_ms: i64) -> AppResult<()> {
        let key = self.key(rule, subject);
        let local = self.memory.add(&key, rule.window_ms, now_ms);
        let shared = match &self.redis {
            Some(redis) => redis.add(&self.redis_key(&key), rule.window_ms).await,
            None => None,
        };
        refuse_past(rule.max, shared.unwrap_or(local))
    }

    /// Gives back the place `hit` took: the attempt it guarded turned out
    /// to be one the rule does not count (a right password).
    pub async fn take_back(&self, rule: Rule, subject: &str) {
        let key = self.key(rule, subject);
        self.memory.take_back(&key);
        if let Some(redis) = &self.redis {
            redis.take_back(&self.redis_key(&key)).await;
        }
    }

    /// Forgets the count (a successful login clears its username's).
    pub async fn clear(&self, rule: Rule, subject: &str) {
        let key = self.key(rule, subject);
        self.memory.clear(&key);
        if let Some(redis) = &self.redis {
            redis.clear(&self.redis_key(&key)).await;
        }
    }

    /// The subject is hashed: keys hold no phone, name or address.
    fn key(&self, rule: Rule, subject: &str) -> String {
        let hash = crate::secrets::hash_token(subject);
        format!("{}:{}", rule.name, &hash[..32])
    }

    fn redis_key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn refuse_past(max: u32, (count, left_ms): memory::Count) -> AppResult<()> {
    if count <= max {
        return Ok(());
    }
    Err(AppError::RateLimited {
        retry_after_secs: ((left_ms + 999) / 1000).max(1) as u64,
    })
}

/// Counts a citizen's attempt to create something, per phone and per client
/// address. A phone that does not parse is left to the use case to refuse.
pub(super) async fn creation(
    app: &App,
    what: Creation,
    client: &str,
    phone: &str,
) -> AppResult<()> {
    let (per_phone, per_ip) = what.rules();
    let now = app.clock.now_ms();
    app.guards.limits.hit(per_ip, client, now).await?;
    if let Ok(phone) = Phone::parse(phone) {
        app.guards
            .limits
            .hit(per_phone, &phone.to_string(), now)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: Rule = rule("test", 3, 60_000);

    #[tokio::test]
    async fn refuses_past_the_limit_until_the_window_ends() {
        let limiter = Limiter::default();
        for _ in 0..3 {
            assert!(limiter.hit(RULE, "amina", 1_000).await.is_ok());
        }
        let refused = limiter.hit(RULE, "amina", 31_000).await;
        assert!(
            matches!(
                refused,
                Err(AppError::RateLimited {
                    retry_after_secs: 30
                })
            ),
            "{refused:?}"
        );
        assert!(limiter.hit(RULE, "youssef", 31_000).await.is_ok());
        assert!(limiter.hit(RULE, "amina", 61_000).await.is_ok());
    }

    #[tokio::test]
    async fn a_place_given_back_or_cleared_can_be_taken_again() {
        let limiter = Limiter::default();
        for _ in 0..3 {
            assert!(limiter.hit(RULE, "amina", 1_000).await.is_ok());
        }
        limiter.take_back(RULE, "amina").await;
        assert!(limiter.hit(RULE, "amina", 1_000).await.is_ok());
        assert!(limiter.hit(RULE, "amina", 1_000).await.is_err());
        limiter.clear(RULE, "amina").await;
        assert!(limiter.hit(RULE, "amina", 1_000).await.is_ok());
    }

    #[tokio::test]
    async fn simultaneous_attempts_take_no_more_places_than_the_rule_has() {
        let limiter = std::sync::Arc::new(Limiter::default());
        let attempts = (0..200).map(|_| {
            let limiter = limiter.clone();
            tokio::spawn(async move { limiter.hit(RULE, "amina", 1_000).await.is_ok() })
        });
        let mut passed = 0;
        for attempt in attempts {
            passed += usize::from(attempt.await.unwrap());
        }
        assert_eq!(passed, RULE.max as usize);
    }
}
