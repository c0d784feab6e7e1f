//! Live updates over WebSocket (API.md, "Live updates"): `/ws/sites/{site}`
//! for lobby screens, `/ws/counters/{counter}` for agents and counter
//! displays, `/ws/tickets/{id}` for a citizen following one ticket.
//!
//! Each socket is one task. It sends its first message, then what its
//! site's hub channel brings, checking that every `seq` is one above the
//! last (a gap is filled from the log, a repeat skipped). It pings every
//! `PING` and drops a peer silent for `SILENT`, or one that lags a whole
//! channel behind or takes `SEND_TIMEOUT` to take a message: such a peer
//! reconnects with `since`. At shutdown each socket gets a close frame
//! telling it to reconnect (to another instance).

use super::AppState;
use super::auth::Caller;
use super::error::ApiPath;
use crate::app::auth::Principal;
use crate::app::live::LiveEvent;
use crate::app::streams;
use crate::app::{App, AppError, AppResult};
use crate::store::devices::SEEN_EVERY_MS;
use axum::Router;
use axum::extract::ws::{
    CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade,
    rejection::WebSocketUpgradeRejection,
};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use futures_util::SinkExt;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::Instant;

const PING: Duration = Duration::from_secs(20);
/// A peer that answers nothing for this long is gone.
const SILENT: Duration = Duration::from_secs(60);
/// A peer that takes longer than this to take one message is too slow.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Events written to a socket in one go at most.
const BATCH: usize = 64;
/// Clients have nothing to say beyond pongs and closes.
const MAX_INCOMING: usize = 4096;
/// Each socket's read buffer. The default (128 KiB, zero-filled) would be
/// most of a connection's memory for a stream that only listens.
const READ_BUFFER: usize = 4096;

/// Close codes: the server is going away (reconnect, elsewhere if need
/// be); the peer fell behind (reconnect with `since`); the stream is over.
const GOING_AWAY: u16 = 1012;
const TOO_SLOW: u16 = 4008;
const FINISHED: u16 = 1000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ws/sites/{site}", get(site_stream))
        .route("/ws/counters/{counter}", get(counter_stream))
        .route("/ws/tickets/{id}", get(ticket_stream))
}

type Upgrade = Result<WebSocketUpgrade, WebSocketUpgradeRejection>;

/// Which snapshot a site-event stream starts with.
#[derive(Clone)]
enum Scope {
    Site,
    Counter(String),
}

async fn site_stream(
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
    Query(params): Query<HashMap<String, String>>,
    upgrade: Upgrade,
) -> AppResult<Response> {
    let since = since_of(&params)?;
    crate::app::sites::SiteContext::load(&state.app, &site).await?;
    let app = state.app;
    Ok(accept(upgrade)?.on_upgrade(move |socket| {
        let sockets = app.sockets.clone();
        sockets.track_future(follow_site(app, socket, site, Scope::Site, since))
    }))
}

async fn counter_stream(
    State(state): State<AppState>,
    Caller(who): Caller,
    ApiPath(counter): ApiPath<String>,
    Query(params): Query<HashMap<String, String>>,
    upgrade: Upgrade,
) -> AppResult<Response> {
    let since = since_of(&params)?;
    let site = streams::counter_site(&state.app, &who, &counter).await?;
    let app = state.app;
    // A counter display is seen for as long as its socket lives.
    let device = match who {
        Principal::Device { id, .. } => Some(id),
        _ => None,
    };
    Ok(accept(upgrade)?.on_upgrade(move |socket| {
        let sockets = app.sockets.clone();
        let follow = follow_site(app.clone(), socket, site, Scope::Counter(counter), since);
        sockets.track_future(async move {
            match device {
                Some(id) => {
                    tokio::select! {
                        _ = follow => {}
                        _ = keep_seen(&app, &id) => {}
                    }
                }
                None => follow.await,
            }
        })
    }))
}

/// Notes a device as seen every `SEEN_EVERY_MS` while its socket lives.
async fn keep_seen(app: &App, id: &str) {
    let every = std::time::Duration::from_millis(SEEN_EVERY_MS as u64);
    loop {
        tokio::time::sleep(every).await;
        crate::app::devices::seen(app, id).await;
    }
}

async fn ticket_stream(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    upgrade: Upgrade,
) -> AppResult<Response> {
    let ticket = crate::app::tickets::get(&state.app, &id).await?;
    let app = state.app;
    Ok(accept(upgrade)?.on_upgrade(move |socket| {
        let sockets = app.sockets.clone();
        sockets.track_future(follow_ticket(app, socket, id, ticket.site))
    }))
}

