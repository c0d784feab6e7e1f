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
pub mod bring;
pub mod cache;
pub mod calls;
pub mod capsules;
pub mod checkin;
pub mod citizens;
pub mod closeout;
pub mod coalesced;
pub mod complaints;
pub mod console;
pub mod counters;
pub mod demo;
pub mod devices;
mod devices_seen;
pub mod directory;
pub mod earliest;
pub mod error;
mod filing;
pub mod guides;
pub mod health;
pub mod live;
pub mod media;
pub mod monthly_report;
pub mod otp;
pub mod outbox;
pub mod outcomes;
pub mod partner_files;
pub mod partners;
pub mod province;
pub mod public_stats;
pub mod queue;
pub mod rate_limit;
pub mod reads;
pub mod receipts;
pub mod reminders;
pub mod remote_offer;
pub mod remote_queue;
mod request_filing;
pub mod requests;
pub mod retention;
pub mod seed;
pub mod services;
pub mod setup;
pub mod sites;
pub mod slots;
pub mod sms_hooks;
pub mod state;
pub mod stats;
pub mod streams;
pub mod supervision;
pub mod tally;
pub mod ticket_requests;
pub mod tickets;
pub mod video;
pub mod visits;
pub mod voice;
pub mod waitlist;
pub mod webhooks;

use crate::bus::Bus;
use crate::clock::Clock;
use crate::store::Db;
pub use error::{AppError, AppResult};
pub use state::{AppSettings, Caches, Guards, Links, Live, Messaging, Policy};

/// What every use case runs against: the database, the clock, and the
/// parts of `state`, built once by `App::new` and never changed after.
#[derive(Debug)]
pub struct App {
    /// The primary: every write, and every read that decides.
    pub db: Db,
    /// Where reads that may be a moment stale go (`reads::from_replica!`).
    pub reads: reads::Reads,
    pub clock: Clock,
    /// Where committed site events go for live subscribers.
    pub bus: Bus,
    /// What this instance has done, for `/metrics`.
    pub activity: activity::Activity,
    /// Staff and device actions waiting to be written to the audit log.
    pub audit: audit::AuditLog,
    pub caches: Caches,
    pub guards: Guards,
    pub live: Live,
    pub messaging: Messaging,
    pub links: Links,
    pub policy: Policy,
    /// Uploaded files (lobby capsules) and their limits.
    pub media: media::Media,
}

impl App {
    /// The service on `db` at `clock`, with `settings` (see
    /// `startup::Server::build` for the ones from the configuration).
    pub fn new(db: Db, clock: Clock, settings: AppSettings) -> Self {
        let AppSettings {
            bus,
            guards,
            live,
            messaging,
            links,
            policy,
            media,
            reads,
        } = settings;
        Self {
            reads,
            clock,
            bus,
            activity: activity::Activity::default(),
            audit: audit::AuditLog::default(),
            caches: Caches::default(),
            guards,
            live,
            messaging,
            links,
            policy,
            media: media::Media {
                store: crate::store::media::MediaStore::new(&db, media.dir.clone()),
                settings: media,
                leftovers_seen: Default::default(),
            },
            db,
        }
    }

    /// Publishes a transaction's events once it has committed, and counts
    /// them.
    pub fn publish(&self, events: Vec<crate::store::events::EventRow>) {
        self.activity.events(&events);
        self.bus.publish(events);
    }
}
