//! The parts `App` is made of, each one concern that use cases and
//! handlers reach for (`app.caches`, `app.guards`, `app.live`, …), and
//! `AppSettings`, everything `App::new` needs beyond the database and the
//! clock. An `App` is built once from them and never changed afterwards.

use super::cache::TtlCache;
use super::coalesced::Coalesced;
use super::{
    devices_seen, earliest, live, public_stats, queue, rate_limit, retention, sites, slots,
};
use crate::bus::Bus;
use crate::config::TrustedProxies;
use crate::domain::phone::CallingCodes;
use crate::notify::{Transports, breaker::Breakers};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Reads reused for a moment, so that a busy queue does not make them for
/// every ticket. A change through this instance drops its entry at once.
#[derive(Debug)]
pub struct Caches {
    /// Site settings, reused for 2 s and read once for all who ask
    /// meanwhile: a change through another instance is seen within that
    /// delay.
    pub site_contexts: Coalesced<sites::SiteContext>,
    /// Each site's timezone, for live events; a change through another
    /// instance is seen within 5 minutes.
    pub site_zones: TtlCache<jiff::tz::TimeZone>,
    /// What estimates are made of, per site, reused for 1 s.
    pub paces: TtlCache<queue::Pace>,
    /// The site of each counter; a counter never moves to another site.
    pub counter_sites: TtlCache<String>,
    /// The site of each ticket met lately; a ticket never moves either.
    pub ticket_sites: TtlCache<String>,
    /// The public figures of each site and day, reused for 5 minutes.
    pub public_stats: TtlCache<public_stats::PublicStats>,
    /// Every office's bookable services that have a kind, for the
    /// earliest-slot search, reused for 2 s.
    pub offerings: TtlCache<Vec<earliest::offerings::Offering>>,
    /// The devices this instance wrote as seen within the last minute.
    pub seen_devices: devices_seen::SeenNotes,
    /// The next weeks of each service's slots beside a replica, read once
    /// a second for all who ask them (`slots::list`).
    pub slot_lists: Coalesced<slots::SlotList>,
    /// Bearer tokens (by their hash) with the account or device behind
    /// them, reused for 1 s: every queue operation is authenticated, and
    /// the lookup was one statement of each. A session ended through this
    /// instance ends at once (`auth::sessions_ended`); through another,
    /// within that second.
    pub tokens: Coalesced<crate::store::accounts::TokenRow>,
}

impl Default for Caches {
    fn default() -> Self {
        Self {
            site_contexts: Coalesced::new(Duration::from_secs(2)),
            site_zones: TtlCache::new(Duration::from_secs(300)),
            paces: TtlCache::new(Duration::from_secs(1)),
            counter_sites: TtlCache::new(Duration::from_secs(24 * 3600)),
            ticket_sites: TtlCache::new(Duration::from_secs(3600)),
            public_stats: TtlCache::new(Duration::from_secs(300)),
            offerings: TtlCache::new(Duration::from_secs(2)),
            seen_devices: devices_seen::SeenNotes::default(),
            slot_lists: Coalesced::new(Duration::from_secs(1)),
            tokens: Coalesced::new(Duration::from_secs(1)),
        }
    }
}

/// What stands between a caller and costly or abusable work: rate limits,
/// who the client is, turns at the password hash, where codes may go.
#[derive(Debug)]
pub struct Guards {
    /// Counts for the rate limits (logins, codes, bookings, SMS), in Redis
    /// when there is one.
    pub limits: rate_limit::Limiter,
    /// Proxies whose `X-Forwarded-For` names the client
    /// (`GUICHET_TRUSTED_PROXIES`).
    pub trusted_proxies: TrustedProxies,
    /// Turns to check a password (argon2 is meant to be slow): one per
    /// core, so that logins never take every core at once.
    pub password_checks: tokio::sync::Semaphore,
    /// Where phone codes may be sent (`GUICHET_SMS_COUNTRIES`).
    pub sms_countries: CallingCodes,
}

impl Default for Guards {
    fn default() -> Self {
        Self {
            limits: rate_limit::Limiter::default(),
            trusted_proxies: TrustedProxies::default(),
            password_checks: tokio::sync::Semaphore::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
            sms_countries: CallingCodes::default(),
        }
    }
}

/// Long-lived work: the live subscribers, and what ends them at shutdown.
#[derive(Debug, Default)]
pub struct Live {
    /// This instance's live subscribers, per site.
    pub hub: live::Hub,
    /// Cancelled when the service shuts down: long-lived work (sockets,
    /// background tasks) ends on it.
    pub shutdown: CancellationToken,
    /// The open sockets, waited for at shutdown so each gets its close frame.
    pub sockets: TaskTracker,
}

/// How messages leave: the outbox's transports and the providers seen down.
#[derive(Debug, Default)]
pub struct Messaging {
    /// Where the outbox sends messages, by channel.
    pub transports: Transports,
    /// Which providers this instance has seen down (`notify::breaker`).
    pub breakers: Breakers,
}

/// Where citizens reach this service, and the links messages carry.
#[derive(Debug, Clone)]
pub struct Links {
    /// Where citizens reach this service, without a trailing slash.
    pub public_url: String,
    /// Where video appointments meet (a Jitsi server, for instance).
    pub video_base_url: String,
}

impl Default for Links {
    fn default() -> Self {
        Self {
            public_url: "http://127.0.0.1:8080".to_owned(),
            video_base_url: "https://meet.jit.si".to_owned(),
        }
    }
}

impl Links {
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

/// How this deployment keeps data and devices, and whether it is a demo.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Days a device's token keeps working unused (`GUICHET_DEVICE_IDLE_DAYS`).
    pub device_idle_days: u32,
    /// How long personal data and the audit log are kept.
    pub retention: retention::Retention,
    /// `serve --demo`: the messages that only go to the log are shown at
    /// `/demo/messages` (`demo::messages`), for a newcomer to read codes.
    pub demo: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            device_idle_days: 30,
            retention: retention::Retention::default(),
            demo: false,
        }
    }
}

/// Everything an `App` is built from besides its database and clock; the
/// defaults are the embedded ones (no Redis, no provider, local links).
#[derive(Debug, Default)]
pub struct AppSettings {
    /// Where committed site events go for live subscribers.
    pub bus: Bus,
    pub guards: Guards,
    pub live: Live,
    pub messaging: Messaging,
    pub links: Links,
    pub policy: Policy,
    /// Where uploaded files go and how big they may be.
    pub media: super::media::MediaSettings,
    /// The read replica, if any (`DATABASE_REPLICA_URL`).
    pub reads: super::reads::Reads,
}