fn accept(upgrade: Upgrade) -> AppResult<WebSocketUpgrade> {
    let upgrade =
        upgrade.map_err(|_| AppError::Malformed("expected a WebSocket upgrade".to_owned()))?;
    Ok(upgrade
        .read_buffer_size(READ_BUFFER)
        .max_message_size(MAX_INCOMING)
        .max_frame_size(MAX_INCOMING))
}

fn since_of(params: &HashMap<String, String>) -> AppResult<Option<i64>> {
    params
        .get("since")
        .map(|s| match s.parse::<i64>() {
            Ok(seq) if seq >= 0 => Ok(seq),
            _ => Err(
                crate::domain::Invalid::new("since", "must be an event number (0 or more)").into(),
            ),
        })
        .transpose()
}

/// A socket and when its peer was last heard.
struct Peer {
    socket: WebSocket,
    heard: Instant,
}

impl Peer {
    async fn send_text(&mut self, text: String) -> Result<(), ()> {
        self.send(Message::Text(text.into())).await
    }

    /// An event's shared bytes, without copying them.
    async fn send_event(&mut self, event: &LiveEvent) -> Result<(), ()> {
        self.feed_event(event).await?;
        self.flush().await
    }

    /// Queues an event to go out with the next flush.
    async fn feed_event(&mut self, event: &LiveEvent) -> Result<(), ()> {
        let text = Utf8Bytes::try_from(event.wire.clone()).map_err(|_| ())?;
        match tokio::time::timeout(SEND_TIMEOUT, self.socket.feed(Message::Text(text))).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(()),
        }
    }

    async fn flush(&mut self) -> Result<(), ()> {
        match tokio::time::timeout(SEND_TIMEOUT, self.socket.flush()).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(()),
        }
    }

    async fn send(&mut self, message: Message) -> Result<(), ()> {
        match tokio::time::timeout(SEND_TIMEOUT, self.socket.send(message)).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(()),
        }
    }

    async fn close(&mut self, code: u16, reason: &str) {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        let _ = self.send(Message::Close(Some(frame))).await;
    }

    /// What the peer sent: `false` once it is gone.
    fn heard(&mut self, message: Option<Result<Message, axum::Error>>) -> bool {
        match message {
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => false,
            Some(Ok(_)) => {
                self.heard = Instant::now();
                true
            }
        }
    }

    /// A ping, unless the peer has been silent too long (`false`: gone).
    async fn ping(&mut self) -> bool {
        self.heard.elapsed() < SILENT && self.send(Message::Ping(Default::default())).await.is_ok()
    }
}

type Events = tokio::sync::broadcast::Receiver<Arc<LiveEvent>>;

/// The next event already queued for this socket, without waiting.
fn queued(events: &mut Events) -> Option<Result<Arc<LiveEvent>, RecvError>> {
    match events.try_recv() {
        Ok(event) => Some(Ok(event)),
        Err(TryRecvError::Lagged(n)) => Some(Err(RecvError::Lagged(n))),
        Err(_) => None,
    }
}

fn ping_timer() -> tokio::time::Interval {
    tokio::time::interval_at(Instant::now() + PING, PING)
}

/// Starts a site-event stream: a snapshot, or the events after `since`.
/// Returns the last `seq` sent.
async fn start(
    app: &App,
    peer: &mut Peer,
    site: &str,
    scope: &Scope,
    since: Option<i64>,
) -> AppResult<Option<i64>> {
    if let Some(since) = since
        && let Some(events) = streams::resume(app, site, since).await?
    {
        let mut last = since;
        for event in events {
            last = event.seq;
            if peer.send_event(&event).await.is_err() {
                return Ok(None);
            }
        }
        return Ok(Some(last));
    }
    let (seq, message) = match scope {
        Scope::Site => streams::site_snapshot(app, site).await?,
        Scope::Counter(counter) => streams::counter_snapshot(app, counter).await?,
    };
    if peer.send_text(message.to_string()).await.is_err() {
        return Ok(None);
    }
    Ok(Some(seq))
}

