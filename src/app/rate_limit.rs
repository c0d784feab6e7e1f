//! A fixed-window limiter for failed attempts (logins), kept in this
//! process. Several instances each keep their own windows.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug)]
pub struct FailureLimiter {
    max_failures: u32,
    window_ms: i64,
    /// key → (failures in the window, window start).
    windows: Mutex<HashMap<String, (u32, i64)>>,
}

impl FailureLimiter {
    pub fn new(max_failures: u32, window_ms: i64) -> Self {
        Self {
            max_failures,
            window_ms,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds)` while `key` has used up its failures in the window.
    pub fn check(&self, key: &str, now_ms: i64) -> Result<(), u64> {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        match windows.get(key) {
            Some(&(count, start))
                if count >= self.max_failures && now_ms - start < self.window_ms =>
            {
                let left_ms = self.window_ms - (now_ms - start);
                Err(((left_ms + 999) / 1000) as u64)
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, key: &str, now_ms: i64) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        // Forget expired windows now and then so the map stays small.
        if windows.len() > 10_000 {
            windows.retain(|_, (_, start)| now_ms - *start < self.window_ms);
        }
        let entry = windows.entry(key.to_owned()).or_insert((0, now_ms));
        if now_ms - entry.1 >= self.window_ms {
            *entry = (0, now_ms);
        }
        entry.0 += 1;
    }

    pub fn clear(&self, key: &str) {
        self.windows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_until_the_window_ends() {
        let limiter = FailureLimiter::new(3, 60_000);
        for _ in 0..3 {
            assert!(limiter.check("amina", 1_000).is_ok());
            limiter.record_failure("amina", 1_000);
        }
        assert_eq!(limiter.check("amina", 1_000), Err(60));
        assert_eq!(limiter.check("amina", 31_000), Err(30));
        assert!(limiter.check("youssef", 1_000).is_ok());
        assert!(limiter.check("amina", 61_000).is_ok());
        limiter.record_failure("amina", 61_000);
        assert!(limiter.check("amina", 61_000).is_ok());
        limiter.clear("amina");
        assert!(limiter.check("amina", 61_000).is_ok());
    }
}
