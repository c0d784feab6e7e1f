//! The sockets of a `day` run. Lobby screens (`/ws/sites/{site}`) and
//! counter displays (`/ws/counters/{counter}`, with the display device's
//! token) each check that every event comes with the `seq` one above the
//! last: a jump counts the events skipped as lost, a `seq` not above the
//! last a duplicate. A connection that ends resumes with `?since=`; a new
//! snapshot instead of the missed events counts them as lost too. A
//! citizen's `/ws/tickets/{id}` follows one ticket until the server ends
//! the stream (1000) once the ticket is finished, reading the ticket over
//! HTTP now and then meanwhile.

use super::requests::Answer;
use super::state::Run;
use anyhow::Context;
use futures_util::StreamExt;
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::AUTHORIZATION;
use tokio_tungstenite::{WebSocketStream, client_async};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

type Ws = WebSocketStream<TcpStream>;

/// One lobby or counter socket and what it has seen.
pub struct Screen {
    pub site: usize,
    pub host: SocketAddr,
    pub path: String,
    pub token: Option<String>,
    /// The last `seq` received (-1 before the first snapshot).
    pub last: AtomicI64,
    pub events: AtomicU64,
    pub lost: AtomicU64,
    pub duplicates: AtomicU64,
    pub reconnects: AtomicU64,
    pub snapshots: AtomicU64,
    pub connect_failures: AtomicU64,
    pub unparsed: AtomicU64,
}

impl Screen {
    pub fn new(site: usize, host: SocketAddr, path: String, token: Option<String>) -> Self {
        Self {
            site,
            host,
            path,
            token,
            last: AtomicI64::new(-1),
            events: AtomicU64::new(0),
            lost: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
            snapshots: AtomicU64::new(0),
            connect_failures: AtomicU64::new(0),
            unparsed: AtomicU64::new(0),
        }
    }
}

/// Events received by type, over every screen.
pub type Types = Mutex<BTreeMap<String, u64>>;

/// Follows the screen's stream until the task is aborted.
pub async fn watch(screen: Arc<Screen>, types: Arc<Types>) {
    loop {
        let last = screen.last.load(Relaxed);
        let since = (last >= 0).then_some(last);
        let connected = tokio::time::timeout(
            CONNECT_TIMEOUT,
            connect(screen.host, &screen.path, screen.token.as_deref(), since),
        )
        .await;
        let mut ws = match connected {
            Ok(Ok(ws)) => ws,
            failed => {
                if screen.connect_failures.fetch_add(1, Relaxed) < 3 {
                    let why = match failed {
                        Ok(Err(error)) => format!("{error:#}"),
                        _ => "no connection in time".to_owned(),
                    };
                    eprintln!("day: socket {}: {why}", screen.path);
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        while let Some(Ok(message)) = ws.next().await {
            match message {
                Message::Text(text) => receive(&screen, &types, text.as_str()),
                Message::Close(_) => break,
                _ => {}
            }
        }
        screen.reconnects.fetch_add(1, Relaxed);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn receive(screen: &Screen, types: &Types, text: &str) {
    let message: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let (Some(kind), Some(seq)) = (message["type"].as_str(), message["seq"].as_i64()) else {
        screen.unparsed.fetch_add(1, Relaxed);
        return;
    };
    let last = screen.last.load(Relaxed);
    if kind == "snapshot" {
        screen.snapshots.fetch_add(1, Relaxed);
        if last >= 0 && seq > last {
            screen.lost.fetch_add((seq - last) as u64, Relaxed);
        }
        screen.last.store(seq.max(last), Relaxed);
        return;
    }
    if last >= 0 && seq <= last {
        screen.duplicates.fetch_add(1, Relaxed);
        return;
    }
    if last >= 0 && seq > last + 1 {
        screen.lost.fetch_add((seq - last - 1) as u64, Relaxed);
    }
    screen.last.store(seq, Relaxed);
    screen.events.fetch_add(1, Relaxed);
    let mut types = types.lock().unwrap_or_else(|e| e.into_inner());
    *types.entry(kind.to_owned()).or_default() += 1;
}

/// A citizen following their ticket.
pub struct Follower {
    pub host: SocketAddr,
    pub ticket: String,
    pub messages: AtomicU64,
    /// The last status the stream told.
    pub status: Mutex<String>,
    /// The server ended the stream with the ticket finished.
    pub finished: AtomicBool,
    /// Messages whose `seq` was below the one before.
    pub backwards: AtomicU64,
    pub reconnects: AtomicU64,
}

impl Follower {
    pub fn new(host: SocketAddr, ticket: String) -> Self {
        Self {
            host,
            ticket,
            messages: AtomicU64::new(0),
            status: Mutex::new(String::new()),
            finished: AtomicBool::new(false),
            backwards: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
        }
    }
}

/// Follows the ticket until its stream ends with it finished; reads it
/// over HTTP every `poll` meanwhile.
pub async fn follow(run: Arc<Run>, follower: Arc<Follower>, poll: Duration) {
    let path = format!("/ws/tickets/{}", follower.ticket);
    let page = format!("/api/v1/tickets/{}", follower.ticket);
    let mut last_seq = -1;
    loop {
        let connected =
            tokio::time::timeout(CONNECT_TIMEOUT, connect(follower.host, &path, None, None)).await;
        let Ok(Ok(mut ws)) = connected else {
            follower.reconnects.fetch_add(1, Relaxed);
            tokio::time::sleep(Duration::from_millis(500)).await;
            continue;
        };
        let mut tick = tokio::time::interval(poll);
        loop {
            tokio::select! {
                message = ws.next() => match message {
                    Some(Ok(Message::Text(text))) => {
                        let message: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                        let seq = message["seq"].as_i64().unwrap_or(-1);
                        if seq < last_seq {
                            follower.backwards.fetch_add(1, Relaxed);
                        }
                        last_seq = last_seq.max(seq);
                        follower.messages.fetch_add(1, Relaxed);
                        if let Some(status) = message["ticket"]["status"].as_str() {
                            *follower.status.lock().unwrap_or_else(|e| e.into_inner()) = status.to_owned();
                        }
                    }
                    Some(Ok(Message::Close(Some(frame)))) if u16::from(frame.code) == 1000 => {
                        follower.finished.store(true, Relaxed);
                        return;
                    }
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                    Some(Ok(_)) => {}
                },
                _ = tick.tick() => {
                    if let Answer::Failed = run.requests.get("public.ticket", &page).await {
                        tokio::time::sleep(poll).await;
                    }
                }
            }
        }
        follower.reconnects.fetch_add(1, Relaxed);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn connect(
    host: SocketAddr,
    path: &str,
    token: Option<&str>,
    since: Option<i64>,
) -> anyhow::Result<Ws> {
    let url = match since {
        Some(seq) => format!("ws://{host}{path}?since={seq}"),
        None => format!("ws://{host}{path}"),
    };
    let mut request = url.as_str().into_client_request()?;
    if let Some(token) = token {
        request.headers_mut().insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}"))?,
        );
    }
    let stream = TcpStream::connect(host).await?;
    stream.set_nodelay(true)?;
    let (ws, _) = client_async(request, stream)
        .await
        .with_context(|| format!("upgrading {url}"))?;
    Ok(ws)
}
