//! Where reads that may be a moment stale go (docs/scaling.md, "Read
//! replicas"): slot lists, public figures, supervisors' statistics,
//! monthly reports and the province view read from the PostgreSQL replica
//! of `DATABASE_REPLICA_URL` while it is healthy, else from the primary.
//! What decides (the queue, bookings, sessions, the outbox) never comes
//! here.
//!
//! `check` runs every second: the replica must answer, be in recovery,
//! and have replayed what the primary had flushed `GUICHET_REPLICA_MAX_LAG_MS`
//! ago. A read that fails on the replica is made again on the primary,
//! and a replica that cannot be reached is taken out of use at once, until
//! the next check finds it well.

use super::App;
use super::error::AppError;
use crate::config::Config;
use crate::store::{self, Db, StoreError, replica::Replay};
use crate::sync::lock;
use anyhow::Context;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// How often the replica is checked.
pub const CHECK_EVERY: Duration = Duration::from_secs(1);

/// The replica as `/readyz` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaState {
    /// No replica configured: every read is on the primary.
    None,
    /// Reads that may be stale go to the replica.
    Ok,
    /// Behind the primary by more than the setting: reads go to the primary.
    Lagging,
    /// Unreachable, not a replica, or not checked yet: reads go to the
    /// primary.
    Down,
}

impl ReplicaState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Ok => "ok",
            Self::Lagging => "lagging",
            Self::Down => "down",
        }
    }

    fn from_u8(value: u8) -> Self {
        match value {
            1 => Self::Ok,
            2 => Self::Lagging,
            _ => Self::Down,
        }
    }
}

/// Where a read may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The replica when it is healthy: a few seconds stale at most.
    Replica,
    /// Always the primary: a read that must see a write just made.
    Primary,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServedLabels {
    by: &'static str,
}

/// The replica, if any, and what `/metrics` says of it.
#[derive(Debug, Default)]
pub struct Reads {
    replica: Option<Replica>,
    /// 1 while reads go to the replica.
    in_use: Gauge,
    /// The replica's lag at the last check, in milliseconds.
    lag_ms: Gauge,
    /// Reads that may go to the replica, by where they were served.
    served: Family<ServedLabels, Counter>,
    /// Of them, those answered with a read made for an earlier caller.
    reused: Family<ServedLabels, Counter>,
}

#[derive(Debug)]
struct Replica {
    db: Db,
    max_lag: Duration,
    state: AtomicU8,
    /// The primary's flushed position at each recent check.
    samples: Mutex<VecDeque<(Instant, i64)>>,
}

impl Reads {
    /// Reads from `db`, a replica, while it is within `max_lag` of the
    /// primary. Down until the first check.
    pub fn replica(db: Db, max_lag: Duration) -> Self {
        Self {
            replica: Some(Replica {
                db,
                max_lag,
                state: AtomicU8::new(0),
                samples: Mutex::new(VecDeque::new()),
            }),
            ..Self::default()
        }
    }

    /// The read replica of the configuration (`DATABASE_REPLICA_URL`), if
    /// any: only beside a PostgreSQL primary.
    pub fn configured(config: &Config, primary: &Db) -> anyhow::Result<Self> {
        let Some(url) = &config.database_replica_url else {
            return Ok(Self::default());
        };
        if primary.backend() != "postgres" {
            anyhow::bail!(
                "DATABASE_REPLICA_URL is set but DATABASE_URL is not PostgreSQL: \
                 read replicas are PostgreSQL's; unset DATABASE_REPLICA_URL with SQLite"
            );
        }
        let replica = store::replica::connect(url.expose())
            .context("DATABASE_REPLICA_URL is not a postgres:// URL")?;
        tracing::info!(
            max_lag_ms = config.replica_max_lag_ms,
            "reads may go to a replica"
        );
        Ok(Self::replica(
            replica,
            Duration::from_millis(config.replica_max_lag_ms),
        ))
    }

    pub fn state(&self) -> ReplicaState {
        match &self.replica {
            None => ReplicaState::None,
            Some(replica) => ReplicaState::from_u8(replica.state.load(Ordering::Relaxed)),
        }
    }

    /// The replica, when `source` allows it and the replica is healthy.
    pub fn replica_for(&self, source: Source) -> Option<&Db> {
        let replica = self.replica.as_ref()?;
        (source == Source::Replica && self.state() == ReplicaState::Ok).then_some(&replica.db)
    }

