//! The sockets of a fanout run: opened a bounded number at a time, each a
//! small task that reads its messages, checks that their `seq` climbs one
//! at a time, and reports every `ticket.called` it receives with the
//! instant it arrived. A socket the server closes (4008: too slow; 1012:
//! shutting down) or that breaks resumes with `?since=` its last `seq`.
//! Each delivery carries two instants: when the socket's task read it, and
//! when the kernel received its bytes (`stamp`).

use super::stamp::Stamped;
use anyhow::Context;
use futures_util::StreamExt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::AUTHORIZATION;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{WebSocketStream, client_async_with_config};

/// Connecting and receiving the first message, each socket.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Resumptions a socket tries after its connection ends.
const MAX_RESUMES: u32 = 5;

type Ws = WebSocketStream<Stamped>;

/// One socket to open: which site's events it follows, on which instance,
/// by which path (`/ws/sites/{site}` or `/ws/counters/{counter}`).
pub struct Socket {
    pub site: u32,
    pub instance: u8,
    pub path: String,
    pub token: Option<String>,
}

/// A `ticket.called` event as a socket received it: `at` when its task
/// read it, `arrived` when the kernel received its bytes.
pub struct Delivery {
    pub site: u32,
    pub number: u32,
    pub instance: u8,
    pub at: Instant,
    pub arrived: Option<Instant>,
}

/// Counts shared by every socket task.
#[derive(Default)]
pub struct Stats {
    /// Sockets open now.
    pub open: AtomicI64,
    pub connect_failures: AtomicU64,
    /// Connections that ended before the run did, by how.
    pub closed_4008: AtomicU64,
    pub closed_1012: AtomicU64,
    pub closed_other: AtomicU64,
    pub broken: AtomicU64,
    pub resumed: AtomicU64,
    pub messages: AtomicU64,
    pub called: AtomicU64,
    /// Events a socket never saw between two it did (`seq` jumping).
    pub seq_gaps: AtomicU64,
    /// Events whose `seq` was not above the one before.
    pub seq_backwards: AtomicU64,
    pub unparsed: AtomicU64,
}

impl Stats {
    pub fn disconnections(&self) -> u64 {
        [
            &self.closed_4008,
            &self.closed_1012,
            &self.closed_other,
            &self.broken,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }
}

/// The open sockets and what they have received.
pub struct Subscribers {
    tasks: JoinSet<()>,
    pub stats: Arc<Stats>,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
    /// Sockets per site whose first message arrived during setup.
    pub held_per_site: Vec<u64>,
}

struct Shared {
    hosts: Vec<SocketAddr>,
    stats: Arc<Stats>,
    deliveries: mpsc::UnboundedSender<Delivery>,
    gate: Semaphore,
}

/// Opens every socket, `concurrency` at a time, and returns once each has
/// received its first message or failed, or `setup` has passed (a socket
/// not open by then is not counted as held).
pub async fn open(
    hosts: Vec<SocketAddr>,
    sockets: Vec<Socket>,
    sites: usize,
    concurrency: usize,
    setup: Duration,
) -> Subscribers {
    let deadline = tokio::time::Instant::now() + setup;
    let (sender, deliveries) = mpsc::unbounded_channel();
    let stats = Arc::new(Stats::default());
    let shared = Arc::new(Shared {
        hosts,
        stats: stats.clone(),
        deliveries: sender,
        gate: Semaphore::new(concurrency.max(1)),
    });
    let mut tasks = JoinSet::new();
    let mut ready = Vec::with_capacity(sockets.len());
    for socket in sockets {
        let (tell, told) = oneshot::channel();
        ready.push((socket.site, told));
        tasks.spawn(follow(shared.clone(), socket, tell));
    }
    let mut held_per_site = vec![0; sites];
    for (site, told) in ready {
        if let Ok(Ok(true)) = tokio::time::timeout_at(deadline, told).await {
            held_per_site[site as usize] += 1;
        }
    }
    Subscribers {
        tasks,
        stats,
        deliveries,
        held_per_site,
    }
}

impl Subscribers {
    pub fn held(&self) -> u64 {
        self.held_per_site.iter().sum()
    }

