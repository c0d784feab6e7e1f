//! SQLite's hot transactions in one go: a writer connection of its own,
//! opened through SQLite's C API (rusqlite) with its prepared statements
//! kept, on a thread of its own that runs each whole transaction
//! synchronously, with the same SQL as `store`.
//!
//! sqlx runs each SQLite statement on the connection's worker thread, one
//! round trip per statement; with a single writer, those trips, the waits
//! for the async task between them, and preparing statements again are what
//! serialize the queue. Here a request hands its whole transaction to the
//! writer thread and awaits the answer: the thread goes from one queued
//! transaction to the next with no wait for an async task to be scheduled,
//! so the writer is busy only for the time SQLite itself takes.

use super::StoreError;
use super::audit::{self, AuditRow};
use rusqlite::{OptionalExtension, Row, ToSql, TransactionBehavior};

mod statements;
mod turns;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::time::Duration;
pub use turns::{Turn, Turns};

/// A transaction on the writer's raw handle.
#[derive(Clone, Copy)]
pub struct DirectTx<'a>(&'a rusqlite::Transaction<'a>);

/// How a request is answered once its group is committed, or has failed.
type Answer = Box<dyn FnOnce(Result<(), rusqlite::Error>) + Send>;

/// A request's work, run by the writer thread inside the group's open
/// transaction (`None` when none could be opened): whether it succeeded,
/// and how to answer it.
type Job = Box<dyn FnOnce(Option<&rusqlite::Transaction<'_>>) -> (bool, Answer) + Send>;

/// Requests committed together at most.
const GROUP: usize = 64;

/// The writer thread's queue, shared by every task of this process, and
/// the turns it takes with the sqlx writer. The thread ends when the last
/// handle is dropped.
#[derive(Clone)]
pub struct Writer {
    jobs: std::sync::mpsc::Sender<Job>,
    turns: Turns,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("direct::Writer")
    }
}

impl Writer {
    /// Opens the database file with the settings of the sqlx pools.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let open = || -> rusqlite::Result<rusqlite::Connection> {
            let db = rusqlite::Connection::open(path)?;
            db.pragma_update(None, "journal_mode", "WAL")?;
            db.pragma_update(None, "synchronous", "NORMAL")?;
            db.pragma_update(None, "foreign_keys", "ON")?;
            // Checkpoints run in the background (`Db::checkpoint`), not in
            // the commit of whichever ticket fills the log.
            db.pragma_update(None, "wal_autocheckpoint", 0)?;
            db.busy_handler(Some(retry_soon))?;
            db.set_prepared_statement_cache_capacity(64);
            Ok(db)
        };
        let mut db = open()?;
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let turns = Turns::default();
        let ours = turns.clone();
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || {
                while let Ok(first) = queue.recv() {
                    let mut jobs = vec![first];
                    while jobs.len() < GROUP {
                        match queue.try_recv() {
                            Ok(job) => jobs.push(job),
                            Err(_) => break,
                        }
                    }
                    let turn = ours.take_blocking(LOCK_POLL, LOCK_WAIT);
                    commit_group(&mut db, jobs);
                    drop(turn);
                }
            })
            .map_err(sqlx::Error::Io)?;
        Ok(Self { jobs, turns })
    }

    /// The sqlx writer's turn, taken before each of its transactions.
    pub async fn turn(&self) -> Turn {
        self.turns.take().await
    }
}

/// Group commit: the requests queued together run in one immediate
/// transaction, each inside a savepoint (one that fails is rolled back
/// alone, as if it had its own transaction), and all are answered once the
/// transaction is committed, never before. Hot pages (the queue's indexes,
/// the sequence rows) are then written once per group, not per request.
fn commit_group(db: &mut rusqlite::Connection, jobs: Vec<Job>) {
    let tx = match db.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(error) => {
            for job in jobs {
                let (_, answer) = job(None);
                answer(Err(copy_error(&error)));
            }
            return;
        }
    };
    let mut answers = Vec::with_capacity(jobs.len());
    let mut failed = None;
    for job in jobs {
        if let Err(error) = tx.execute_batch("SAVEPOINT request") {
            failed = Some(error);
            break;
        }
        // A panicking job loses its answer (its caller sees an error) and
        // is rolled back; the others go on.
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| job(Some(&tx))));
        let end = match &outcome {
            Ok((true, _)) => "RELEASE request",
            _ => "ROLLBACK TO request; RELEASE request",
        };
        if let Ok((_, answer)) = outcome {
            answers.push(answer);
        }
        if let Err(error) = tx.execute_batch(end) {
            failed = Some(error);
            break;
        }
    }
    let committed = match failed {
        Some(error) => Err(error),
        None => tx.commit(),
    };
    for answer in answers {
        answer(committed.as_ref().map(|_| ()).map_err(copy_error));
    }
}

/// The same SQLite error, for each request of a group that failed.
fn copy_error(error: &rusqlite::Error) -> rusqlite::Error {
    match error {
        rusqlite::Error::SqliteFailure(code, message) => {
            rusqlite::Error::SqliteFailure(*code, message.clone())
        }
        other => rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
            Some(other.to_string()),
        ),
    }
}