    /// Whether a read from `source` may be answered with one made a moment
    /// ago for another caller: only beside a replica (where reads are
    /// stale anyway), and only for `Source::Replica`. `Some(true)` while
    /// the replica serves, `Some(false)` while the primary stands in: the
    /// two are never mixed.
    pub fn may_reuse(&self, source: Source) -> Option<bool> {
        self.replica.as_ref()?;
        (source == Source::Replica).then(|| self.state() == ReplicaState::Ok)
    }

    /// Counts a read answered with one made for an earlier caller, by where
    /// that one was made.
    pub fn reused(&self, by_replica: bool) {
        self.served(by_replica);
        let by = if by_replica { "replica" } else { "primary" };
        self.reused.get_or_create(&ServedLabels { by }).inc();
    }

    /// Counts a read that could have gone to the replica, by where it went.
    pub fn served(&self, by_replica: bool) {
        if self.replica.is_some() {
            let by = if by_replica { "replica" } else { "primary" };
            self.served.get_or_create(&ServedLabels { by }).inc();
        }
    }

    /// A read failed on the replica (and is made again on the primary): a
    /// replica that cannot be reached is out of use until the next check.
    pub fn failed(&self, error: &impl Failure) {
        if error.is_unavailable() {
            self.set(ReplicaState::Down, error);
        } else {
            tracing::warn!(%error, "a read failed on the replica; made again on the primary");
        }
    }

    fn set(&self, state: ReplicaState, why: &dyn std::fmt::Display) {
        let Some(replica) = &self.replica else { return };
        let code = match state {
            ReplicaState::Ok => 1,
            ReplicaState::Lagging => 2,
            _ => 3,
        };
        let before = ReplicaState::from_u8(replica.state.swap(code, Ordering::Relaxed));
        self.in_use.set(i64::from(state == ReplicaState::Ok));
        if before != state {
            match state {
                ReplicaState::Ok => tracing::info!("the replica serves reads again"),
                _ => tracing::warn!(state = state.as_str(), %why,
                    "reads go to the primary: the replica is not usable"),
            }
        }
    }

    /// Closes the replica's pool, at shutdown.
    pub async fn close(&self) {
        if let Some(replica) = &self.replica {
            replica.db.close().await;
        }
    }

    /// Adds the replica's gauges and counters to a registry.
    pub fn register(&self, registry: &mut Registry) {
        registry.register(
            "replica_in_use",
            "1 while reads that may be a moment stale go to the read replica, else 0",
            self.in_use.clone(),
        );
        registry.register(
            "replica_lag_milliseconds",
            "How far the read replica was behind the primary at its last check",
            self.lag_ms.clone(),
        );
        if self.replica.is_some() {
            for by in ["replica", "primary"] {
                let _ = self.served.get_or_create(&ServedLabels { by });
                let _ = self.reused.get_or_create(&ServedLabels { by });
            }
        }
        registry.register(
            "replica_reads",
            "Reads that may go to the read replica, by where they were served (replica or primary)",
            self.served.clone(),
        );
        registry.register(
            "replica_reads_reused",
            "Of those reads, the ones answered with a read made within the last second for another caller",
            self.reused.clone(),
        );
    }
}

/// An error a read may end in, and whether it says the database could not
/// be reached.
pub trait Failure: std::fmt::Display {
    fn is_unavailable(&self) -> bool;
}

impl Failure for StoreError {
    fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }
}

impl Failure for AppError {
    fn is_unavailable(&self) -> bool {
        matches!(self, AppError::Unavailable(_))
    }
}

