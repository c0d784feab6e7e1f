//! Live sockets as an attacker opens them (issue 17, finding 4): upgrades
//! released together past a cap (per client address, per instance) are
//! refused with 429 or 503 and counted in `/metrics`, exactly the cap gets
//! in, and a closed socket frees its place; many sockets on one ticket all
//! get the same updates from one reader. Sockets of ended sessions:
//! `socket_sessions`.

use crate::support::sites::open_site;
use crate::support::tickets::{call_next, finish, issue, kiosk};
use futures::future::join_all;
use futures::{SinkExt, StreamExt};
use guichet_test_support::live::{PATIENCE, connect, refused};
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role as WsRole;

on_both_backends!(
    upgrades_released_together_past_the_address_cap_are_refused,
    upgrades_released_together_past_the_instance_cap_are_refused,
    every_socket_on_a_ticket_gets_the_same_updates_from_one_reader,
);

/// Upgrades released together in each burst.
const BURST: usize = 60;
const CAP: u32 = 10;

/// A WebSocket upgrade written on its own connection but for its last byte.
struct Pending {
    tcp: TcpStream,
    last: u8,
}

type Socket = WebSocketStream<TcpStream>;

/// A refused upgrade: its status, error code, and whether it said when
/// to try again.
type Refusal = (u16, String, bool);

/// How the server answered an upgrade.
enum Outcome {
    Open(Box<Socket>),
    Refused(Refusal),
}

async fn pending(app: &TestApp, path: &str, forwarded_for: Option<&str>) -> Pending {
    let host = app.base.trim_start_matches("http://");
    let mut tcp = TcpStream::connect(host).await.expect("connected");
    tcp.set_nodelay(true).expect("no delay");
    let forwarded = forwarded_for.map_or(String::new(), |ip| format!("X-Forwarded-For: {ip}\r\n"));
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{forwarded}\r\n"
    );
    let (head, last) = request.as_bytes().split_at(request.len() - 1);
    tcp.write_all(head).await.expect("request sent");
    Pending { tcp, last: last[0] }
}

/// Sends every upgrade's last byte back to back, then reads the answers.
async fn release(all: Vec<Pending>) -> Vec<Outcome> {
    let mut connections = Vec::with_capacity(all.len());
    for mut one in all {
        one.tcp.write_all(&[one.last]).await.expect("last byte");
        connections.push(one.tcp);
    }
    join_all(connections.into_iter().map(answer)).await
}

async fn answer(mut tcp: TcpStream) -> Outcome {
    // The head byte by byte: after a 101 the socket's first frame follows.
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let byte = tokio::time::timeout(PATIENCE, tcp.read_u8())
            .await
            .expect("an answer in time")
            .expect("an answer");
        head.push(byte);
    }
    let head = String::from_utf8(head)
        .expect("a readable head")
        .to_lowercase();
    let status: u16 = head[9..12].parse().expect("a status");
    if status == 101 {
        let socket = WebSocketStream::from_raw_socket(tcp, WsRole::Client, None).await;
        return Outcome::Open(Box::new(socket));
    }
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a content length");
    let mut body = vec![0; length];
    tcp.read_exact(&mut body).await.expect("the body");
    let body: Value = serde_json::from_slice(&body).expect("a JSON error");
    let code = body["error"]["code"].as_str().unwrap_or("").to_owned();
    Outcome::Refused((status, code, head.contains("\r\nretry-after:")))
}

/// The opened sockets, and the refusals' (status, code, Retry-After).
fn sort(outcomes: Vec<Outcome>) -> (Vec<Socket>, Vec<Refusal>) {
    let mut open = Vec::new();
    let mut refusals = Vec::new();
    for outcome in outcomes {
        match outcome {
            Outcome::Open(socket) => open.push(*socket),
            Outcome::Refused(refusal) => refusals.push(refusal),
        }
    }
    (open, refusals)
}

/// The first message of a socket, which must be its snapshot.
async fn snapshot(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(PATIENCE, socket.next())
            .await
            .expect("a message in time")
            .expect("open")
            .expect("readable");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("JSON");
        }
    }
}

/// Closes a socket and waits for the server's close in return.
async fn close(mut socket: Socket) {
    socket.send(Message::Close(None)).await.expect("close sent");
    while let Ok(Some(Ok(_))) = tokio::time::timeout(PATIENCE, socket.next()).await {}
}

/// The value of one sample of `/metrics`.
fn sample(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} in {metrics}"))
}

/// Tries to open a socket from the test's own address until one opens
/// (a closed socket's place comes back once its task has ended).
async fn opens_again(app: &TestApp, path: &str) -> Socket {
    let socket = guichet_test_support::until_some(PATIENCE, "a place freed", async || {
        let one = pending(app, path, None).await;
        match release(vec![one]).await.pop() {
            Some(Outcome::Open(socket)) => Some(socket),
            _ => None,
        }
    })
    .await;
    *socket
}

async fn lobby_app(backend: Backend, per_address: u32, per_instance: u32) -> TestApp {
    let app = TestApp::builder()
        .backend(backend)
        .config(|config| {
            config.trusted_proxies = "127.0.0.1".parse().expect("an address");
            config.live_sockets_per_address = per_address;
            config.live_sockets_max = per_instance;
        })
        .spawn()
        .await;
    let admin = app.admin().await;
    open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    app
}

