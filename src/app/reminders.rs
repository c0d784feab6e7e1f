//! The appointments' clock: reminders the day before and a few hours
//! before, no-shows once the check-in window has closed (in person) or
//! long after the end of a call no agent recorded (`app::video`), and the
//! webhooks told of the appointments that ended (`app::outcomes`).
//!
//! Each reminder is sent once, however many times the sweep runs and on
//! however many instances: the appointment's reminder column is set by a
//! conditional update (only one transaction sees it empty), and the
//! message's idempotency key is unique in the outbox.

use super::appointments::{Notice, notify_holder};
use super::sites::SiteContext;
use super::{App, AppResult};
use crate::store::{self, appointments::Reminder};
use std::collections::HashMap;

const HOUR_MS: i64 = 60 * 60 * 1000;
/// The day-before reminder goes out from 24 hours before the start.
const DAY_BEFORE_MS: i64 = 24 * HOUR_MS;
/// The last reminder goes out from 3 hours before the start.
const HOURS_BEFORE_MS: i64 = 3 * HOUR_MS;
/// A confirmation this recent makes a reminder needless.
const FRESH_MS: i64 = HOUR_MS;

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sweep {
    pub reminders: usize,
    pub no_shows: u64,
    /// Closed appointments looked at for `appointment.closed`.
    pub reported: usize,
}

pub async fn sweep(app: &App) -> AppResult<Sweep> {
    let now = app.clock.now_ms();
    let mut done = Sweep::default();
    for (which, from, until) in [
        (Reminder::DayBefore, HOURS_BEFORE_MS, DAY_BEFORE_MS),
        (Reminder::HoursBefore, 0, HOURS_BEFORE_MS),
    ] {
        let due = store::appointments::to_remind(&app.db, which, now + from, now + until).await?;
        if due.is_empty() {
            continue;
        }
        // Site settings first: no connection is held while reading them.
        let mut contexts = HashMap::new();
        for row in &due {
            if !contexts.contains_key(&row.site_id) {
                let context = SiteContext::load(app, &row.site_id).await?;
                contexts.insert(row.site_id.clone(), context);
            }
        }
        let mut tx = app.db.begin().await?;
        for row in due {
            if !store::appointments::mark_reminded(&mut tx, &row.id, which, now).await? {
                continue;
            }
            // Booked inside this reminder's window, or in the hour before
            // it opens: the confirmation is fresh, a reminder would only
            // repeat it.
            if row.created_at + FRESH_MS > row.start_at - until {
                continue;
            }
            let Some(context) = contexts.get(&row.site_id) else {
                continue;
            };
            let link = app.links.manage_page(&row.reference);
            let notice = Notice::Reminder(which);
            notify_holder(&mut tx, context, &row, notice, &link, now).await?;
            done.reminders += 1;
        }
        tx.commit().await?;
    }
    let mut tx = app.db.begin().await?;
    done.no_shows = store::appointments::close_no_shows(&mut tx, now).await?;
    done.no_shows += store::appointments::close_unrecorded_video(
        &mut tx,
        now,
        super::video::UNRECORDED_AFTER_MS,
    )
    .await?;
    tx.commit().await?;
    done.reported = super::outcomes::report_closed(app).await?;
    Ok(done)
}
