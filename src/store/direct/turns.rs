//! Turns at SQLite's write lock between the two writers of this process:
//! the direct writer's thread and the sqlx pool's one write connection.
//!
//! SQLite alone would settle who writes, but not fairly: the connection
//! that finds the lock taken sleeps in its busy handler (sqlx's, SQLite's
//! own, up to 100 ms between tries), while the direct writer goes from one
//! group to the next with no gap. Under a busy queue, a counter opening or
//! a check-in could wait for most of a second. Here both ask for a turn
//! first, in the order they came (tokio's mutex is first come, first
//! served, and a release hands the turn to the oldest waiter): a sqlx
//! transaction waits at most for the group being written. SQLite's lock
//! stays the rule; a turn only orders who asks for it, in this process.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Held for one write transaction; the next writer's turn comes when it
/// is dropped.
pub type Turn = OwnedMutexGuard<()>;

#[derive(Clone, Default)]
pub struct Turns(Arc<Mutex<()>>);

impl Turns {
    /// Waits for this process's turn to write (an async task).
    pub async fn take(&self) -> Turn {
        Arc::clone(&self.0).lock_owned().await
    }

    /// Waits for the turn on the writer's thread, looking every `poll`,
    /// for at most `wait`: after that the writer goes on without it and
    /// SQLite's lock decides, so a task that holds a turn while it waits
    /// for the direct writer delays it, never deadlocks it.
    pub fn take_blocking(&self, poll: Duration, wait: Duration) -> Option<Turn> {
        let since = Instant::now();
        loop {
            if let Ok(turn) = Arc::clone(&self.0).try_lock_owned() {
                return Some(turn);
            }
            if since.elapsed() >= wait {
                return None;
            }
            std::thread::sleep(poll);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::store::direct::transaction;
    use crate::store::{Db, StoreError, write};
    use std::sync::mpsc;

    /// A write of the sqlx writer that comes while the direct writer is
    /// busy goes in right after the group being written, before the queue
    /// transactions that came after it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_waiting_sqlx_write_goes_before_later_queue_writes() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("turns.db").display());
        let db = Db::connect(&url).await.unwrap();
        let Db::Sqlite { write, direct, .. } = &db else {
            unreachable!()
        };
        sqlx::query("CREATE TABLE t (n INTEGER PRIMARY KEY AUTOINCREMENT, who TEXT)")
            .execute(write)
            .await
            .unwrap();
        let insert = |who: &'static str| {
            move |t: &mut super::super::DirectTx<'_>| {
                t.0.execute("INSERT INTO t (who) VALUES (?1)", [who])
                    .map_err(StoreError::from)
            }
        };
        // The queue's writer is held in a first transaction until told.
        let (started, has_started) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        let writer = direct.clone();
        let first = tokio::spawn(async move {
            transaction(&writer, move |t| {
                started.send(()).unwrap();
                released.recv().unwrap();
                insert("queue, first")(t)
            })
            .await
        });
        tokio::task::spawn_blocking(move || has_started.recv().unwrap())
            .await
            .unwrap();
        // A counter's change asks to write meanwhile…
        let db2 = db.clone();
        let counter = tokio::spawn(async move {
            let mut tx = db2.begin().await?;
            let add = "INSERT INTO t (who) VALUES ('counter')";
            write!(&mut tx, |c| sqlx::query(add).execute(c).await.map(|_| ()))?;
            tx.commit().await
        });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        // …then another queue transaction.
        let writer = direct.clone();
        let later = tokio::spawn(async move { transaction(&writer, insert("queue, later")).await });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        release.send(()).unwrap();
        first.await.unwrap().unwrap();
        counter.await.unwrap().unwrap();
        later.await.unwrap().unwrap();
        let order: Vec<String> = sqlx::query_scalar("SELECT who FROM t ORDER BY n")
            .fetch_all(write)
            .await
            .unwrap();
        assert_eq!(order, ["queue, first", "counter", "queue, later"]);
    }
}
