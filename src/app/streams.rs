//! What each live stream starts with (docs/api.md, "Live updates"): the public
//! snapshot of a site, a counter's own picture for its agent or display,
//! and one ticket's state for its holder. The sockets are `http::live`'s.

use super::auth::Principal;
use super::calls::setting_of_counter;
use super::live::{FILL_LIMIT, LiveEvent, to_live};
use super::queue::snapshot;
use super::tickets::{self, TicketView};
use super::{App, AppResult};
use crate::domain::role::{DeviceKind, Role};
use crate::domain::ticket::Status;
use crate::store::{self, Conn};
use serde_json::{Value, json};

/// The first message of a site's stream: `{type: "snapshot", seq, queue}`.
pub async fn site_snapshot(app: &App, site: &str) -> AppResult<(i64, Value)> {
    let queue = snapshot(app, site).await?;
    let seq = queue.seq;
    Ok((seq, json!({"type": "snapshot", "seq": seq, "queue": queue})))
}

/// The site of a counter, if the caller may follow it: staff of the site,
/// or a display device of the site.
pub async fn counter_site(app: &App, who: &Principal, counter: &str) -> AppResult<String> {
    let (context, _) = setting_of_counter(app, counter).await?;
    who.require_staff_or_device(
        &context.row.id,
        &[Role::Agent, Role::Supervisor],
        &[DeviceKind::Display],
    )?;
    Ok(context.row.id.clone())
}

/// The first message of a counter's stream: `{type: "snapshot", seq,
/// counter, queue}`, the queue narrowed to the counter's services and calls.
pub async fn counter_snapshot(app: &App, counter: &str) -> AppResult<(i64, Value)> {
    let (context, services) = setting_of_counter(app, counter).await?;
    let mut queue = snapshot(app, &context.row.id).await?;
    queue.services.retain(|s| services.contains(&s.id));
    queue.counters.retain(|c| c.id == counter);
    queue.recent_calls.retain(|c| c["counter"] == counter);
    let seq = queue.seq;
    let message = json!({
        "type": "snapshot",
        "seq": seq,
        "counter": queue.counters.first(),
        "queue": queue,
    });
    Ok((seq, message))
}

/// How a resuming subscriber catches up: the events after `since`, or
/// `None` when a fresh snapshot is due (too many missed, or a `since` the
/// log never reached).
pub async fn resume(app: &App, site: &str, since: i64) -> AppResult<Option<Vec<LiveEvent>>> {
    let head = store::events::last_seq(Conn::Db(&app.db), site).await?;
    if since > head {
        return Ok(None);
    }
    let rows = store::events::since(&app.db, site, since, FILL_LIMIT + 1).await?;
    if rows.len() as i64 > FILL_LIMIT {
        return Ok(None);
    }
    Ok(Some(all_to_live(app, &rows).await?))
}

/// The events of a site after `after` up to `upto`, to close a gap one
/// subscriber saw.
pub async fn between(app: &App, site: &str, after: i64, upto: i64) -> AppResult<Vec<LiveEvent>> {
    let rows = store::events::since(&app.db, site, after, (upto - after).min(FILL_LIMIT)).await?;
    all_to_live(app, &rows).await
}

async fn all_to_live(app: &App, rows: &[store::events::EventRow]) -> AppResult<Vec<LiveEvent>> {
    let mut events = Vec::with_capacity(rows.len());
    for row in rows {
        events.push(to_live(app, row).await?);
    }
    Ok(events)
}

/// A ticket's state as its holder's stream sends it, and whether the
/// ticket is finished (the stream then ends).
pub async fn ticket_state(app: &App, id: &str, seq: i64) -> AppResult<(TicketView, Value, bool)> {
    let view = tickets::get(app, id).await?;
    let finished = matches!(
        view.status,
        Status::Done | Status::NoShow | Status::Cancelled
    );
    let message = json!({"type": "ticket", "seq": seq, "ticket": &view});
    Ok((view, message, finished))
}

/// Whether an event may change what a ticket's holder sees.
pub fn touches_ticket(event: &LiveEvent, ticket: &TicketView) -> bool {
    event.payload["number"] == ticket.number.as_str() || event.concerns_service(&ticket.service)
}

/// The last event number of a site.
pub async fn head(app: &App, site: &str) -> AppResult<i64> {
    Ok(store::events::last_seq(Conn::Db(&app.db), site).await?)
}
