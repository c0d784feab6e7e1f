//! Storage: the only module that writes SQL.
//!
//! One codebase for two backends. SQLite (a file in WAL mode) is the
//! embedded default; PostgreSQL is chosen by a `postgres://` URL. Queries are
//! written once and compiled for each backend by the `read!` and `write!`
//! macros, which match on the pool or transaction and run the same
//! expression against it. Where the SQL must differ (row locks, upserts), a
//! store function matches on the backend itself and says why.
//!
//! On SQLite, the queue's hot transactions run on a writer connection of
//! their own through SQLite's C API (`direct`); every other write goes
//! through a sqlx pool of one connection. Both begin `IMMEDIATE`, so a
//! transaction takes the write lock first and never fails upgrading a read
//! lock; both take a turn first (`direct::Turns`), so one writer waits for
//! the other in the order they came. Reads use their own pool and see
//! committed data (WAL).

pub mod accounts;
pub mod announcements;
pub mod appointments;
pub mod audit;
pub mod capsules;
mod columns;
pub mod comparison;
pub mod complaints;
pub mod console;
pub mod counters;
pub mod deployment;
pub mod devices;
pub mod direct;
pub mod earliest;
mod error;
pub mod events;
pub mod gauges;
pub mod guides;
pub mod history;
pub mod media;
pub mod media_leftovers;
pub mod otp;
pub mod outbox;
pub mod partners;
pub mod provinces;
pub mod public_stats;
pub mod queue;
pub mod remote_queue;
pub mod replica;
pub mod report_mailings;
pub mod requests;
pub mod retention;
mod rows;
pub mod seed;
pub mod services;
pub mod sites;
pub mod stats;
pub mod supervision;
pub mod tally;
pub mod tickets;
pub mod visits;
pub mod voice_clips;
pub mod waitlist;
pub mod webhooks;

pub use error::{Cause, LOG_DIRECTIVE, StoreError, StoreResult};

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a request may wait for a connection before the service answers
/// 503 rather than hanging.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        /// The hot queue transactions' own writer (see `direct`).
        direct: direct::Writer,
    },
    Postgres(PgPool),
}

/// A write transaction on either backend; commit it or drop it to roll back.
pub enum Tx {
    Sqlite(SqliteTx),
    Postgres(Transaction<'static, Postgres>),
}

/// A transaction of the sqlx writer on SQLite, with its turn at the write
/// lock (`direct::Turns`), given back once it is committed or dropped.
pub struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
    _turn: direct::Turn,
}

impl std::ops::Deref for SqliteTx {
    type Target = sqlx::SqliteConnection;

    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// Runs `$body` with `$c` bound to a pool of the right backend for reading.
macro_rules! read {
    ($db:expr, |$c:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite { read, .. } => {
                let $c = read;
                $body
            }
            $crate::store::Db::Postgres(pool) => {
                let $c = pool;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to the connection of an open transaction.
macro_rules! write {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(tx) => {
                let $c = &mut **tx;
                $body
            }
            $crate::store::Tx::Postgres(tx) => {
                let $c = &mut **tx;
                $body
            }
        }
    };
}

pub(crate) use {read, write};

/// Either the pool (reading committed data) or an open transaction
/// (reading its own writes): counts that events carry are read in the
/// transaction that changes them.
pub enum Conn<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

/// Runs `$body` with `$c` bound to a pool or a transaction's connection.
macro_rules! on {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::store::Conn::Db(db) => $crate::store::read!(db, |$c| $body),
            $crate::store::Conn::Tx(tx) => $crate::store::write!(tx, |$c| $body),
        }
    };
}

pub(crate) use on;

impl Db {
    /// Opens (creating a SQLite file if needed) without migrating.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await?;
            return Ok(Self::Postgres(pool));
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let path = options.get_filename().to_owned();
        // A local file cannot go stale: no ping before each use.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        let direct = direct::Writer::open(&path)?;
        Ok(Self::Sqlite {
            read,
            write,
            direct,
        })
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite { .. } => "sqlite",
            Self::Postgres(_) => "postgres",
        }
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Self::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await,
            Self::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
        }
    }

    /// Whether the database answers and has every migration this binary knows.
    pub async fn is_ready(&self) -> StoreResult<bool> {
        let latest = match self {
            Self::Sqlite { .. } => SQLITE_MIGRATIONS.iter().map(|m| m.version).max(),
            Self::Postgres(_) => POSTGRES_MIGRATIONS.iter().map(|m| m.version).max(),
        };
        let applied: Option<i64> = read!(self, |c| {
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(c)
                .await
        })?;
        Ok(applied == latest)
    }

    /// Copies the SQLite write-ahead log back into the database file as far
    /// as readers allow, without blocking writers; nothing on PostgreSQL.
    pub async fn checkpoint(&self) -> StoreResult<()> {
        if let Self::Sqlite { read, .. } = self {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(read)
                .await?;
        }
        Ok(())
    }

    pub async fn begin(&self) -> StoreResult<Tx> {
        Ok(match self {
            // The pool's one connection first, then this process's turn
            // to write, then immediate: take the write lock now (waiting,
            // busy timeout, only for another process), rather than fail
            // when upgrading a read.
            Self::Sqlite { write, direct, .. } => {
                let connection = write.acquire().await?;
                let turn = direct.turn().await;
                let tx = Transaction::begin(connection, Some("BEGIN IMMEDIATE".into())).await?;
                Tx::Sqlite(SqliteTx { tx, _turn: turn })
            }
            Self::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite { read, write, .. } => {
                read.close().await;
                write.close().await;
            }
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            Self::Sqlite(tx) => tx.tx.commit().await?,
            Self::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

impl Tx {
    /// `FOR UPDATE` where the backend has row locks (PostgreSQL); SQLite's
    /// single writer already serializes the transaction.
    pub fn lock_rows(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "",
            Self::Postgres(_) => " FOR UPDATE",
        }
    }
}