async fn follow_site(
    app: Arc<App>,
    socket: WebSocket,
    site: String,
    scope: Scope,
    since: Option<i64>,
) {
    let mut events = app.live.subscribe(&site);
    let mut peer = Peer {
        socket,
        heard: Instant::now(),
    };
    let mut last = match start(&app, &mut peer, &site, &scope, since).await {
        Ok(Some(last)) => last,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, %site, "live stream could not start");
            return peer.close(1011, "unavailable; reconnect").await;
        }
    };
    app.live.watch(&site, last);
    let mut ping = ping_timer();
    loop {
        tokio::select! {
            _ = app.shutdown.cancelled() => {
                let reason = format!("server restarting: reconnect with since={last}");
                return peer.close(GOING_AWAY, &reason).await;
            }
            message = peer.socket.recv() => if !peer.heard(message) { return },
            _ = ping.tick() => if !peer.ping().await { return },
            event = events.recv() => {
                // What else is queued goes out with it: one write for a
                // burst (a call and its queue change) instead of one each.
                let mut next = Some(event);
                let mut sent = 0;
                while let Some(event) = next {
                    match event {
                        Ok(event) => match pass(&app, &mut peer, &site, last, &event).await {
                            Some(seq) => last = seq,
                            None => return,
                        },
                        Err(RecvError::Lagged(_)) => {
                            let reason = format!("too slow: reconnect with since={last}");
                            return peer.close(TOO_SLOW, &reason).await;
                        }
                        Err(RecvError::Closed) => return,
                    }
                    sent += 1;
                    next = if sent < BATCH { queued(&mut events) } else { None };
                }
                if peer.flush().await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Queues an event after `last` for the peer (the caller flushes), first
/// filling from the log any gap before it. Returns the new last `seq`, or
/// `None` when the peer is gone.
async fn pass(app: &App, peer: &mut Peer, site: &str, last: i64, event: &LiveEvent) -> Option<i64> {
    if event.seq <= last {
        return Some(last);
    }
    let mut last = last;
    if event.seq > last + 1 {
        let missing = streams::between(app, site, last, event.seq - 1)
            .await
            .ok()?;
        for missed in missing {
            if missed.seq == last + 1 {
                peer.feed_event(&missed).await.ok()?;
                last = missed.seq;
            }
        }
        if last + 1 != event.seq {
            peer.close(
                TOO_SLOW,
                &format!("events missing: reconnect with since={last}"),
            )
            .await;
            return None;
        }
    }
    peer.feed_event(event).await.ok()?;
    Some(event.seq)
}

async fn follow_ticket(app: Arc<App>, socket: WebSocket, id: String, site: String) {
    let mut events = app.live.subscribe(&site);
    let mut peer = Peer {
        socket,
        heard: Instant::now(),
    };
    let Ok(mut seq) = streams::head(&app, &site).await else {
        return peer.close(1011, "unavailable; reconnect").await;
    };
    let Some((mut ticket, mut sent)) = send_ticket(&app, &mut peer, &id, seq, None).await else {
        return;
    };
    let mut ping = ping_timer();
    loop {
        tokio::select! {
            _ = app.shutdown.cancelled() => {
                return peer.close(GOING_AWAY, "server restarting: reconnect").await;
            }
            message = peer.socket.recv() => if !peer.heard(message) { return },
            _ = ping.tick() => if !peer.ping().await { return },
            event = events.recv() => {
                // Everything already queued is taken at once: one read of
                // the ticket answers a burst of events.
                let mut touched = false;
                let mut next = Some(event);
                while let Some(event) = next {
                    match event {
                        Ok(event) => {
                            seq = seq.max(event.seq);
                            touched |= streams::touches_ticket(&event, &ticket);
                        }
                        Err(RecvError::Lagged(_)) => touched = true,
                        Err(RecvError::Closed) => return,
                    }
                    next = queued(&mut events);
                }
                if touched {
                    match send_ticket(&app, &mut peer, &id, seq, Some(&sent)).await {
                        Some((now, message)) => (ticket, sent) = (now, message),
                        None => return,
                    }
                }
            }
        }
    }
}

/// Sends the ticket's state unless it is what was sent last (`None`: the
/// stream is over).
async fn send_ticket(
    app: &App,
    peer: &mut Peer,
    id: &str,
    seq: i64,
    sent: Option<&Value>,
) -> Option<(crate::app::tickets::TicketView, Value)> {
    let (ticket, message, finished) = match streams::ticket_state(app, id, seq).await {
        Ok(state) => state,
        Err(error) => {
            tracing::warn!(%error, "ticket stream could not read its ticket");
            return None;
        }
    };
    let changed = sent.is_none_or(|sent| sent["ticket"] != message["ticket"]);
    if changed {
        peer.send_text(message.to_string()).await.ok()?;
    }
    if finished {
        let frame = CloseFrame {
            code: FINISHED,
            reason: "ticket finished".into(),
        };
        let _ = peer.send(Message::Close(Some(frame))).await;
        return None;
    }
    Some((ticket, message))
}
