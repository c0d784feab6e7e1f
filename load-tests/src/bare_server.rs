//! The bare broadcast server the `fanout` scenario compares Guichet with:
//! axum WebSockets and one tokio broadcast channel per site, and nothing
//! else — no database, no queue, no authentication.
//!
//! It answers the same paths the scenario drives on Guichet, so the same
//! callers and subscribers run against both: each `POST` (issue, call-next,
//! start, complete) broadcasts the events Guichet's does, of the same size
//! (a ticket's event, and a `queue.changed` after an issue or a call), to
//! the site's sockets, and answers with a ticket's `id` and `number`. A ticket id
//! is `{site}~{number}`; a counter `{site}-g{n}` belongs to `{site}`.

use anyhow::Context;
use axum::Json;
use axum::Router;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use clap::Args;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast::{self, error::RecvError};

use crate::server::{self, Spawned};

/// Events a socket may fall behind by before it is closed with 4008, as
/// in Guichet.
const CAPACITY: usize = 256;

/// Bytes each socket reads into at a time.
const READ_BUFFER: usize = 4096;

#[derive(Args, Debug)]
pub struct Options {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: String,
}

/// Starts this program's `bare-server` on a free loopback port and waits
/// until it is ready.
pub async fn spawn() -> anyhow::Result<Spawned> {
    let port = server::free_port()?;
    let program =
        std::env::current_exe().context("finding this program to start the bare server")?;
    let child = Command::new(program)
        .args(["bare-server", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the bare server")?;
    server::wait_ready(Spawned::new(child, format!("http://127.0.0.1:{port}"))).await
}

/// One site: its channel, the last event number, and its ticket numbers.
struct Site {
    events: broadcast::Sender<Utf8Bytes>,
    seq: u64,
    issued: u64,
    called: u64,
}

#[derive(Default)]
struct Sites(Mutex<HashMap<String, Site>>);

impl Sites {
    /// Runs `f` on the site, created on first use.
    fn with<T>(&self, site: &str, f: impl FnOnce(&mut Site) -> T) -> T {
        let mut sites = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let entry = sites.entry(site.to_owned()).or_insert_with(|| Site {
            events: broadcast::channel(CAPACITY).0,
            seq: 0,
            issued: 0,
            called: 0,
        });
        f(entry)
    }

    /// Broadcasts a ticket's event, and with `queue` a `queue.changed` after
    /// it (as Guichet does when a ticket joins or leaves the queue), and
    /// answers with the ticket.
    fn publish(
        &self,
        site: &str,
        kind: &str,
        number: &str,
        counter: &str,
        queue: bool,
    ) -> Json<Value> {
        const AT: &str = "2026-11-23T10:00:00.000000+00:00";
        self.with(site, |s| {
            let label = counter.rsplit_once("-g").map_or("0", |(_, n)| n);
            s.seq += 1;
            let text = format!(
                r#"{{"type":"{kind}","seq":{},"at":"{AT}","number":"{number}","service":"residence","counter":"{counter}","counter_label":"Guichet {label}"}}"#,
                s.seq
            );
            let _ = s.events.send(text.into());
            if queue {
                s.seq += 1;
                let text = format!(
                    r#"{{"type":"queue.changed","seq":{},"at":"{AT}","services":[{{"id":"residence","waiting":{},"estimated_wait_seconds":300}}]}}"#,
                    s.seq,
                    s.issued.saturating_sub(s.called)
                );
                let _ = s.events.send(text.into());
            }
        });
        Json(json!({"id": format!("{site}~{number}"), "number": number}))
    }
}

type Shared = State<Arc<Sites>>;

/// Serves until the process is killed.
pub async fn run(options: Options) -> anyhow::Result<()> {
    crate::limits::raise_open_files()?;
    let router = Router::new()
        .route("/readyz", get(|| async { "ok" }))
        .route("/ws/sites/{site}", get(follow_site))
        .route("/ws/counters/{counter}", get(follow_counter))
        .route("/api/v1/sites/{site}/tickets", post(issue))
        .route("/api/v1/counters/{counter}/call-next", post(call_next))
        .route("/api/v1/tickets/{id}/start", post(start))
        .route("/api/v1/tickets/{id}/complete", post(complete))
        .with_state(Arc::new(Sites::default()));
    let listener = tokio::net::TcpListener::bind(&options.addr)
        .await
        .with_context(|| format!("binding {}", options.addr))?;
    // Events are small and must leave at once, as Guichet sends them.
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    axum::serve(listener, router).await?;
    Ok(())
}

fn site_of_counter(counter: &str) -> &str {
    counter.rsplit_once("-g").map_or(counter, |(site, _)| site)
}

async fn issue(State(sites): Shared, Path(site): Path<String>) -> (StatusCode, Json<Value>) {
    let number = sites.with(&site, |s| {
        s.issued += 1;
        format!("A{:03}", s.issued)
    });
    (
        StatusCode::CREATED,
        sites.publish(&site, "ticket.issued", &number, "", true),
    )
}

async fn call_next(State(sites): Shared, Path(counter): Path<String>) -> Json<Value> {
    let site = site_of_counter(&counter);
    let number = sites.with(site, |s| {
        s.called += 1;
        format!("A{:03}", s.called)
    });
    sites.publish(site, "ticket.called", &number, &counter, true)
}

async fn start(State(sites): Shared, Path(id): Path<String>) -> Json<Value> {
    let (site, number) = id.split_once('~').unwrap_or((&id, ""));
    sites.publish(site, "ticket.serving", number, "", false)
}

async fn complete(State(sites): Shared, Path(id): Path<String>) -> Json<Value> {
    let (site, number) = id.split_once('~').unwrap_or((&id, ""));
    sites.publish(site, "ticket.done", number, "", false)
}

async fn follow_site(
    State(sites): Shared,
    Path(site): Path<String>,
    ws: WebSocketUpgrade,
) -> Response {
    subscribe(&sites, &site, ws)
}

async fn follow_counter(
    State(sites): Shared,
    Path(counter): Path<String>,
    ws: WebSocketUpgrade,
) -> Response {
    subscribe(&sites, site_of_counter(&counter), ws)
}

/// Subscribes before the upgrade, under the site's lock, so the snapshot's
/// number and the first event broadcast after it follow each other.
///
/// Peers send nothing but pongs and closes, so each socket reads through a
/// 4 KiB buffer rather than the default 128 KiB, which tungstenite zeroes
/// on every read: that is most of a socket's memory, and of the time a
/// busy server spends polling its sockets.
fn subscribe(sites: &Sites, site: &str, ws: WebSocketUpgrade) -> Response {
    let (events, seq) = sites.with(site, |s| (s.events.subscribe(), s.seq));
    ws.read_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| forward(socket, events, seq))
}

async fn forward(mut socket: WebSocket, mut events: broadcast::Receiver<Utf8Bytes>, seq: u64) {
    let snapshot = format!(r#"{{"type":"snapshot","seq":{seq},"queue":{{"waiting":[]}}}}"#);
    if socket.send(Message::Text(snapshot.into())).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(text) => {
                    if socket.send(Message::Text(text)).await.is_err() {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    let frame = CloseFrame { code: 4008, reason: "too slow".into() };
                    let _ = socket.send(Message::Close(Some(frame))).await;
                    return;
                }
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}
