//! The end of an appointment told to the webhooks that ask for
//! `appointment.closed`: `done` or `no_show`, however it was decided (the
//! ticket of a visit, an agent's record of a video call, or the sweep that
//! closes the ones nobody came to). A job reads the appointments closed in
//! the last few minutes rather than each of those transactions queueing
//! it, so the queue's hot path stays as it is. Each event is keyed by the
//! appointment and its status: queued once however often the job runs, and
//! once more if an agent corrects a `no_show` to `done`.

use super::appointments::webhook_data;
use super::{App, AppResult};
use crate::notify::webhooks;
use crate::store;

/// How far back each pass looks; the sweep runs every minute.
const LOOK_BACK_MS: i64 = 10 * 60 * 1000;
/// Events queued per transaction.
const BATCH: usize = 200;
const EVENT: &str = "appointment.closed";

/// Queues `appointment.closed` for the appointments closed lately; returns
/// how many were looked at.
pub async fn report_closed(app: &App) -> AppResult<usize> {
    if !webhooks::anyone_wants(&app.db, EVENT).await? {
        return Ok(0);
    }
    let now = app.clock.now_ms();
    let closed = store::appointments::closed_since(&app.db, now - LOOK_BACK_MS).await?;
    for batch in closed.chunks(BATCH) {
        let mut tx = app.db.begin().await?;
        for row in batch {
            let mut data = webhook_data(row);
            data["closed_at"] = row.updated_at.into();
            let key = format!("{}:{}", row.reference, row.status);
            let (site, at) = (&row.site_id, row.updated_at);
            webhooks::enqueue_since(&mut tx, site, EVENT, &key, data, at, now).await?;
        }
        tx.commit().await?;
    }
    Ok(closed.len())
}