/// Runs `work` in an immediate transaction on the writer thread, committing
/// if it returns `Ok` and rolling back otherwise; it is answered once
/// committed (see `commit_group`). `work` owns what it uses, and must not
/// wait on anything but this transaction.
pub async fn transaction<T, E, F>(writer: &Writer, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DirectTx<'_>) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move |tx| {
        let result = match tx {
            Some(tx) => work(&mut DirectTx(tx)),
            None => Err(E::from(StoreError::NotFound("transaction"))),
        };
        let succeeded = result.is_ok();
        let answer: Answer = Box::new(move |committed| {
            let outcome = match committed {
                Ok(()) => result,
                Err(error) => Err(E::from(StoreError::from(error))),
            };
            let _ = reply.send(outcome);
        });
        (succeeded, answer)
    });
    let gone = || E::from(StoreError::from(sqlx::Error::PoolClosed));
    writer.jobs.send(job).map_err(|_| gone())?;
    answer.await.map_err(|_| gone())?
}

/// Binds `$1`, `$2`, … by name: SQLite numbers `$n` parameters by their
/// first appearance, not by `n`.
fn named<'a>(values: &'a [&'a dyn ToSql]) -> Vec<(String, &'a dyn ToSql)> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("${}", i + 1), *v))
        .collect()
}

fn run<T>(
    tx: &rusqlite::Transaction<'_>,
    sql: &str,
    values: &[&dyn ToSql],
    map: impl FnOnce(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Option<T>, StoreError> {
    let mut statement = tx.prepare_cached(sql)?;
    let names = named(values);
    let params: Vec<(&str, &dyn ToSql)> = names
        .iter()
        .filter(|(name, _)| statement.parameter_index(name).ok().flatten().is_some())
        .map(|(name, value)| (name.as_str(), *value))
        .collect();
    Ok(statement.query_row(params.as_slice(), map).optional()?)
}

/// Runs a statement; returns the rows it changed.
fn execute(
    tx: &rusqlite::Transaction<'_>,
    sql: &str,
    values: &[&dyn ToSql],
) -> Result<usize, StoreError> {
    let mut statement = tx.prepare_cached(sql)?;
    let names = named(values);
    let params: Vec<(&str, &dyn ToSql)> = names
        .iter()
        .map(|(name, value)| (name.as_str(), *value))
        .collect();
    Ok(statement.execute(params.as_slice())?)
}

impl DirectTx<'_> {
    /// Audit entries (`store::audit::write_all`), one cached statement
    /// executed per entry, so that batches of every size share it.
    pub fn insert_audit(&mut self, rows: &[AuditRow]) -> Result<(), StoreError> {
        let sql = audit::insert_sql(1);
        for r in rows {
            let values: [&dyn ToSql; 9] = [
                &r.at,
                &r.actor,
                &r.actor_role,
                &r.site_id,
                &r.action,
                &r.target,
                &r.client_ip,
                &r.status,
                &r.outcome,
            ];
            execute(self.0, &sql, &values)?;
        }
        Ok(())
    }
}

/// How long the writer waits for the write lock held by the sqlx pool's
/// connection before its transaction fails as busy.
const LOCK_WAIT: Duration = Duration::from_secs(5);
/// How often it looks again meanwhile.
const LOCK_POLL: Duration = Duration::from_micros(200);

/// The writer's busy handler: SQLite's own (`busy_timeout`) sleeps longer
/// and longer between tries (up to 100 ms), so a queue transaction kept
/// waiting by a short write of the other connection could sleep on for
/// tens of milliseconds after the lock was free. This thread waits for
/// nothing else, so it looks again every `LOCK_POLL`.
fn retry_soon(tries: i32) -> bool {
    let waited = LOCK_POLL * u32::try_from(tries).unwrap_or(u32::MAX);
    if waited >= LOCK_WAIT {
        return false;
    }
    std::thread::sleep(LOCK_POLL);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn requests_committed_together_keep_their_own_outcome() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("group.db");
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY)")
            .unwrap();
        let writer = Writer::open(&path).unwrap();
        // Odd requests write, then fail: their write must vanish, and the
        // even ones, committed in the same groups, must stay.
        let requests = (0..200i64).map(|n| {
            let writer = writer.clone();
            tokio::spawn(async move {
                transaction(&writer, move |t| {
                    t.0.execute("INSERT INTO t (n) VALUES (?1)", [n])
                        .map_err(StoreError::from)?;
                    if n % 2 == 1 {
                        return Err(StoreError::NotFound("an odd number"));
                    }
                    Ok(n)
                })
                .await
            })
        });
        for (n, answer) in futures_util::future::join_all(requests)
            .await
            .into_iter()
            .enumerate()
        {
            let answer = answer.unwrap();
            assert_eq!(answer.is_ok(), n % 2 == 0, "request {n}: {answer:?}");
        }
        let check = rusqlite::Connection::open(&path).unwrap();
        let (count, odd): (i64, i64) = check
            .query_row(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE n % 2 = 1) FROM t",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((count, odd), (100, 0));
    }
}
