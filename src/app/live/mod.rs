//! Live fan-out: each site's events, in order and without a gap, to this
//! instance's subscribers (lobby screens, counters, citizens' phones).
//!
//! One task takes every event the bus brings (this instance's own at once,
//! other instances' through Redis), puts each site back in order with
//! `bus::order`, fills gaps from the event log, and serializes each event
//! once into a broadcast channel of its site. A socket reads its site's
//! channel; one that falls `CHANNEL` events behind is dropped and resumes
//! with `since`, so no subscriber ever slows the publisher or the others.
//!
//! The hub also keeps what bounds this instance's sockets: their places
//! per client address and in all (`places`), the one reader each followed
//! ticket shares (`tickets`), and the sessions that ended (`sessions`).

pub mod places;
pub mod sessions;
pub mod tickets;

use super::sites::{from_json, zone_of};
use super::{App, AppResult};
use crate::bus::order::Order;
use crate::domain::time::local_rfc3339;
use crate::store::{self, events::EventRow};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

/// Events a subscriber may lag behind its site before it is dropped.
pub const CHANNEL: usize = 512;
/// How often channels nobody reads are closed and, with Redis, the log is
/// checked for events that never came (the last of a burst, an outage).
const SWEEP: Duration = Duration::from_secs(2);
/// Events the hub takes from the bus in one turn at most.
const BATCH: usize = 1024;
/// Events read from the log in one go to fill a gap.
pub const FILL_LIMIT: i64 = 1000;

/// An event as subscribers get it: `wire` is the JSON message sent,
/// `{type, seq, at, …payload}` in UTF-8, serialized once for all of them
/// (each socket shares these bytes rather than copying them).
#[derive(Debug)]
pub struct LiveEvent {
    pub seq: i64,
    pub kind: String,
    pub payload: Value,
    pub wire: bytes::Bytes,
}

impl LiveEvent {
    /// Whether the event is about a service's queue, or names the service.
    pub fn concerns_service(&self, service: &str) -> bool {
        self.payload["service"] == service
            || self.payload["from"] == service
            || self.payload["services"]
                .as_array()
                .is_some_and(|all| all.iter().any(|s| s["id"] == service))
    }
}

type Channel = broadcast::Sender<Arc<LiveEvent>>;

#[derive(Debug)]
pub struct Hub {
    channels: Mutex<HashMap<String, Channel>>,
    watch: mpsc::UnboundedSender<(String, i64)>,
    watches: Mutex<Option<mpsc::UnboundedReceiver<(String, i64)>>>,
    places: Arc<places::Places>,
    /// The reader each followed ticket's sockets share.
    pub tickets: tickets::TicketFeeds,
    ended: sessions::Ended,
    /// How often staff and device sockets read their token again
    /// (`sessions::RECHECK`; tests shorten it).
    pub session_recheck: Duration,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new(places::PER_ADDRESS, places::PER_INSTANCE)
    }
}

impl Hub {
    /// A hub whose sockets are capped per client address and in all.
    pub fn new(per_address: usize, per_instance: usize) -> Self {
        let (watch, watches) = mpsc::unbounded_channel();
        Self {
            channels: Mutex::default(),
            watch,
            watches: Mutex::new(Some(watches)),
            places: places::Places::new(per_address, per_instance),
            tickets: tickets::TicketFeeds::default(),
            ended: sessions::Ended::default(),
            session_recheck: sessions::RECHECK,
        }
    }

    /// A place for one more socket of `address`, held until it is dropped.
    pub fn take_place(&self, address: &str) -> Result<places::Place, places::Refused> {
        self.places.take(address)
    }

    /// Closes this instance's sockets opened by `actor` (as
    /// `Principal::actor` names an account or a device), whose sessions
    /// have just ended.
    pub fn end_sessions(&self, actor: String) {
        self.ended.announce(actor);
    }

    /// The events of a site from now on. Subscribe before reading the
    /// snapshot, then `watch` from the snapshot's `seq`, so nothing falls
    /// between the two.
    pub fn subscribe(&self, site: &str) -> broadcast::Receiver<Arc<LiveEvent>> {
        let mut channels = crate::sync::lock(&self.channels);
        channels
            .entry(site.to_owned())
            .or_insert_with(|| broadcast::channel(CHANNEL).0)
            .subscribe()
    }

    /// Tells the hub where a new subscriber's snapshot stands, so that a
    /// gap right after it is noticed too.
    pub fn watch(&self, site: &str, seq: i64) {
        let _ = self.watch.send((site.to_owned(), seq));
    }

    /// Sockets following live events on this instance (their places).
    pub fn subscribers(&self) -> usize {
        self.places.held()
    }

    fn channel(&self, site: &str) -> Option<Channel> {
        let channels = crate::sync::lock(&self.channels);
        channels
            .get(site)
            .filter(|c| c.receiver_count() > 0)
            .cloned()
    }

