//! Live updates over WebSocket (docs/api.md, "Live updates"): `/ws/sites/{site}`
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
//!
//! Every socket holds a place (`place`), taken before its upgrade and
//! given back when it ends: per client address and per instance, capped.
//! A ticket's sockets share one reader of the ticket (`ticket`). A staff
//! or device socket closes with 1008 when its session ends.

use super::AppState;
use super::auth::{BearerToken, Caller};
use super::error::ApiPath;
use crate::app::auth::Principal;
use crate::app::live::LiveEvent;
use crate::app::live::sessions::Session;
use crate::app::streams;
use crate::app::{App, AppError, AppResult};
use axum::Router;
use axum::extract::ws::{WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use peer::Peer;
use place::Held;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::Instant;

mod peer;
mod place;
mod ticket;

const PING: Duration = Duration::from_secs(20);
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
/// be); the peer fell behind (reconnect with `since`); the stream is over;
/// the session that opened the stream ended (disabled, removed, revoked,
/// logged out or expired).
const GOING_AWAY: u16 = 1012;
const TOO_SLOW: u16 = 4008;
const FINISHED: u16 = 1000;
const SESSION_ENDED: u16 = 1008;

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

// `Held` comes first: past a cap the upgrade is refused before anything
// else is read.
async fn site_stream(
    place: Held,
    State(state): State<AppState>,
    ApiPath(site): ApiPath<String>,
    Query(params): Query<HashMap<String, String>>,
    upgrade: Upgrade,
) -> AppResult<Response> {
    let upgrade = accept(upgrade)?;
    let since = since_of(&params)?;
    crate::app::sites::SiteContext::load(&state.app, &site).await?;
    let app = state.app;
    Ok(upgrade.on_upgrade(move |socket| {
        let sockets = app.live.sockets.clone();
        sockets.track_future(async move {
            follow_site(&app, socket, site, Scope::Site, since, None).await;
            drop(place);
        })
    }))
}

async fn counter_stream(
    place: Held,
    State(state): State<AppState>,
    Caller(who): Caller,
    BearerToken(token): BearerToken,
    ApiPath(counter): ApiPath<String>,
    Query(params): Query<HashMap<String, String>>,
    upgrade: Upgrade,
) -> AppResult<Response> {
    let upgrade = accept(upgrade)?;
    let since = since_of(&params)?;
    let site = streams::counter_site(&state.app, &who, &counter).await?;
    let app = state.app;
    // A counter display is seen for as long as its socket lives.
    let device = match &who {
        Principal::Device { id, .. } => Some(id.clone()),
        _ => None,
    };
    let session = Session::new(&app, token, who);
    Ok(upgrade.on_upgrade(move |socket| {
        let sockets = app.live.sockets.clone();
        sockets.track_future(async move {
            let scope = Scope::Counter(counter);
            let follow = follow_site(&app, socket, site, scope, since, Some(session));
            match device {
                Some(id) => {
                    tokio::select! {
                        _ = follow => {}
                        _ = crate::app::devices::keep_seen(&app, &id) => {}
                    }
                }
                None => follow.await,
            }
            drop(place);
        })
    }))
}

async fn ticket_stream(
    place: Held,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    upgrade: Upgrade,
) -> AppResult<Response> {
    let upgrade = accept(upgrade)?;
    let ticket = crate::app::tickets::get(&state.app, &id).await?;
    let app = state.app;
    Ok(upgrade.on_upgrade(move |socket| {
        let sockets = app.live.sockets.clone();
        sockets.track_future(async move {
            ticket::follow(&app, socket, &id, &ticket.site).await;
            drop(place);
        })
    }))
}

/// Resolves when the session a stream was opened with ends; never for a
/// public stream.
fn session_end<'a>(
    app: &'a App,
    session: Option<Session>,
) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>> {
    match session {
        Some(session) => Box::pin(session.ended(app, app.live.hub.session_recheck)),
        None => Box::pin(std::future::pending()),
    }
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
    app: &App,
    socket: WebSocket,
    site: String,
    scope: Scope,
    since: Option<i64>,
    session: Option<Session>,
) {
    let mut events = app.live.hub.subscribe(&site);
    let mut ended = session_end(app, session);
    let mut peer = Peer::new(socket);
    let mut last = match start(app, &mut peer, &site, &scope, since).await {
        Ok(Some(last)) => last,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, %site, "live stream could not start");
            return peer.close(1011, "unavailable; reconnect").await;
        }
    };
    app.live.hub.watch(&site, last);
    let mut ping = ping_timer();
    // Registered once with the instance's shutdown, which every socket
    // shares, rather than again on each wake.
    let shutdown = app.live.shutdown.cancelled();
    tokio::pin!(shutdown);
    loop {
        // Events first: a wake for an event goes straight to writing it;
        // the other branches are looked at once nothing more is queued.
        tokio::select! {
            biased;
            event = events.recv() => {
                // What else is queued goes out with it: one write for a
                // burst (a call and its queue change) instead of one each.
                let mut next = Some(event);
                let mut sent = 0;
                while let Some(event) = next {
                    match event {
                        Ok(event) => match pass(app, &mut peer, &site, last, &event).await {
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
            _ = &mut shutdown => {
                let reason = format!("server restarting: reconnect with since={last}");
                return peer.close(GOING_AWAY, &reason).await;
            }
            _ = &mut ended => return peer.close(SESSION_ENDED, "session ended").await,
            message = peer.socket.recv() => if !peer.heard(message) { return },
            _ = ping.tick() => if !peer.ping().await { return },
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
