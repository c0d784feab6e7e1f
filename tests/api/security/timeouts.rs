//! Slow and greedy clients (issue 17, finding 7), over raw TCP as an
//! attacker writes them: a request head sent in part or a byte at a time
//! is cut at the header timeout, a body dribbled past the request timeout
//! gets 408 and a close, a client that stops reading its answers is cut,
//! an idle kept-alive connection is closed at the idle timeout, and past the connection cap a new connection is closed at
//! once while those held are still served. A WebSocket outlives all three
//! timeouts. Each cut shows in `/metrics`.
//!
//! About sockets, not the database: SQLite only. Timeouts are set short
//! for the test; a close is awaited with a bound well above its timeout,
//! and never before it.

use crate::support::sites::open_site;
use crate::support::tickets::{issue, kiosk};
use guichet::config::Config;
use guichet_test_support::TestApp;
use guichet_test_support::live::connect;
use serde_json::json;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// How much later than its timeout a cut may come, on a busy machine.
const MARGIN: Duration = Duration::from_secs(5);
const LONG: u64 = 60;

async fn spawn(configure: impl FnOnce(&mut Config)) -> TestApp {
    TestApp::builder()
        .config(|config| {
            config.header_timeout_secs = LONG;
            config.request_timeout_secs = LONG;
            config.idle_timeout_secs = LONG;
            configure(config);
        })
        .spawn()
        .await
}

async fn open(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .expect("connected")
}

/// Reads until the server closes the connection (an end of stream or a
/// reset), at most `limit`; returns what came and when it closed.
async fn until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, Instant) {
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Err(_) => panic!(
                "still open after {limit:?}; received {:?}",
                String::from_utf8_lossy(&received)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => return (received, Instant::now()),
            Ok(Ok(n)) => received.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Sends a request and reads its whole answer (`Content-Length` bodies
/// only, as the service's JSON answers are); returns the status and body.
async fn exchange(stream: &mut TcpStream, request: &str) -> (u16, String) {
    stream.write_all(request.as_bytes()).await.expect("sent");
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(MARGIN, stream.read(&mut chunk))
            .await
            .expect("an answer in time")
            .expect("readable");
        assert!(n > 0, "closed before answering: {received:?}");
        received.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&received).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            continue;
        };
        let length: usize = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .expect("a Content-Length");
        if body.len() >= length {
            let status = head[9..12].parse().expect("a status");
            return (status, body.to_owned());
        }
    }
}

const HEALTHZ: &str = "GET /healthz HTTP/1.1\r\nHost: guichet\r\n\r\n";

/// A metric's value in `/metrics` text.
fn value(metrics: &str, series: &str) -> u64 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {series} in\n{metrics}"))
}

fn cut(metrics: &str, reason: &str) -> u64 {
    value(
        metrics,
        &format!("guichet_http_connections_cut_total{{reason=\"{reason}\"}}"),
    )
}

async fn metrics(app: &TestApp) -> String {
    let response = app
        .http
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .expect("metrics answered");
    response.text().await.expect("metrics read")
}