/// Checks the replica once: reachable, a replica, and within the lag
/// allowed. Never fails: what it finds is the replica's state.
pub async fn check(app: &App) -> Result<(), std::convert::Infallible> {
    let reads = &app.reads;
    let Some(replica) = &reads.replica else {
        return Ok(());
    };
    // The primary first: the replica is then measured against a position
    // the primary had already reached.
    let now = Instant::now();
    match store::replica::current_lsn(&app.db).await {
        Ok(Some(position)) => remember(&mut lock(&replica.samples), now, position, replica.max_lag),
        Ok(None) => {}
        // The primary's own trouble shows on /readyz; the replica is
        // measured against the positions already known.
        Err(error) => tracing::debug!(%error, "the primary's position was not read"),
    }
    let replay = tokio::time::timeout(CHECK_EVERY, store::replica::replay(&replica.db)).await;
    match replay {
        Ok(Ok(Replay::Replaying(position))) => {
            let lag = lag(&lock(&replica.samples), position, Instant::now());
            reads
                .lag_ms
                .set(i64::try_from(lag.as_millis()).unwrap_or(i64::MAX));
            if lag > replica.max_lag {
                let why = format!("{} ms behind", lag.as_millis());
                reads.set(ReplicaState::Lagging, &why);
            } else {
                reads.set(ReplicaState::Ok, &"");
            }
        }
        Ok(Ok(Replay::NotReplica)) => {
            reads.set(
                ReplicaState::Down,
                &"the server is not in recovery (promoted?)",
            );
        }
        Ok(Err(error)) => reads.set(ReplicaState::Down, &error),
        Err(_) => reads.set(ReplicaState::Down, &"no answer within a second"),
    }
    Ok(())
}

/// Adds the primary's position at `now`, and forgets those too old to
/// matter: a replica behind all that are kept is lagging anyway.
fn remember(
    samples: &mut VecDeque<(Instant, i64)>,
    now: Instant,
    position: i64,
    max_lag: Duration,
) {
    let keep = max_lag * 2 + 2 * CHECK_EVERY;
    while samples
        .front()
        .is_some_and(|(at, _)| now.saturating_duration_since(*at) > keep)
    {
        samples.pop_front();
    }
    samples.push_back((now, position));
}

/// How long ago the primary had written what the replica has not replayed
/// yet: the age of the oldest position known beyond `replayed`; nothing
/// when it has replayed every position known. Exact to one check.
fn lag(samples: &VecDeque<(Instant, i64)>, replayed: i64, now: Instant) -> Duration {
    samples
        .iter()
        .find(|(_, position)| *position > replayed)
        .map_or(Duration::ZERO, |(at, _)| now.saturating_duration_since(*at))
}

/// Runs `$body` with `$db` bound to where a read that may be a moment
/// stale goes: the replica when it is healthy (and `$source` allows it),
/// else the primary. A read that fails on the replica is made again on
/// the primary, so `$body` (an expression that awaits and gives a
/// `Result`, the `?` kept outside) may run twice.
macro_rules! from_replica {
    ($app:expr, |$db:ident| $body:expr) => {
        $crate::app::reads::from_replica!($app, $crate::app::reads::Source::Replica, |$db| $body)
    };
    ($app:expr, $source:expr, |$db:ident| $body:expr) => {{
        let app: &$crate::app::App = $app;
        match app.reads.replica_for($source) {
            Some(replica) => {
                let $db: &$crate::store::Db = replica;
                match $body {
                    Ok(value) => {
                        app.reads.served(true);
                        Ok(value)
                    }
                    Err(error) => {
                        app.reads.failed(&error);
                        app.reads.served(false);
                        let $db: &$crate::store::Db = &app.db;
                        $body
                    }
                }
            }
            None => {
                app.reads.served(false);
                let $db: &$crate::store::Db = &app.db;
                $body
            }
        }
    }};
}

pub(crate) use from_replica;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_is_the_age_of_the_oldest_position_not_replayed() {
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);
        let mut samples = VecDeque::new();
        let max = Duration::from_secs(2);
        for (s, position) in [(0, 100), (1, 100), (2, 250), (3, 400), (4, 400)] {
            remember(&mut samples, at(s), position, max);
        }
        // Caught up, or ahead of what was sampled: no lag.
        assert_eq!(lag(&samples, 400, at(4)), Duration::ZERO);
        assert_eq!(lag(&samples, 500, at(4)), Duration::ZERO);
        // Missing what the primary had at 3 s: a second behind at 4 s.
        assert_eq!(lag(&samples, 250, at(4)), Duration::from_secs(1));
        assert_eq!(lag(&samples, 100, at(4)), Duration::from_secs(2));
        // An idle primary: the lag of a replica that caught up stays 0.
        remember(&mut samples, at(60), 400, max);
        assert_eq!(lag(&samples, 400, at(60)), Duration::ZERO);
        // Old positions are forgotten; a replica behind all kept is at
        // least as far behind as the oldest.
        assert_eq!(samples.len(), 1);
        remember(&mut samples, at(61), 900, max);
        assert_eq!(lag(&samples, 100, at(63)), Duration::from_secs(3));
    }
}