async fn upgrades_released_together_past_the_address_cap_are_refused(backend: Backend) {
    let app = lobby_app(backend, CAP, 10_000).await;
    let path = "/ws/sites/anfa";
    let burst = join_all((0..BURST).map(|_| pending(&app, path, None))).await;
    let (mut open, refusals) = sort(release(burst).await);

    assert_eq!(open.len(), CAP as usize, "exactly the cap got in");
    assert_eq!(refusals.len(), BURST - CAP as usize);
    for refusal in &refusals {
        assert_eq!(refusal, &(429, "rate_limited".to_owned(), true));
    }
    for socket in &mut open {
        assert_eq!(snapshot(socket).await["type"], "snapshot");
    }
    let metrics = app.metrics().await;
    let refused_here = BURST as f64 - f64::from(CAP);
    let address = "guichet_live_refused_total{reason=\"address\"}";
    assert_eq!(sample(&metrics, address), refused_here);
    assert_eq!(
        sample(&metrics, "guichet_live_refused_total{reason=\"instance\"}"),
        0.0
    );
    assert_eq!(sample(&metrics, "guichet_live_subscribers"), f64::from(CAP));

    // Another client behind the trusted proxy has its own share.
    let other = pending(&app, path, Some("203.0.113.7")).await;
    assert!(matches!(release(vec![other]).await[0], Outcome::Open(_)));
    // The full address is still refused, and counted.
    let more = pending(&app, path, None).await;
    assert!(matches!(
        release(vec![more]).await[0],
        Outcome::Refused((429, _, _))
    ));
    assert_eq!(sample(&app.metrics().await, address), refused_here + 1.0);

    // Closing one socket gives its place back.
    close(open.pop().expect("a socket")).await;
    let mut again = opens_again(&app, path).await;
    assert_eq!(snapshot(&mut again).await["type"], "snapshot");
}

async fn upgrades_released_together_past_the_instance_cap_are_refused(backend: Backend) {
    let app = lobby_app(backend, 200, CAP).await;
    let path = "/ws/sites/anfa";
    let burst = join_all((0..BURST).map(|i| {
        let ip = format!("198.51.100.{i}");
        let app = &app;
        async move { pending(app, path, Some(&ip)).await }
    }))
    .await;
    let (mut open, refusals) = sort(release(burst).await);

    assert_eq!(open.len(), CAP as usize, "exactly the cap got in");
    assert_eq!(refusals.len(), BURST - CAP as usize);
    for refusal in &refusals {
        assert_eq!(refusal, &(503, "unavailable".to_owned(), true));
    }
    for socket in &mut open {
        assert_eq!(snapshot(socket).await["type"], "snapshot");
    }
    let metrics = app.metrics().await;
    assert_eq!(
        sample(&metrics, "guichet_live_refused_total{reason=\"instance\"}"),
        BURST as f64 - f64::from(CAP)
    );
    assert_eq!(
        sample(&metrics, "guichet_live_refused_total{reason=\"address\"}"),
        0.0
    );

    close(open.pop().expect("a socket")).await;
    opens_again(&app, path).await;
}

/// Reads a ticket stream until the ticket has `status`; every message
/// before it must be of one of `before`.
async fn until_status(
    phone: &mut guichet_test_support::live::Live,
    status: &str,
    before: &[&str],
) -> Value {
    loop {
        let message = phone.next().await;
        assert_eq!(message["type"], "ticket", "{message}");
        let now = message["ticket"]["status"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        if now == status {
            return message;
        }
        assert!(before.contains(&now.as_str()), "{message}");
    }
}

async fn every_socket_on_a_ticket_gets_the_same_updates_from_one_reader(backend: Backend) {
    const PHONES: usize = 30;
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let agents = open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let first = issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    let mine = issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    let path = format!("/ws/tickets/{}", mine["id"].as_str().unwrap());

    let mut phones = join_all((0..PHONES).map(|_| connect(&app, &path, None))).await;
    for phone in &mut phones {
        let state = phone.next().await;
        assert_eq!(state["ticket"]["position"], 2, "{state}");
    }
    assert_eq!(
        app.app.live.hub.tickets.len(),
        1,
        "one reader for every socket"
    );

    let (_, called) = call_next(&app, &agents[0], "anfa-g1").await;
    assert_eq!(called["id"], first["id"]);
    for phone in &mut phones {
        let moved = phone.next().await;
        assert_eq!(
            (&moved["ticket"]["status"], &moved["ticket"]["position"]),
            (&json!("waiting"), &json!(1)),
            "{moved}"
        );
    }
    // A phone that joins now is told where the ticket stands.
    let mut late = connect(&app, &path, None).await;
    assert_eq!(late.next().await["ticket"]["position"], 1);
    phones.push(late);

    finish(&app, &agents[0], &called).await;
    let (_, called) = call_next(&app, &agents[0], "anfa-g1").await;
    assert_eq!(called["id"], mine["id"]);
    for phone in &mut phones {
        let call = until_status(phone, "called", &["waiting"]).await;
        assert_eq!(call["ticket"]["counter"]["label"], "Guichet 1");
    }
    finish(&app, &agents[0], &called).await;
    for phone in &mut phones {
        until_status(phone, "done", &["called", "serving"]).await;
        let frame = phone.close_frame().await.expect("a close frame");
        assert_eq!(u16::from(frame.code), 1000);
    }
    assert_eq!(refused(&app, "/ws/tickets/no-such-ticket", None).await, 404);
}
