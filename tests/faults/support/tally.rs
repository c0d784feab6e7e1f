//! The answers of a load, counted: 2xx, 503, 409 (a refusal the state
//! explains: a full slot, a busy counter), and anything else (a 500, a
//! reset connection, a timeout), which a fault must never cause. Also the
//! longest time any request took.

use guichet_test_support::Answer;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Default)]
pub struct Tally {
    counts: Mutex<Counts>,
}

#[derive(Default, Clone, Debug)]
pub struct Counts {
    pub requests: usize,
    pub success: usize,
    pub unavailable: usize,
    pub conflict: usize,
    /// What went wrong, one line per request.
    pub other: Vec<String>,
    pub longest: Duration,
}

impl Tally {
    pub fn record(&self, what: &str, answer: &Answer) {
        let mut counts = self.counts.lock().unwrap();
        counts.requests += 1;
        counts.longest = counts.longest.max(answer.took);
        match answer.status.as_u16() {
            200..=299 => counts.success += 1,
            503 if answer.code() == "unavailable" => counts.unavailable += 1,
            409 => counts.conflict += 1,
            status => {
                let detail = match &answer.transport_error {
                    Some(error) => format!("{what}: no answer after {:?}: {error}", answer.took),
                    None => format!("{what}: {status} {}", answer.body),
                };
                counts.other.push(detail);
            }
        }
    }

    pub fn counts(&self) -> Counts {
        self.counts.lock().unwrap().clone()
    }
}

impl Counts {
    /// `N requests: a 2xx, b 503, c 409, d other; longest T ms`.
    pub fn summary(&self) -> String {
        format!(
            "{} requests: {} 2xx, {} 503, {} 409, {} other; longest {} ms",
            self.requests,
            self.success,
            self.unavailable,
            self.conflict,
            self.other.len(),
            self.longest.as_millis()
        )
    }
}
