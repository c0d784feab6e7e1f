//! One reader per followed ticket: however many sockets follow a ticket
//! on this instance (a family's phones, a tab left open, or an attacker's
//! hundreds), one task follows its site's events, reads the ticket once
//! for each burst that may change it, and hands the result to all of them
//! through a `watch` channel. The task ends when its last socket leaves,
//! when the ticket is finished, or when it cannot be read (its sockets then
//! reconnect).

use super::super::streams::{head, ticket_state, touches_ticket};
use super::super::tickets::TicketView;
use super::super::{App, AppResult};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::watch;

/// What the sockets of a ticket are told.
#[derive(Debug)]
pub enum TicketUpdate {
    /// The ticket changed: `{type: "ticket", seq, ticket}` as sent, and
    /// whether the ticket is finished (the stream then ends).
    Changed { message: String, finished: bool },
    /// The ticket could not be read: reconnect.
    Failed,
}

/// The latest update of a ticket; `None` until its first read.
pub type Feed = watch::Receiver<Option<Arc<TicketUpdate>>>;
type Publisher = watch::Sender<Option<Arc<TicketUpdate>>>;

/// The ticket feeds of this instance, by ticket id.
#[derive(Debug, Default)]
pub struct TicketFeeds(Mutex<HashMap<String, Publisher>>);

impl TicketFeeds {
    /// The feed of a ticket of `site`, started if nobody follows it yet.
    pub fn follow(&self, app: &Arc<App>, id: &str, site: &str) -> Feed {
        let mut feeds = crate::sync::lock(&self.0);
        if let Some(publisher) = feeds.get(id) {
            return publisher.subscribe();
        }
        let (publisher, feed) = watch::channel(None);
        feeds.insert(id.to_owned(), publisher.clone());
        let task = run(app.clone(), id.to_owned(), site.to_owned(), publisher);
        app.live.sockets.spawn(task);
        feed
    }

    /// Drops the feed of `id` if it is `publisher`'s and nobody follows it
    /// any more (whoever joins takes the lock first). Returns whether it went.
    fn leave(&self, id: &str, publisher: &Publisher, only_if_unfollowed: bool) -> bool {
        let mut feeds = crate::sync::lock(&self.0);
        if only_if_unfollowed && publisher.receiver_count() > 0 {
            return false;
        }
        if feeds.get(id).is_some_and(|p| p.same_channel(publisher)) {
            feeds.remove(id);
        }
        true
    }

    /// Tickets followed on this instance.
    pub fn len(&self) -> usize {
        crate::sync::lock(&self.0).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

async fn run(app: Arc<App>, id: String, site: String, publisher: Publisher) {
    follow(&app, &id, &site, &publisher).await;
    app.live.hub.tickets.leave(&id, &publisher, false);
}

/// Publishes the ticket's changes until it is finished, unreadable, or
/// followed by nobody.
async fn follow(app: &App, id: &str, site: &str, publisher: &Publisher) {
    // Subscribed before reading, so that no change falls between the two.
    let mut events = app.live.hub.subscribe(site);
    let Ok(mut seq) = head(app, site).await else {
        publisher.send_replace(Some(Arc::new(TicketUpdate::Failed)));
        return;
    };
    let mut last: Option<(TicketView, serde_json::Value)> = None;
    if !read(app, id, seq, &mut last, publisher).await {
        return;
    }
    loop {
        tokio::select! {
            _ = app.live.shutdown.cancelled() => return,
            _ = publisher.closed() => if app.live.hub.tickets.leave(id, publisher, true) { return },
            event = events.recv() => {
                // Everything already queued is taken at once: one read of
                // the ticket answers a burst of events.
                let mut touched = false;
                let mut next = Some(event);
                while let Some(event) = next {
                    match event {
                        Ok(event) => {
                            seq = seq.max(event.seq);
                            touched |= last.as_ref().is_none_or(|(ticket, _)| touches_ticket(&event, ticket));
                        }
                        Err(RecvError::Lagged(_)) => touched = true,
                        Err(RecvError::Closed) => return,
                    }
                    next = match events.try_recv() {
                        Ok(event) => Some(Ok(event)),
                        Err(TryRecvError::Lagged(n)) => Some(Err(RecvError::Lagged(n))),
                        Err(_) => None,
                    };
                }
                if touched && !read(app, id, seq, &mut last, publisher).await {
                    return;
                }
            }
        }
    }
}

/// Reads the ticket and publishes it if it changed. `false`: the feed is
/// over (the ticket is finished, or could not be read).
async fn read(
    app: &App,
    id: &str,
    seq: i64,
    last: &mut Option<(TicketView, serde_json::Value)>,
    publisher: &Publisher,
) -> bool {
    let read: AppResult<_> = ticket_state(app, id, seq).await;
    let (ticket, message, finished) = match read {
        Ok(state) => state,
        Err(error) => {
            tracing::warn!(%error, "ticket stream could not read its ticket");
            publisher.send_replace(Some(Arc::new(TicketUpdate::Failed)));
            return false;
        }
    };
    let changed = last
        .as_ref()
        .is_none_or(|(_, sent)| sent["ticket"] != message["ticket"]);
    if changed {
        let update = TicketUpdate::Changed {
            message: message.to_string(),
            finished,
        };
        publisher.send_replace(Some(Arc::new(update)));
        *last = Some((ticket, message));
    }
    !finished
}
