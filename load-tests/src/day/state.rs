//! What the tasks of a `day` run share: the requests, the compressed day,
//! what the screens share (to time the calls they show), and for each office the client's own tallies (checked against the
//! database at the end) and whether anyone may still come.

use super::plan::Day;
use super::requests::Requests;
use super::sockets::Watching;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64};

pub struct Run {
    pub requests: Requests,
    pub day: Day,
    pub watching: Arc<Watching>,
    pub sites: Vec<Site>,
}

/// One office as the client saw it.
#[derive(Default)]
pub struct Site {
    pub id: String,
    /// Tickets the kiosk was given (201).
    pub issued: AtomicU64,
    /// Appointments booked ahead, and those checked in (a ticket each).
    pub booked: AtomicU64,
    pub checked_in: AtomicU64,
    pub called: AtomicU64,
    pub completed: AtomicU64,
    pub no_shows: AtomicU64,
    pub recalls: AtomicU64,
    /// Raised before the transferring counter lets go of the ticket, so a
    /// counter that found the queue empty knows to look again.
    pub transfers: AtomicU64,
    /// Counters inside a call-next or holding a ticket.
    pub holding: AtomicI64,
    /// Every walk-in has come and every appointment has checked in.
    pub arrivals_done: AtomicBool,
}
