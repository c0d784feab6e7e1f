//! Sends what the outbox holds.
//!
//! Each pass claims due messages for a lease (`store::outbox::claim`: on
//! PostgreSQL `FOR UPDATE SKIP LOCKED`, so instances never take the same
//! row), sends them, and records the outcome. A timeout, a 429 (after its
//! `Retry-After`) or a 5xx is retried with exponential backoff and jitter;
//! a permanent error is dead at once; the last attempt's failure too. A
//! message whose worker died is claimed again once its lease ends: the
//! provider may then get it twice, which the idempotency token prevents
//! where the provider honours it, and the log says so.
//!
//! A failure that may pass also marks the SMS or e-mail provider down for
//! this instance (`notify::breaker`): its messages wait, in their order,
//! while the worker tries only the oldest few after a growing wait; once
//! one goes through, the backlog goes out in order of due time.

use super::Transports;
use super::breaker::Breakers;
use super::{Attempt, redact};
use crate::clock::Clock;
use crate::store::Db;
use crate::store::outbox::{self, Claimed, LEASE_EXPIRED, Outcome};
use futures_util::StreamExt;
use rand::Rng;

/// Messages claimed in one pass at most.
const BATCH: i64 = 50;
/// Messages sent at once by one instance.
const PARALLEL: usize = 8;
/// How long a worker holds a claimed message: longer than any transport's
/// timeout.
const LEASE_MS: i64 = 60_000;
/// Attempts before a message is dead: about half an hour for a citizen's
/// SMS or e-mail (later, it is news no more), about three days for a
/// webhook delivery (another system's outage may last that long).
fn max_attempts(channel: &str) -> i64 {
    match channel {
        "webhook" => 440,
        _ => 10,
    }
}
const FIRST_RETRY_MS: i64 = 2_000;
const LONGEST_RETRY_MS: i64 = 10 * 60_000;

/// What the worker sends with, lent by its caller (`app::outbox::send_due`).
pub struct Worker<'a> {
    pub db: &'a Db,
    pub clock: &'a Clock,
    pub transports: &'a Transports,
    /// Which providers this instance has seen down.
    pub breakers: &'a Breakers,
    /// Hears the outcome of every attempt.
    pub counts: &'a (dyn SendCounts + Sync),
}

/// Counts attempts by channel and outcome (`sent`, `retry`, `dead`).
pub trait SendCounts {
    fn sent(&self, channel: &str, outcome: &str);
}

/// Sends every due message; returns how many were sent.
pub async fn send_due(worker: &Worker<'_>) -> Result<usize, crate::store::StoreError> {
    let mut sent = 0;
    // A provider that was down: its oldest messages, whatever their own
    // schedule, once the channel's wait is over.
    for channel in worker.breakers.to_probe(worker.clock.now_ms()) {
        let now = worker.clock.now_ms();
        let batch =
            outbox::claim_oldest(worker.db, channel, now, LEASE_MS, PARALLEL as i64).await?;
        if batch.is_empty() {
            worker.breakers.answered(channel);
        }
        sent += send_all(worker, batch).await;
    }
    loop {
        let paused = worker.breakers.failing();
        let now = worker.clock.now_ms();
        let batch = outbox::claim(worker.db, now, LEASE_MS, BATCH, &paused).await?;
        let claimed = batch.len() as i64;
        sent += send_all(worker, batch).await;
        if claimed < BATCH {
            return Ok(sent);
        }
    }
}

/// Sends `batch` in its order, `PARALLEL` at a time; returns how many went.
async fn send_all(worker: &Worker<'_>, batch: Vec<Claimed>) -> usize {
    let outcomes: Vec<bool> = futures_util::stream::iter(batch)
        .map(|message| send_one(worker, message))
        .buffered(PARALLEL)
        .collect()
        .await;
    outcomes.into_iter().filter(|ok| *ok).count()
}

