//! Fixed windows counted in Redis, so that every instance of a deployment
//! sees the same counts. One key per window, incremented and given its
//! expiry in one atomic script; the key's remaining time is the window's.
//!
//! Every call is bounded by a short timeout. After a failure Redis is left
//! alone for a moment, so an absent Redis costs requests nothing but the
//! fallback to the in-process count.

use super::memory::Count;
use redis::aio::MultiplexedConnection;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const TIMEOUT: Duration = Duration::from_millis(300);
/// How long Redis is left alone after a failure.
const PAUSE_MS: i64 = 1_000;

/// INCR, and PEXPIRE when the key is new (or lost its expiry); answers the
/// count and the milliseconds left.
const ADD: &str = "local n = redis.call('INCR', KEYS[1]) \
    local ttl = redis.call('PTTL', KEYS[1]) \
    if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end \
    return {n, ttl}";

/// DECR, only while the key (and so its window) exists and is above 0.
const TAKE_BACK: &str = "local n = tonumber(redis.call('GET', KEYS[1])) \
    if n and n > 0 then return redis.call('DECR', KEYS[1]) end \
    return 0";

#[derive(Debug)]
pub struct Counter {
    client: redis::Client,
    connection: Mutex<Option<MultiplexedConnection>>,
    /// Since this process started, in ms, when Redis last failed.
    failed_at: AtomicI64,
    /// Whether the last call failed: a warning when it starts, a notice
    /// when it ends, not one per request.
    failing: AtomicBool,
    started: Instant,
}

impl Counter {
    pub fn new(url: &str) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)
            .map_err(|e| anyhow::anyhow!("REDIS_URL is not a Redis URL: {e}"))?;
        Ok(Self {
            client,
            connection: Mutex::new(None),
            failed_at: AtomicI64::new(i64::MIN / 2),
            failing: AtomicBool::new(false),
            started: Instant::now(),
        })
    }

    /// Counts one more under `key`; `None` when Redis could not answer.
    pub async fn add(&self, key: &str, window_ms: i64) -> Option<Count> {
        let mut command = redis::cmd("EVAL");
        command.arg(ADD).arg(1).arg(key).arg(window_ms);
        self.run::<(i64, i64)>(command)
            .await
            .map(|(count, left)| (count.clamp(0, u32::MAX as i64) as u32, left))
    }

    /// Gives back one place taken by `add`, if its window still runs.
    pub async fn take_back(&self, key: &str) {
        let mut command = redis::cmd("EVAL");
        command.arg(TAKE_BACK).arg(1).arg(key);
        let _ = self.run::<i64>(command).await;
    }

    pub async fn clear(&self, key: &str) {
        let mut command = redis::cmd("DEL");
        command.arg(key);
        let _ = self.run::<i64>(command).await;
    }

    async fn run<T: redis::FromRedisValue>(&self, command: redis::Cmd) -> Option<T> {
        let mut connection = self.connection().await?;
        let outcome = tokio::time::timeout(TIMEOUT, command.query_async::<T>(&mut connection));
        self.settle(outcome.await).await
    }

    /// The shared connection, opened if needed, unless Redis failed a
    /// moment ago.
    async fn connection(&self) -> Option<MultiplexedConnection> {
        if self.elapsed_ms() - self.failed_at.load(Ordering::Relaxed) < PAUSE_MS {
            return None;
        }
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Some(connection.clone());
        }
        let connect = self.client.get_multiplexed_async_connection();
        match tokio::time::timeout(TIMEOUT, connect).await {
            Ok(Ok(connection)) => {
                *slot = Some(connection.clone());
                Some(connection)
            }
            Ok(Err(error)) => {
                drop(slot);
                self.failed(&error.to_string());
                None
            }
            Err(_) => {
                drop(slot);
                self.failed("no answer in time");
                None
            }
        }
    }

    async fn settle<T>(
        &self,
        outcome: Result<redis::RedisResult<T>, tokio::time::error::Elapsed>,
    ) -> Option<T> {
        let error = match outcome {
            Ok(Ok(value)) => {
                if self.failing.swap(false, Ordering::Relaxed) {
                    tracing::info!("rate limits are counted in Redis again");
                }
                return Some(value);
            }
            Ok(Err(error)) => error.to_string(),
            Err(_) => "no answer in time".to_owned(),
        };
        *self.connection.lock().await = None;
        self.failed(&error);
        None
    }

    fn failed(&self, error: &str) {
        self.failed_at.store(self.elapsed_ms(), Ordering::Relaxed);
        if !self.failing.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                %error,
                "Redis failed: rate limits are counted in this instance only until it answers"
            );
        }
    }

    fn elapsed_ms(&self) -> i64 {
        self.started.elapsed().as_millis() as i64
    }
}
