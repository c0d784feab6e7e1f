//! A PostgreSQL streaming replica (`DATABASE_REPLICA_URL`): its pool, and
//! the two positions in the write-ahead log that say how far behind it is,
//! the primary's current one and the replica's last replayed one (bytes
//! since the log began). Only PostgreSQL has replicas.

use super::{Db, StoreError, StoreResult};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// How long a read waits for a replica connection before it goes to the
/// primary instead: short, since a replica that refuses connections
/// should cost a read little.
const ACQUIRE_TIMEOUT: Duration = Duration::from_millis(500);

/// The replica's pool, connecting lazily: the service starts, and reads
/// from the primary, while the replica is down.
pub fn connect(url: &str) -> StoreResult<Db> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(StoreError::Other(super::Cause::Sqlx(
            sqlx::Error::Configuration("a replica is a postgres:// URL".into()),
        )));
    }
    let options = PgConnectOptions::from_str(url)?;
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_lazy_with(options);
    Ok(Db::Postgres(pool))
}

/// The primary's position flushed to disk (what a replica may have
/// received); `None` on SQLite.
pub async fn current_lsn(primary: &Db) -> StoreResult<Option<i64>> {
    match primary {
        Db::Sqlite { .. } => Ok(None),
        Db::Postgres(pool) => Ok(Some(
            sqlx::query_scalar("SELECT (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::bigint")
                .fetch_one(pool)
                .await?,
        )),
    }
}

/// Where a replica stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Replaying the primary's log, up to this position.
    Replaying(i64),
    /// Not in recovery: a server that was promoted, or a primary, whose
    /// data may have parted from the primary's.
    NotReplica,
}

/// The replica's last replayed position, if it is a replica.
pub async fn replay(replica: &Db) -> StoreResult<Replay> {
    let Db::Postgres(pool) = replica else {
        return Ok(Replay::NotReplica);
    };
    let (recovering, replayed): (bool, Option<i64>) = sqlx::query_as(
        "SELECT pg_is_in_recovery(),
                (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint",
    )
    .fetch_one(pool)
    .await?;
    Ok(match (recovering, replayed) {
        (true, Some(position)) => Replay::Replaying(position),
        _ => Replay::NotReplica,
    })
}
