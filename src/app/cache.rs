//! A small map of values read from the database, each reused for a while.
//!
//! It saves reads on the hot path (every ticket of a busy office needs its
//! site's settings); it never decides anything: the database stays the
//! only source of truth, and an entry is at most `ttl` old.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Entries at most: past it the expired ones go, and if none has expired,
/// all of them (they are read again when needed).
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug)]
pub struct TtlCache<V> {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Arc<V>)>>,
}

impl<V> TtlCache<V> {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, key: &str) -> Option<Arc<V>> {
        let entries = crate::sync::lock(&self.entries);
        entries
            .get(key)
            .filter(|(read_at, _)| read_at.elapsed() < self.ttl)
            .map(|(_, value)| value.clone())
    }

    pub fn put(&self, key: &str, value: Arc<V>) {
        let mut entries = crate::sync::lock(&self.entries);
        if entries.len() >= MAX_ENTRIES {
            let ttl = self.ttl;
            entries.retain(|_, (read_at, _)| read_at.elapsed() < ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key.to_owned(), (Instant::now(), value));
    }

    /// Drops an entry after this instance changed what it holds.
    pub fn forget(&self, key: &str) {
        crate::sync::lock(&self.entries).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_can_be_forgotten() {
        let cache = TtlCache::new(Duration::from_millis(50));
        cache.put("anfa", Arc::new(1));
        assert_eq!(cache.get("anfa").as_deref(), Some(&1));
        cache.forget("anfa");
        assert!(cache.get("anfa").is_none());
        cache.put("anfa", Arc::new(2));
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get("anfa").is_none(), "an old entry is read again");
    }

    #[test]
    fn entries_are_bounded_even_when_none_has_expired() {
        let cache = TtlCache::new(Duration::from_secs(3600));
        for i in 0..MAX_ENTRIES + 5 {
            cache.put(&format!("ticket-{i}"), Arc::new(i));
        }
        assert!(crate::sync::lock(&cache.entries).len() <= MAX_ENTRIES);
        let last = format!("ticket-{}", MAX_ENTRIES + 4);
        assert_eq!(cache.get(&last).as_deref(), Some(&(MAX_ENTRIES + 4)));
    }
}