    fn is_followed(&self, site: &str) -> bool {
        self.channel(site).is_some()
    }

    fn prune(&self) {
        let mut channels = crate::sync::lock(&self.channels);
        channels.retain(|_, c| c.receiver_count() > 0);
    }
}

/// The message subscribers get for a logged event.
pub async fn to_live(app: &App, row: &EventRow) -> AppResult<LiveEvent> {
    let zone = zone_of(app, &row.site_id).await?;
    let payload: Value = from_json(&row.payload)?;
    let mut message = serde_json::Map::new();
    message.insert("type".to_owned(), row.kind.clone().into());
    message.insert("seq".to_owned(), row.seq.into());
    message.insert("at".to_owned(), local_rfc3339(row.at, &zone).into());
    if let Value::Object(fields) = &payload {
        for (key, value) in fields {
            message.insert(key.clone(), value.clone());
        }
    }
    Ok(LiveEvent {
        seq: row.seq,
        kind: row.kind.clone(),
        payload,
        wire: Value::Object(message).to_string().into(),
    })
}

/// Runs the hub until the application shuts down.
pub async fn run(app: Arc<App>) {
    let (Some(mut incoming), Some(mut watches)) = (
        app.bus.take_incoming(),
        crate::sync::lock(&app.live.hub.watches).take(),
    ) else {
        tracing::error!("the live hub is already running");
        return;
    };
    let mut order = Order::default();
    let mut suspects = HashMap::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut sweep = tokio::time::interval(SWEEP);
    loop {
        let deadline = order.next_deadline().map(Instant::from_std);
        let reconnected = async {
            match app.bus.reconnected() {
                Some(notify) => notify.notified().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = app.live.shutdown.cancelled() => return,
            // All that is queued at once: a hub that took one event per turn
            // would wait behind every socket task of a busy instance each time.
            taken = incoming.recv_many(&mut batch, BATCH) => {
                if taken == 0 {
                    return;
                }
                let now = std::time::Instant::now();
                let ready: Vec<EventRow> = batch.drain(..).flat_map(|e| order.accept(e, now)).collect();
                deliver(&app, ready).await;
            }
            Some((site, seq)) = watches.recv() => order.watch(&site, seq),
            _ = tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                fill_overdue(&app, &mut order).await;
            }
            _ = sweep.tick() => {
                app.live.hub.prune();
                order.retain(|site| app.live.hub.is_followed(site));
                if app.bus.is_shared() {
                    suspects = catch_up(&app, &mut order, Some(&suspects)).await;
                }
            }
            _ = reconnected => suspects = catch_up(&app, &mut order, None).await,
        }
    }
}

async fn deliver(app: &App, rows: Vec<EventRow>) {
    for row in rows {
        let Some(channel) = app.live.hub.channel(&row.site_id) else {
            continue;
        };
        match to_live(app, &row).await {
            Ok(event) => {
                let _ = channel.send(Arc::new(event));
            }
            Err(error) => {
                tracing::warn!(%error, site = %row.site_id, seq = row.seq, "live event dropped")
            }
        }
    }
}

/// Fills from the log the gaps that did not close by themselves.
async fn fill_overdue(app: &App, order: &mut Order) {
    for (site, last) in order.overdue(std::time::Instant::now()) {
        let rows = match store::events::since(&app.db, &site, last, FILL_LIMIT).await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, %site, "filling a gap in live events failed; will retry");
                Vec::new()
            }
        };
        let ready = order.filled(&site, rows);
        deliver(app, ready).await;
    }
}

/// Reads from the log what followed sites committed but never came here.
///
/// A site whose log is ahead of what was released may only have events on
/// their way (queued for the hub): it is filled only if it is still short
/// of where its log stood at the previous sweep (`suspects`), or at once
/// when `suspects` is `None` (Redis just came back). Returns the sites
/// behind now, for the next sweep.
async fn catch_up(
    app: &App,
    order: &mut Order,
    suspects: Option<&HashMap<String, i64>>,
) -> HashMap<String, i64> {
    let mut behind = HashMap::new();
    let last_seqs = match store::events::last_seqs(&app.db).await {
        Ok(all) => all,
        Err(error) => {
            tracing::warn!(%error, "checking live events against the log failed");
            return behind;
        }
    };
    for (site, seq) in last_seqs {
        if !app.live.hub.is_followed(&site) || !order.behind(&site, seq) {
            continue;
        }
        let lost = match suspects {
            None => true,
            Some(suspects) => suspects.get(&site).is_some_and(|s| order.behind(&site, *s)),
        };
        behind.insert(site.clone(), seq);
        let (true, Some(last)) = (lost, order.last(&site)) else {
            continue;
        };
        match store::events::since(&app.db, &site, last, FILL_LIMIT).await {
            Ok(rows) => {
                let ready = order.filled(&site, rows);
                deliver(app, ready).await;
            }
            Err(error) => tracing::warn!(%error, %site, "catching up live events failed"),
        }
    }
    behind
}
