//! Fixed windows counted in this process: the whole count when there is no
//! Redis, and the fallback when Redis fails (each instance then counts only
//! what it saw).

use std::collections::HashMap;
use std::sync::Mutex;

/// A window's count and how long it has left, in milliseconds.
pub type Count = (u32, i64);

#[derive(Debug, Default)]
pub struct Windows {
    /// key → (count in the window, window start).
    windows: Mutex<HashMap<String, (u32, i64)>>,
}

impl Windows {
    /// Counts one more under `key`, starting a new window when the last
    /// one has ended.
    pub fn add(&self, key: &str, window_ms: i64, now_ms: i64) -> Count {
        let mut windows = crate::sync::lock(&self.windows);
        // Forget ended windows now and then so the map stays small.
        if windows.len() > 10_000 {
            windows.retain(|_, (_, start)| now_ms - *start < window_ms);
        }
        let entry = windows.entry(key.to_owned()).or_insert((0, now_ms));
        if now_ms - entry.1 >= window_ms {
            *entry = (0, now_ms);
        }
        entry.0 += 1;
        (entry.0, window_ms - (now_ms - entry.1))
    }

    /// Gives back one place taken by `add` (a login that turned out right).
    pub fn take_back(&self, key: &str) {
        let mut windows = crate::sync::lock(&self.windows);
        if let Some((count, _)) = windows.get_mut(key) {
            *count = count.saturating_sub(1);
        }
    }

    pub fn clear(&self, key: &str) {
        crate::sync::lock(&self.windows).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_within_a_window_and_starts_again_after_it() {
        let windows = Windows::default();
        assert_eq!(windows.add("amina", 60_000, 1_000), (1, 60_000));
        assert_eq!(windows.add("amina", 60_000, 31_000), (2, 30_000));
        windows.take_back("amina");
        assert_eq!(windows.add("amina", 60_000, 31_000), (2, 30_000));
        assert_eq!(windows.add("youssef", 60_000, 31_000), (1, 60_000));
        assert_eq!(windows.add("amina", 60_000, 61_000), (1, 60_000));
        windows.clear("amina");
        assert_eq!(windows.add("amina", 60_000, 61_000), (1, 60_000));
    }
}
