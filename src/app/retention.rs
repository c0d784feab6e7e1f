//! Personal data kept only as long as needed: the sweep that each instance
//! runs (`startup`, every 10 minutes from 10 minutes after start).
//!
//! Once a visit or request has been closed for longer than the retention
//! (`GUICHET_RETENTION_DAYS`, 30 by default), its names, phones, e-mails and
//! the free text a citizen wrote are erased, and the row is marked
//! `personal_data_erased_at`:
//!
//! - tickets done, no-show or cancelled: the phone;
//! - appointments past their end, or cancelled: name, phone, e-mail;
//! - document requests delivered or rejected: name, phone, e-mail;
//! - complaints answered or closed: subject, body, phone, and the answer
//!   (written to the citizen, it may name them);
//! - feedback: the comment (the rating stays);
//! - messages sent or dead: recipient, subject, body and the provider's
//!   last error (which may quote the number);
//! - partners' files delivered or rejected: the phone.
//!
//! Rows that are nothing but personal data are deleted: waitlist entries
//! offered or whose range has passed, phone codes and citizen sessions
//! expired. Open items are never touched. Everything statistics read stays
//! (times, statuses, service, agent, counter, ratings, counts), so the
//! figures are the same before and after. The audit log holds no personal
//! data; its entries are deleted after `GUICHET_AUDIT_RETENTION_DAYS` (365
//! by default, 0 keeps them forever).
//!
//! Each step runs in batches of `BATCH` rows, one short transaction each,
//! and only picks rows not erased yet, so a sweep with nothing to do is a
//! few index reads, and sweeps of several instances at once erase each row
//! once (`store::retention`).

use super::{App, AppResult};
use crate::store::retention::{self, Step};
use jiff::{Timestamp, tz::TimeZone};
use serde::Serialize;

/// Rows per transaction: short enough not to hold the writer long.
const BATCH: i64 = 500;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// How long personal data and the audit log are kept, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub personal_days: u32,
    /// `None` keeps the audit log forever.
    pub audit_days: Option<u32>,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            personal_days: 30,
            audit_days: Some(365),
        }
    }
}

/// What one sweep erased or deleted, by kind of row.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Swept {
    pub tickets: u64,
    pub appointments: u64,
    pub requests: u64,
    pub complaints: u64,
    pub feedback: u64,
    pub messages: u64,
    /// Partners' files delivered or rejected: their phones.
    pub partner_files: u64,
    pub waitlist: u64,
    pub codes: u64,
    /// Phones' counts of codes sent (hashed phones).
    pub code_counts: u64,
    pub citizen_sessions: u64,
    pub audit: u64,
}

impl Swept {
    fn add(&mut self, what: &str, n: u64) {
        let slot = match what {
            "tickets" => &mut self.tickets,
            "appointments" => &mut self.appointments,
            "requests" => &mut self.requests,
            "complaints" => &mut self.complaints,
            "feedback" => &mut self.feedback,
            "messages" => &mut self.messages,
            "partner_files" => &mut self.partner_files,
            "waitlist" => &mut self.waitlist,
            "codes" => &mut self.codes,
            "code_counts" => &mut self.code_counts,
            _ => &mut self.citizen_sessions,
        };
        *slot += n;
    }

    /// Rows erased or deleted, audit entries aside.
    pub fn personal(&self) -> u64 {
        self.tickets
            + self.appointments
            + self.requests
            + self.complaints
            + self.feedback
            + self.messages
            + self.partner_files
            + self.waitlist
            + self.codes
            + self.code_counts
            + self.citizen_sessions
    }
}

/// Erases what has been closed for longer than the retention, and old
/// audit entries.
pub async fn sweep(app: &App) -> AppResult<Swept> {
    let now = app.clock.now_ms();
    let cutoff = now - i64::from(app.policy.retention.personal_days) * DAY_MS;
    // Local days are at most 14 hours off UTC: a range that ended the day
    // before the cutoff's UTC day has ended everywhere.
    let cutoff_day = Timestamp::from_millisecond(cutoff - DAY_MS)
        .map(|at| at.to_zoned(TimeZone::UTC).date().to_string())
        .unwrap_or_default();
    let mut swept = Swept::default();
    for step in retention::ERASE.iter().chain(retention::DELETE) {
        swept.add(step.what, drain(app, step, cutoff, &cutoff_day, now).await?);
    }
    if let Some(days) = app.policy.retention.audit_days {
        let cutoff = now - i64::from(days) * DAY_MS;
        loop {
            let mut tx = app.db.begin().await?;
            let n = retention::delete_audit(&mut tx, cutoff, BATCH).await?;
            tx.commit().await?;
            swept.audit += n;
            if n < BATCH as u64 {
                break;
            }
        }
    }
    if swept.personal() + swept.audit > 0 {
        tracing::info!(?swept, "retention sweep erased personal data");
    }
    Ok(swept)
}

/// Runs one step batch after batch until a batch comes back short.
async fn drain(app: &App, step: &Step, cutoff: i64, day: &str, now: i64) -> AppResult<u64> {
    let mut total = 0;
    loop {
        let mut tx = app.db.begin().await?;
        let n = step.run(&mut tx, cutoff, day, now, BATCH).await?;
        tx.commit().await?;
        total += n;
        if n < BATCH as u64 || app.live.shutdown.is_cancelled() {
            return Ok(total);
        }
    }
}
