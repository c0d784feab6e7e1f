//! Reads made once for everyone who asks within a moment.
//!
//! In a booking window thousands of citizens a second read the same
//! office's settings and next two weeks. Reads that may be a moment stale
//! (a site's settings, a slot list from the replica) are kept here for
//! `ttl` from the moment they were asked for: the first caller makes the
//! read, those who ask meanwhile wait for it instead of making their own
//! (so an expired entry under load costs one read, not one per waiting
//! request, each holding a connection), and everyone until `ttl` has
//! passed gets the same answer. A failed read is kept by no one: the next
//! caller tries again.

use crate::sync::lock;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// Entries at most: past it the expired ones go, and if none has expired,
/// all of them.
const MAX_ENTRIES: usize = 10_000;

/// Expired entries are swept once the map has doubled since the last sweep
/// (and holds at least this many), so it holds about what was asked within
/// `ttl`, not everything ever asked.
const FIRST_SWEEP: usize = 64;

type Cell<V> = Arc<OnceCell<Arc<V>>>;

#[derive(Debug)]
pub struct Coalesced<V> {
    ttl: Duration,
    entries: Mutex<Entries<V>>,
}

#[derive(Debug)]
struct Entries<V> {
    map: HashMap<String, (Instant, Cell<V>)>,
    /// The size at which the next sweep runs.
    sweep_at: usize,
}

/// An answer, and whether it was made for an earlier caller.
pub struct Answer<V> {
    pub value: Arc<V>,
    pub reused: bool,
}

impl<V> Coalesced<V> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(Entries {
                map: HashMap::new(),
                sweep_at: FIRST_SWEEP,
            }),
        }
    }

    /// The value of `key` asked for within `ttl`, or the one `make` makes
    /// now.
    pub async fn get_or_make<E, F, Fut>(&self, key: &str, make: F) -> Result<Answer<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let cell = self.cell(key);
        let mut made = false;
        let value = cell
            .get_or_try_init(|| async {
                made = true;
                make().await.map(Arc::new)
            })
            .await?;
        Ok(Answer {
            value: value.clone(),
            reused: !made,
        })
    }

    /// The value of `key` if one was made within `ttl`; never makes one.
    pub fn get(&self, key: &str) -> Option<Arc<V>> {
        let entries = lock(&self.entries);
        let (asked, cell) = entries.map.get(key)?;
        (asked.elapsed() < self.ttl).then(|| cell.get().cloned())?
    }

    /// Drops `key` after this instance changed what it holds: callers
    /// waiting for a read already under way still get it, later ones make
    /// a new one.
    pub fn forget(&self, key: &str) {
        lock(&self.entries).map.remove(key);
    }

    /// Drops every entry, as `forget` does one: for a change that may touch
    /// any of them.
    pub fn forget_all(&self) {
        lock(&self.entries).map.clear();
    }

    /// The cell of `key`: the one asked for within `ttl`, else a new one.
    fn cell(&self, key: &str) -> Cell<V> {
        let mut entries = lock(&self.entries);
        if let Some((asked, cell)) = entries.map.get(key)
            && asked.elapsed() < self.ttl
        {
            return cell.clone();
        }
        if entries.map.len() >= entries.sweep_at.min(MAX_ENTRIES) {
            let ttl = self.ttl;
            entries.map.retain(|_, (asked, _)| asked.elapsed() < ttl);
            if entries.map.len() >= MAX_ENTRIES {
                entries.map.clear();
            }
            entries.sweep_at = (2 * entries.map.len()).max(FIRST_SWEEP);
        }
        let cell = Cell::default();
        entries
            .map
            .insert(key.to_owned(), (Instant::now(), cell.clone()));
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    async fn read(cache: &Coalesced<usize>, key: &str, reads: &AtomicUsize) -> Answer<usize> {
        cache
            .get_or_make(key, || async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok::<_, ()>(reads.fetch_add(1, Ordering::SeqCst))
            })
            .await
            .expect("made")
    }

    #[tokio::test]
    async fn callers_at_once_share_one_read_and_a_later_one_makes_another() {
        let cache = Coalesced::new(Duration::from_millis(200));
        let reads = AtomicUsize::new(0);
        let answers =
            futures_util::future::join_all((0..60).map(|_| read(&cache, "anfa", &reads))).await;
        assert_eq!(reads.load(Ordering::SeqCst), 1, "one read for 60 callers");
        assert!(answers.iter().all(|a| *a.value == 0));
        assert_eq!(answers.iter().filter(|a| !a.reused).count(), 1);
        assert_eq!(cache.get("anfa").as_deref(), Some(&0));
        cache.forget("anfa");
        assert!(cache.get("anfa").is_none(), "forgotten");
        assert_eq!(*read(&cache, "anfa", &reads).await.value, 1, "made anew");
        assert_eq!(*read(&cache, "maarif", &reads).await.value, 2, "keys apart");
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(cache.get("anfa").is_none(), "expired");
        let later = read(&cache, "anfa", &reads).await;
        assert_eq!((*later.value, later.reused), (3, false), "read again");
    }

    #[tokio::test]
    async fn a_failed_read_is_kept_by_no_one() {
        let cache = Coalesced::new(Duration::from_secs(60));
        let failed = cache
            .get_or_make("anfa", || async { Err::<usize, _>("down") })
            .await;
        assert!(failed.is_err());
        let reads = AtomicUsize::new(7);
        let next = read(&cache, "anfa", &reads).await;
        assert_eq!((*next.value, next.reused), (7, false));
    }

    #[tokio::test]
    async fn forgetting_all_makes_every_key_read_again() {
        let cache = Coalesced::new(Duration::from_secs(60));
        let reads = AtomicUsize::new(0);
        read(&cache, "anfa", &reads).await;
        read(&cache, "maarif", &reads).await;
        cache.forget_all();
        let anfa = read(&cache, "anfa", &reads).await;
        let maarif = read(&cache, "maarif", &reads).await;
        assert_eq!((*anfa.value, anfa.reused), (2, false));
        assert_eq!((*maarif.value, maarif.reused), (3, false));
    }

    #[test]
    fn entries_are_bounded() {
        let cache: Coalesced<usize> = Coalesced::new(Duration::from_secs(3600));
        for i in 0..MAX_ENTRIES + 5 {
            cache.cell(&format!("list-{i}"));
        }
        assert!(lock(&cache.entries).map.len() <= MAX_ENTRIES);
    }

    #[test]
    fn expired_entries_do_not_pile_up() {
        let cache: Coalesced<usize> = Coalesced::new(Duration::from_millis(20));
        for round in 0..5 {
            for i in 0..100 {
                cache.cell(&format!("list-{round}-{i}"));
            }
            std::thread::sleep(Duration::from_millis(30));
        }
        let held = lock(&cache.entries).map.len();
        assert!(held <= 2 * 100 + FIRST_SWEEP, "{held} entries held");
    }
}
