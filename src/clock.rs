//! The service's idea of "now", injected so that time rules can be tested.

use jiff::Timestamp;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> Timestamp + Send + Sync>);

impl Clock {
    pub fn system() -> Self {
        Self(Arc::new(Timestamp::now))
    }

    /// A clock that tests move by hand.
    pub fn manual(start: Timestamp) -> (Self, ManualTime) {
        let time = ManualTime(Arc::new(Mutex::new(start)));
        let reader = time.clone();
        (Self(Arc::new(move || reader.now())), time)
    }

    pub fn now(&self) -> Timestamp {
        (self.0)()
    }

    /// Now, as stored: milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        self.now().as_millisecond()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Clock({})", self.now())
    }
}

/// The handle that sets a manual clock.
#[derive(Clone, Debug)]
pub struct ManualTime(Arc<Mutex<Timestamp>>);

impl ManualTime {
    pub fn now(&self) -> Timestamp {
        *crate::sync::lock(&self.0)
    }

    /// Another clock reading this same time (a second instance in tests).
    pub fn clock(&self) -> Clock {
        let reader = self.clone();
        Clock(Arc::new(move || reader.now()))
    }

    pub fn set(&self, at: Timestamp) {
        *crate::sync::lock(&self.0) = at;
    }
}