async fn send_one(worker: &Worker<'_>, message: Claimed) -> bool {
    if worker
        .breakers
        .holds(&message.channel, worker.clock.now_ms())
    {
        // Its provider failed another message of this batch: it waits with
        // the others, in its place, its attempt not counted.
        if let Err(error) = outbox::release(worker.db, &message.id).await {
            tracing::warn!(id = %message.id, %error, "could not give back a message");
        }
        return false;
    }
    if message.last_error.as_deref() == Some(LEASE_EXPIRED) {
        tracing::warn!(id = %message.id, key = %message.idempotency_key, channel = %message.channel,
            "sending again a message whose earlier attempt has no known outcome; a provider \
             that honours the idempotency token sends it once, others may send it twice");
    }
    let attempt = redacted(attempt(worker, &message).await, &message);
    let now = worker.clock.now_ms();
    match &attempt {
        Attempt::Retry { after, .. } => {
            let after = after.map(|after| after.as_millis() as i64);
            worker
                .breakers
                .failed(&message.channel, now, after, |failures| {
                    backoff_ms(failures, rand::rng().random_range(0.75..1.25))
                });
        }
        Attempt::Sent { .. } | Attempt::Permanent { .. } => {
            if let Some(since) = worker.breakers.answered(&message.channel) {
                match outbox::due_again(worker.db, &message.channel, since).await {
                    Ok(waiting) => tracing::info!(channel = %message.channel, waiting,
                        "the provider answers again: sending what waited, oldest first"),
                    Err(error) => tracing::warn!(channel = %message.channel, %error,
                        "could not put back in order the messages that waited"),
                }
            }
        }
    }
    let outcome = match attempt {
        Attempt::Sent { provider_id } => Outcome::Sent { provider_id },
        Attempt::Permanent { error } => Outcome::Dead { error },
        Attempt::Retry { error, .. } if message.attempts >= max_attempts(&message.channel) => {
            Outcome::Dead {
                error: format!("{error} (after {} attempts)", message.attempts),
            }
        }
        Attempt::Retry { after, error } => {
            let wait = match after {
                Some(after) => after.as_millis() as i64,
                None => backoff_ms(message.attempts, rand::rng().random_range(0.75..1.25)),
            };
            Outcome::Retry {
                next_at: now + wait,
                error,
            }
        }
    };
    let label = match &outcome {
        Outcome::Sent { .. } => "sent",
        Outcome::Retry { .. } => "retry",
        Outcome::Dead { .. } => "dead",
    };
    worker.counts.sent(&message.channel, label);
    match &outcome {
        Outcome::Sent { .. } => tracing::info!(id = %message.id, channel = %message.channel,
            template = %message.template, attempts = message.attempts, "message sent"),
        Outcome::Retry { error, next_at } => tracing::warn!(id = %message.id,
            channel = %message.channel, attempts = message.attempts, %error,
            retry_in_ms = next_at - now, "message not sent; will retry"),
        Outcome::Dead { error } => tracing::error!(id = %message.id, channel = %message.channel,
            attempts = message.attempts, %error, "message given up"),
    }
    if let Err(error) = outbox::record(worker.db, &message.id, &outcome, now).await {
        tracing::warn!(id = %message.id, %error, "could not record a message's outcome");
    }
    matches!(outcome, Outcome::Sent { .. })
}

async fn attempt(worker: &Worker<'_>, message: &Claimed) -> Attempt {
    let transports = worker.transports;
    match (message.channel.as_str(), &transports.sms, &transports.email) {
        ("sms", Some(twilio), _) => {
            let body = crate::domain::sms::shorten(&message.body, MAX_SEGMENTS);
            twilio
                .send(&message.recipient, &body, &message.idempotency_key)
                .await
        }
        ("email", _, Some(mailer)) => {
            let subject = message.subject.as_deref().unwrap_or("Guichet");
            mailer
                .send(
                    &message.recipient,
                    subject,
                    &message.body,
                    message.html.as_deref(),
                    message
                        .attachment_name
                        .as_deref()
                        .zip(message.attachment.as_deref()),
                    &message.idempotency_key,
                )
                .await
        }
        ("webhook", _, _) => {
            let endpoint = match crate::store::webhooks::get(worker.db, &message.recipient).await {
                Ok(endpoint) => endpoint,
                Err(error) => {
                    return Attempt::Retry {
                        after: None,
                        error: error.to_string(),
                    };
                }
            };
            let now = worker.clock.now_ms();
            let (id, event, body) = (&message.id, &message.template, &message.body);
            super::webhooks::deliver(&transports.http, endpoint, id, event, body, now).await
        }
        ("sms" | "email", _, _) => {
            // Never the body: it holds codes and links with tokens. With
            // `serve --demo`, `/demo/messages` shows it.
            tracing::info!(id = %message.id, channel = %message.channel,
                template = %message.template,
                to = %redact::recipient(&message.channel, &message.recipient),
                "message not sent: no provider for its channel (log transport)");
            Attempt::Sent { provider_id: None }
        }
        (other, _, _) => Attempt::Permanent {
            error: format!("unknown channel {other}"),
        },
    }
}

/// The attempt with its error fit for the log and the outbox's record:
/// no recipient in clear, no code (`notify::redact`).
fn redacted(attempt: Attempt, message: &Claimed) -> Attempt {
    let clean = |error: String| redact::error(&error, &message.channel, &message.recipient);
    match attempt {
        Attempt::Retry { after, error } => Attempt::Retry {
            after,
            error: clean(error),
        },
        Attempt::Permanent { error } => Attempt::Permanent {
            error: clean(error),
        },
        sent => sent,
    }
}

/// SMS longer than this many segments are shortened (they cost more and
/// some phones show them badly).
const MAX_SEGMENTS: u32 = 3;

/// The wait before attempt `attempts + 1`: doubling from 2 s up to 10
/// minutes, spread by `jitter` (around 1.0) so that messages that failed
/// together do not all come back together.
fn backoff_ms(attempts: i64, jitter: f64) -> i64 {
    let doubled = FIRST_RETRY_MS.saturating_mul(1 << (attempts - 1).clamp(0, 20));
    (doubled.min(LONGEST_RETRY_MS) as f64 * jitter) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_up_to_ten_minutes() {
        assert_eq!(backoff_ms(1, 1.0), 2_000);
        assert_eq!(backoff_ms(2, 1.0), 4_000);
        assert_eq!(backoff_ms(5, 1.0), 32_000);
        assert_eq!(backoff_ms(30, 1.0), 600_000);
        assert_eq!(backoff_ms(1, 0.75), 1_500);
    }
}
