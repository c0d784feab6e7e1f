//! Use cases: one function per thing a user does. They check who may do it,
//! parse nothing (the HTTP edge already did), and make each change in one
//! transaction through `store`.

pub mod access;
pub mod accounts;
pub mod activity;
pub mod announcements;
pub mod appointments;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod calls;
pub mod checkin;
pub mod citizens;
pub mod closeout;
pub mod complaints;
pub mod console;
pub mod counters;
pub mod demo;
pub mod devices;
pub mod directory;
pub mod error;
mod filing;
pub mod health;
pub mod live;
pub mod otp;
pub mod outbox;
pub mod outcomes;
pub mod public_stats;
pub mod queue;
pub mod rate_limit;
pub mod reminders;
pub mod requests;
pub mod retention;
pub mod seed;
pub mod services;
pub mod setup;
pub mod sites;
pub mod slots;
pub mod sms_hooks;
pub mod stats;
pub mod streams;
pub mod supervision;
pub mod tally;
pub mod tickets;
pub mod video;
pub mod visits;
pub mod waitlist;
pub mod webhooks;

use crate::bus::Bus;
use crate::clock::Clock;
use crate::store::Db;
use cache::TtlCache;
pub use error::{AppError, AppResult};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// What every use case runs against.
#[derive(Debug)]
pub struct App {
    pub db: Db,
    pub clock: Clock,
    /// Where committed site events go for live subscribers.
    pub bus: Bus,
    /// What this instance has done, for `/metrics`.
    pub activity: activity::Activity,
    /// Site settings, reused for 2 s: a change through this instance is
    /// seen at once, through another within that delay.
    pub site_contexts: TtlCache<sites::SiteContext>,
    /// Each site's timezone, for live events; a change through this
    /// instance is seen at once, through another within 5 minutes.
    pub site_zones: TtlCache<jiff::tz::TimeZone>,
    /// What estimates are made of, per site, reused for 1 s.
    pub paces: TtlCache<queue::Pace>,
    /// The site of each counter; a counter never moves to another site.
    pub counter_sites: TtlCache<String>,
    /// The public figures of each site and day, reused for 5 minutes.
    pub public_stats: TtlCache<public_stats::PublicStats>,
    /// Counts for the rate limits (logins, codes, bookings, SMS), in Redis
    /// when there is one.
    pub limits: rate_limit::Limiter,
    /// Proxies whose `X-Forwarded-For` names the client
    /// (`GUICHET_TRUSTED_PROXIES`).
    pub trusted_proxies: crate::config::TrustedProxies,
    /// Turns to check a password (argon2 is meant to be slow): one per
    /// core, so that logins never take every core at once.
    pub password_checks: tokio::sync::Semaphore,
    /// Where phone codes may be sent (`GUICHET_SMS_COUNTRIES`).
    pub sms_countries: crate::domain::phone::CallingCodes,
    /// This instance's live subscribers, per site.
    pub live: live::Hub,
    /// Cancelled when the service shuts down: long-lived work (sockets,
    /// background tasks) ends on it.
    pub shutdown: CancellationToken,
    /// The open sockets, waited for at shutdown so each gets its close frame.
    pub sockets: TaskTracker,
    /// Where citizens reach this service, without a trailing slash.
    pub public_url: String,
    /// Where video appointments meet (a Jitsi server, for instance).
    pub video_base_url: String,
    /// Where the outbox sends messages, by channel.
    pub transports: crate::notify::Transports,
    /// Days a device's token keeps working unused (`GUICHET_DEVICE_IDLE_DAYS`).
    pub device_idle_days: u32,
    /// How long personal data and the audit log are kept.
    pub retention: retention::Retention,
    /// Staff and device actions waiting to be written to the audit log.
    pub audit: audit::AuditLog,
    /// Which providers this instance has seen down (`notify::breaker`).
    pub breakers: crate::notify::breaker::Breakers,
    /// `serve --demo`: the messages that only go to the log are shown at
    /// `/demo/messages` (`demo::messages`), for a newcomer to read codes.
    pub demo: bool,
}

impl App {
    pub fn new(db: Db, clock: Clock) -> Self {
        Self {
            db,
            clock,
            bus: Bus::default(),
            activity: activity::Activity::default(),
            site_contexts: TtlCache::new(Duration::from_secs(2)),
            site_zones: TtlCache::new(Duration::from_secs(300)),
            paces: TtlCache::new(Duration::from_secs(1)),
            counter_sites: TtlCache::new(Duration::from_secs(24 * 3600)),
            public_stats: TtlCache::new(Duration::from_secs(300)),
            limits: rate_limit::Limiter::default(),
            trusted_proxies: crate::config::TrustedProxies::default(),
            sms_countries: crate::domain::phone::CallingCodes::default(),
            password_checks: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
            live: live::Hub::default(),
            shutdown: CancellationToken::new(),
            sockets: TaskTracker::new(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            video_base_url: "https://meet.jit.si".to_owned(),
            transports: crate::notify::Transports::default(),
            device_idle_days: 30,
            retention: retention::Retention::default(),
            audit: audit::AuditLog::default(),
            breakers: crate::notify::breaker::Breakers::default(),
            demo: false,
        }
    }

    /// Publishes a transaction's events once it has committed, and counts
    /// them.
    pub fn publish(&self, events: Vec<crate::store::events::EventRow>) {
        self.activity.events(&events);
        self.bus.publish(events);
    }

    /// The page where a holder manages an appointment, token included.
    pub fn manage_link(&self, reference: &str, token: &str) -> String {
        format!("{}/appointments/{reference}?token={token}", self.public_url)
    }

    /// The same page without the token, for messages after the first: the
    /// holder has it from the confirmation.
    pub fn manage_page(&self, reference: &str) -> String {
        format!("{}/appointments/{reference}", self.public_url)
    }

    /// The booking page of a service, opened on a day.
    pub fn booking_link(&self, site: &str, service: &str, day: &str) -> String {
        format!("{}/book/{site}/{service}?day={day}", self.public_url)
    }

    /// A new unguessable meeting room.
    pub fn video_link(&self) -> String {
        format!(
            "{}/guichet-{}",
            self.video_base_url,
            crate::secrets::new_token()
        )
    }
}
