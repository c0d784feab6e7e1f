//! The sockets of a `day` run. Lobby screens (`/ws/sites/{site}`) and
//! counter displays (`/ws/counters/{counter}`, with the display device's
//! token) each check that every event comes with the `seq` one above the
//! last: a jump counts the events skipped as lost, a `seq` not above the
//! last a duplicate. A connection that ends resumes with `?since=`; a new
//! snapshot instead of the missed events counts them as lost too. Each
//! `ticket.called` is timed from the moment its counter asked for it
//! (`Watching::calling`). Thousands of screens live in this one process,
//! as in `fanout`: small buffers, a bounded number connecting at a time,
//! and only the `type`, `seq` and `counter` of each message read.
//!
//! A citizen's `/ws/tickets/{id}` follows one ticket until the server ends
//! the stream (1000) once the ticket is finished, reading the ticket over
//! HTTP now and then meanwhile.

use super::requests::Answer;
use super::state::Run;
use crate::fanout::subscribers::{number_field, string_field};
use crate::report::{histogram, ms, record};
use anyhow::Context;
use futures_util::StreamExt;
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::AUTHORIZATION;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{WebSocketStream, client_async_with_config};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Sockets connecting at once.
const CONNECTING: usize = 128;
/// Delivery histograms, each shared by the screens whose index falls on it.
const SHARDS: usize = 16;

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
    /// Events received, by type.
    pub types: Mutex<BTreeMap<String, u64>>,
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
            types: Mutex::default(),
        }
    }
}

/// What every screen shares: the gate on connecting, when each counter
/// asked for its next ticket, and how long the calls took to arrive.
pub struct Watching {
    gate: Semaphore,
    /// Per office: counter id → when it last asked for its next ticket.
    pub calling: Vec<Mutex<HashMap<String, Instant>>>,
    deliveries: Vec<Mutex<Histogram<u64>>>,
}

impl Watching {
    pub fn new(sites: usize) -> Self {
        Self {
            gate: Semaphore::new(CONNECTING),
            calling: (0..sites).map(|_| Mutex::default()).collect(),
            deliveries: (0..SHARDS).map(|_| Mutex::new(histogram())).collect(),
        }
    }

    /// A counter of office `site` is about to ask for its next ticket.
    pub fn call_sent(&self, site: usize, counter: &str) {
        let mut calling = self.calling[site].lock().unwrap_or_else(|e| e.into_inner());
        calling.insert(counter.to_owned(), Instant::now());
    }

    /// `ticket.called` from asking for it to a screen receiving it:
    /// count, p50/p95/p99 and max in ms.
    pub fn delivery_summary(&self) -> Value {
        let mut all = histogram();
        for shard in &self.deliveries {
            let shard = shard.lock().unwrap_or_else(|e| e.into_inner());
            let _ = all.add(&*shard);
        }
        json!({
            "count": all.len(),
            "p50_ms": ms(&all, 0.5),
            "p95_ms": ms(&all, 0.95),
            "p99_ms": ms(&all, 0.99),
            "max_ms": ms(&all, 1.0),
        })
    }
}

/// Follows screen `index`'s stream until the task is aborted.
pub async fn watch(index: usize, screen: Arc<Screen>, watching: Arc<Watching>) {
    loop {
        let last = screen.last.load(Relaxed);
        let since = (last >= 0).then_some(last);
        let connected = {
            let Ok(_permit) = watching.gate.acquire().await else {
                return;
            };
            tokio::time::timeout(
                CONNECT_TIMEOUT,
                connect(screen.host, &screen.path, screen.token.as_deref(), since),
            )
            .await
        };
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
                Message::Text(text) => receive(index, &screen, &watching, text.as_str()),
                Message::Close(_) => break,
                _ => {}
            }
        }
        screen.reconnects.fetch_add(1, Relaxed);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn receive(index: usize, screen: &Screen, watching: &Watching, text: &str) {
    let arrived = Instant::now();
    let (Some(kind), Some(seq)) = (string_field(text, "type"), number_field(text, "seq")) else {
        screen.unparsed.fetch_add(1, Relaxed);
        return;
    };
    let seq = seq as i64;
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
    if kind == "ticket.called"
        && let Some(counter) = string_field(text, "counter")
    {
        let asked = watching.calling[screen.site]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(counter)
            .copied();
        if let Some(asked) = asked {
            let mut shard = watching.deliveries[index % SHARDS]
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            record(&mut shard, arrived.saturating_duration_since(asked));
        }
    }
    let mut types = screen.types.lock().unwrap_or_else(|e| e.into_inner());
    match types.get_mut(kind) {
        Some(n) => *n += 1,
        None => {
            types.insert(kind.to_owned(), 1);
        }
    }
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
    // Small buffers: thousands of screens live in this one process.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0)
        .max_write_buffer_size(64 * 1024);
    let (ws, _) = client_async_with_config(request, stream, Some(config))
        .await
        .with_context(|| format!("upgrading {url}"))?;
    Ok(ws)
}