#[tokio::test]
async fn a_request_head_sent_in_part_or_a_byte_at_a_time_is_cut_at_the_header_timeout() {
    let header = Duration::from_secs(1);
    let app = spawn(|config| config.header_timeout_secs = 1).await;

    // Headers without their closing blank line, then silence.
    let opened = Instant::now();
    let mut silent = open(&app).await;
    silent
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: guichet\r\n")
        .await
        .unwrap();
    // A header that never ends, a byte every 100 ms: each byte is news,
    // but the head as a whole is still due at the header timeout.
    let mut dribbling = open(&app).await;
    dribbling
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: guichet\r\nX-Pad: ")
        .await
        .unwrap();
    let (mut reading, mut writing) = dribbling.into_split();
    let dribble = tokio::spawn(async move {
        while writing.write_all(b"a").await.is_ok() {
            // A byte every 100 ms: the slow client is the test's subject.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });

    let (answer, closed) = until_closed(&mut silent, header + MARGIN).await;
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    assert!(closed - opened >= header, "cut after {:?}", closed - opened);
    let deadline = opened + header + MARGIN;
    let mut answer = Vec::new();
    let mut chunk = [0u8; 256];
    loop {
        match tokio::time::timeout_at(deadline, reading.read(&mut chunk)).await {
            Err(_) => panic!("the dribbling client is still served"),
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&chunk[..n]),
        }
    }
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    dribble.await.unwrap();

    let metrics = metrics(&app).await;
    assert_eq!(cut(&metrics, "header_timeout"), 2, "{metrics}");
    assert_eq!(cut(&metrics, "idle_timeout"), 0, "{metrics}");
}

#[tokio::test]
async fn a_body_dribbled_past_the_request_timeout_gets_408_and_a_close() {
    let request = Duration::from_secs(1);
    let app = spawn(|config| config.request_timeout_secs = 1).await;
    let mut slow = open(&app).await;
    let sent = Instant::now();
    slow.write_all(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: guichet\r\n\
          Content-Type: application/json\r\nContent-Length: 4096\r\n\r\n{",
    )
    .await
    .unwrap();
    let (mut reading, mut writing) = slow.into_split();
    let dribble = tokio::spawn(async move {
        while writing.write_all(b" ").await.is_ok() {
            // A byte every 100 ms: the slow client is the test's subject.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut answer = Vec::new();
    let deadline = sent + request + MARGIN;
    loop {
        let mut chunk = [0u8; 1024];
        match tokio::time::timeout_at(deadline, reading.read(&mut chunk)).await {
            Err(_) => panic!("still open: {}", String::from_utf8_lossy(&answer)),
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&chunk[..n]),
        }
    }
    assert!(sent.elapsed() >= request);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.contains(r#""code":"request_timeout""#), "{answer}");
    dribble.await.unwrap();

    let metrics = metrics(&app).await;
    assert_eq!(cut(&metrics, "request_timeout"), 1, "{metrics}");
    assert_eq!(cut(&metrics, "header_timeout"), 0, "{metrics}");
    assert!(
        metrics.contains(
            r#"guichet_http_requests_total{method="POST",route="/api/v1/auth/login",status="408"} 1"#
        ),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_client_that_stops_reading_its_answers_is_cut_at_the_request_timeout() {
    let request = Duration::from_secs(1);
    let app = spawn(|config| config.request_timeout_secs = 1).await;
    let address = app.base.trim_start_matches("http://").parse().unwrap();
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut reader = socket.connect(address).await.unwrap();
    // Many answers asked for at once, none read: the server's writes stop
    // once the buffers between are full.
    let asked = Instant::now();
    let pipelined = "GET /api/v1/openapi.json HTTP/1.1\r\nHost: guichet\r\n\r\n".repeat(100);
    reader.write_all(pipelined.as_bytes()).await.unwrap();
    let deadline = asked + request + MARGIN;
    let within = deadline.saturating_duration_since(Instant::now());
    guichet_test_support::eventually(within, "the reader's connection cut", async || {
        cut(&metrics(&app).await, "request_timeout") > 0
    })
    .await;
    assert!(asked.elapsed() >= request);
    // What was written before the cut can still be read, then the end.
    let (answers, _) = until_closed(&mut reader, MARGIN).await;
    let sent = String::from_utf8_lossy(&answers)
        .matches("HTTP/1.1 200 ")
        .count();
    assert!((1..100).contains(&sent), "{sent} answers sent");
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_at_the_idle_timeout() {
    let idle = Duration::from_secs(1);
    let app = spawn(|config| config.idle_timeout_secs = 1).await;
    let mut client = open(&app).await;
    assert_eq!(exchange(&mut client, HEALTHZ).await.0, 200);
    // Kept alive: a second request on the same connection is served.
    let asked = Instant::now();
    assert_eq!(exchange(&mut client, HEALTHZ).await.0, 200);
    // The header timeout is a minute: only the idle one can close it now.
    let (rest, closed) = until_closed(&mut client, idle + MARGIN).await;
    assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
    assert!(closed - asked >= idle, "closed after {:?}", closed - asked);

    let metrics = metrics(&app).await;
    assert_eq!(cut(&metrics, "idle_timeout"), 1, "{metrics}");
    assert_eq!(cut(&metrics, "header_timeout"), 0, "{metrics}");
}

#[tokio::test]
async fn past_the_cap_a_connection_is_closed_at_once_and_those_held_are_served() {
    let app = spawn(|config| config.max_connections = 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut client = open(&app).await;
        // Answered, so the server has taken it and holds its slot.
        assert_eq!(exchange(&mut client, HEALTHZ).await.0, 200);
        held.push(client);
    }

    let mut extra = open(&app).await;
    // The request may or may not reach a socket already closed.
    let _ = extra.write_all(HEALTHZ.as_bytes()).await;
    let (answer, _) = until_closed(&mut extra, MARGIN).await;
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));

    for client in &mut held {
        assert_eq!(exchange(client, HEALTHZ).await.0, 200);
    }
    let metrics_request = "GET /metrics HTTP/1.1\r\nHost: guichet\r\n\r\n";
    let (status, metrics) = exchange(&mut held[0], metrics_request).await;
    assert_eq!(status, 200);
    assert_eq!(cut(&metrics, "over_capacity"), 1, "{metrics}");
    assert_eq!(value(&metrics, "guichet_http_connections_open"), 3);

    // A slot freed is a slot taken again.
    drop(held.pop());
    let deadline = Instant::now() + MARGIN;
    loop {
        let (_, metrics) = exchange(&mut held[0], metrics_request).await;
        if value(&metrics, "guichet_http_connections_open") == 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the closed connection is still counted"
        );
        tokio::task::yield_now().await;
    }
    let mut again = open(&app).await;
    assert_eq!(exchange(&mut again, HEALTHZ).await.0, 200);
}

#[tokio::test]
async fn a_websocket_outlives_every_timeout() {
    let app = spawn(|config| {
        config.header_timeout_secs = 1;
        config.request_timeout_secs = 1;
        config.idle_timeout_secs = 1;
    })
    .await;
    let admin = app.admin().await;
    open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    let kiosk = kiosk(&app, &admin, "anfa").await;
    let mut screen = connect(&app, "/ws/sites/anfa", None).await;
    let start = screen.next().await["seq"].as_i64().expect("snapshot seq");

    // Three times every timeout, the socket silent all along: this wait
    // is what the test is about, so it sleeps its full length.
    tokio::time::sleep(Duration::from_secs(3)).await;
    issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    let event = screen.next().await;
    assert_eq!(event["seq"].as_i64(), Some(start + 1), "{event}");

    let metrics = metrics(&app).await;
    assert_eq!(cut(&metrics, "request_timeout"), 0, "{metrics}");
}

/// A capsule's upload is bound by the upload timeout, not the request
/// timeout: a supervisor's video sent slowly over a poor link arrives. The
/// same dribble to any other route is cut at the request timeout (above).
#[tokio::test]
async fn a_capsule_sent_slowly_arrives_within_the_upload_timeout() {
    let app = spawn(|config| {
        config.request_timeout_secs = 1;
        config.upload_timeout_secs = LONG;
    })
    .await;
    let admin = app.admin().await;
    open_site(&app, &admin, "agdal", "Africa/Casablanca", 1).await;
    let image = include_bytes!("../fixtures/capsule.png");
    let mut slow = open(&app).await;
    let head = format!(
        "POST /api/v1/sites/agdal/capsules?title=Carte HTTP/1.1\r\nHost: guichet\r\n\
         Authorization: Bearer {admin}\r\nContent-Type: image/png\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        image.len()
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let sent = Instant::now();
    // The image in ten parts over about 2.5 s: past the 1 s request timeout.
    for part in image.chunks(image.len().div_ceil(10)) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        slow.write_all(part).await.unwrap();
    }
    let (answer, _) = until_closed(&mut slow, Duration::from_secs(LONG)).await;
    assert!(sent.elapsed() > Duration::from_secs(2));
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 201 "), "{answer}");
    let listed = app
        .get("/api/v1/sites/agdal/capsules/all", Some(&admin))
        .await;
    assert!(listed.body.to_string().contains("Carte"), "{}", listed.body);
}
