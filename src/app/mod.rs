//! Use cases: one function per thing a user does. They check who may do it,
//! parse nothing (the HTTP edge already did), and make each change in one
//! transaction through `store`.

pub mod auth;
pub mod calls;
pub mod closeout;
pub mod counters;
pub mod demo;
pub mod devices;
pub mod error;
pub mod queue;
pub mod rate_limit;
pub mod services;
pub mod sites;
pub mod tickets;

use crate::bus::Bus;
use crate::clock::Clock;
use crate::store::Db;
pub use error::{AppError, AppResult};
use rate_limit::FailureLimiter;

/// Failed logins allowed per username, and per client address, in a window.
const LOGIN_FAILURES: u32 = 5;
const LOGIN_WINDOW_MS: i64 = 15 * 60 * 1000;

/// What every use case runs against.
#[derive(Debug)]
pub struct App {
    pub db: Db,
    pub clock: Clock,
    /// Where committed site events go for live subscribers.
    pub bus: Bus,
    /// Recently read site settings.
    pub site_contexts: sites::ContextCache,
    /// Failed logins by username and by client address.
    pub login_failures: FailureLimiter,
}

impl App {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self {
            db,
            clock,
            bus: Bus::default(),
            site_contexts: sites::ContextCache::default(),
            login_failures: FailureLimiter::new(LOGIN_FAILURES, LOGIN_WINDOW_MS),
        }
    }
}