    /// Closes every socket and returns what they received.
    pub async fn close(mut self) -> Vec<Delivery> {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
        let mut all = Vec::new();
        while let Ok(delivery) = self.deliveries.try_recv() {
            all.push(delivery);
        }
        all
    }
}

/// How a connection ended.
enum End {
    Closed(u16),
    Broken,
}

async fn follow(shared: Arc<Shared>, socket: Socket, ready: oneshot::Sender<bool>) {
    let mut ready = Some(ready);
    let mut last_seq = None;
    let mut resumes = 0;
    loop {
        let attempt = {
            let Ok(_permit) = shared.gate.acquire().await else {
                return;
            };
            tokio::time::timeout(CONNECT_TIMEOUT, connect(&shared, &socket, last_seq)).await
        };
        let (mut ws, first, at) = match attempt {
            Ok(Ok(connected)) => connected,
            failed => {
                let earlier = shared
                    .stats
                    .connect_failures
                    .fetch_add(1, Ordering::Relaxed);
                if earlier < 5 {
                    match failed {
                        Ok(Err(error)) => eprintln!("socket {}: {error:#}", socket.path),
                        _ => {
                            eprintln!("socket {}: nothing within {CONNECT_TIMEOUT:?}", socket.path)
                        }
                    }
                }
                if let Some(tell) = ready.take() {
                    let _ = tell.send(false);
                    return;
                }
                if resumes >= MAX_RESUMES {
                    return;
                }
                resumes += 1;
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        shared.stats.open.fetch_add(1, Ordering::Relaxed);
        match ready.take() {
            Some(tell) => {
                let _ = tell.send(true);
            }
            None => {
                shared.stats.resumed.fetch_add(1, Ordering::Relaxed);
            }
        }
        receive(&shared, &socket, &mut last_seq, &first, (at, None));
        let end = read(&shared, &socket, &mut ws, &mut last_seq).await;
        shared.stats.open.fetch_sub(1, Ordering::Relaxed);
        let counter = match end {
            End::Closed(4008) => &shared.stats.closed_4008,
            End::Closed(1012) => &shared.stats.closed_1012,
            End::Closed(_) => &shared.stats.closed_other,
            End::Broken => &shared.stats.broken,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        if resumes >= MAX_RESUMES {
            return;
        }
        resumes += 1;
    }
}

/// Connects and waits for the first text message (the snapshot).
async fn connect(
    shared: &Shared,
    socket: &Socket,
    since: Option<u64>,
) -> anyhow::Result<(Ws, String, Instant)> {
    let host = shared.hosts[socket.instance as usize];
    let url = match since {
        Some(seq) => format!("ws://{host}{}?since={seq}", socket.path),
        None => format!("ws://{host}{}", socket.path),
    };
    let mut request = url.as_str().into_client_request()?;
    if let Some(token) = &socket.token {
        request.headers_mut().insert(
            AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}"))?,
        );
    }
    let stream = Stamped::new(TcpStream::connect(host).await?)?;
    // Small buffers: thousands of sockets live in this one process.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0)
        .max_write_buffer_size(64 * 1024);
    let (mut ws, _) = client_async_with_config(request, stream, Some(config))
        .await
        .with_context(|| format!("upgrading {url}"))?;
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => return Ok((ws, text.to_string(), Instant::now())),
            Some(Ok(Message::Close(frame))) => {
                anyhow::bail!("{url} closed at once: {frame:?}")
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(error).with_context(|| format!("reading {url}")),
            None => anyhow::bail!("{url} ended before its first message"),
        }
    }
}

async fn read(shared: &Shared, socket: &Socket, ws: &mut Ws, last_seq: &mut Option<u64>) -> End {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => {
                let arrived = ws.get_ref().received().at();
                receive(
                    shared,
                    socket,
                    last_seq,
                    text.as_str(),
                    (Instant::now(), arrived),
                )
            }
            Some(Ok(Message::Close(frame))) => {
                return End::Closed(frame.map_or(1005, |f| f.code.into()));
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return End::Broken,
        }
    }
}

/// Reads a message's `type`, `seq` and (for a call) `number`.
fn receive(
    shared: &Shared,
    socket: &Socket,
    last_seq: &mut Option<u64>,
    text: &str,
    (at, arrived): (Instant, Option<Instant>),
) {
    let stats = &shared.stats;
    stats.messages.fetch_add(1, Ordering::Relaxed);
    let (Some(kind), Some(seq)) = (string_field(text, "type"), number_field(text, "seq")) else {
        stats.unparsed.fetch_add(1, Ordering::Relaxed);
        return;
    };
    if kind == "snapshot" {
        *last_seq = Some(seq);
        return;
    }
    if let Some(last) = *last_seq {
        if seq <= last {
            stats.seq_backwards.fetch_add(1, Ordering::Relaxed);
            return;
        }
        stats.seq_gaps.fetch_add(seq - last - 1, Ordering::Relaxed);
    }
    *last_seq = Some(seq);
    if kind != "ticket.called" {
        return;
    }
    stats.called.fetch_add(1, Ordering::Relaxed);
    match string_field(text, "number").and_then(number_of_ticket) {
        Some(number) => {
            let _ = shared.deliveries.send(Delivery {
                site: socket.site,
                number,
                instance: socket.instance,
                at,
                arrived,
            });
        }
        None => {
            stats.unparsed.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The digits of a ticket number (`A001` → 1).
pub fn number_of_ticket(number: &str) -> Option<u32> {
    number
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()
}

/// `"key":"value"` in compact JSON, without parsing the rest.
pub(crate) fn string_field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let start = find_key(text, key)?;
    let rest = text[start..].strip_prefix('"')?;
    rest.split('"').next()
}

/// `"key":123` in compact JSON.
pub(crate) fn number_field(text: &str, key: &str) -> Option<u64> {
    let start = find_key(text, key)?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// Where the value of the first `"key":` starts.
fn find_key(text: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find(key) {
        let at = from + found;
        let after = at + key.len();
        if at > 0 && text[..at].ends_with('"') && text[after..].starts_with("\":") {
            return Some(after + 2);
        }
        from = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALLED: &str = r#"{"type":"ticket.called","seq":42,"at":"2026-11-23T10:00:00+00:00","number":"A007","service":"residence","counter":"load-0-g0","counter_label":"Guichet 0"}"#;

    #[test]
    fn reads_the_fields_it_needs() {
        assert_eq!(string_field(CALLED, "type"), Some("ticket.called"));
        assert_eq!(number_field(CALLED, "seq"), Some(42));
        assert_eq!(string_field(CALLED, "number"), Some("A007"));
        assert_eq!(string_field(CALLED, "counter"), Some("load-0-g0"));
        assert_eq!(number_of_ticket("A007"), Some(7));
        assert_eq!(number_of_ticket("B1200"), Some(1200));
        assert_eq!(string_field(r#"{"seq":1}"#, "type"), None);
    }
}
