//! A real WebSocket client (tokio-tungstenite) for the live streams. The
//! functions take the server's [`Client`]; a `&TestApp` derefs to it.

use crate::client::Client;
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for a message it expects.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub struct Live {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// Opens `path` (`/ws/…`) with an optional bearer token; the HTTP answer
/// when the server refuses the upgrade.
pub async fn try_connect(app: &Client, path: &str, token: Option<&str>) -> Result<Live, Error> {
    let url = app.ws(path);
    let mut request = url.into_client_request()?;
    if let Some(token) = token {
        let value = format!("Bearer {token}").parse().expect("header value");
        request.headers_mut().insert("authorization", value);
    }
    let (stream, _) = tokio_tungstenite::connect_async(request).await?;
    Ok(Live { stream })
}

pub async fn connect(app: &Client, path: &str, token: Option<&str>) -> Live {
    try_connect(app, path, token)
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A client whose socket takes in little at a time (a 4 KiB receive
/// buffer): one that stops reading is soon seen as not keeping up.
pub async fn connect_small(app: &Client, path: &str) -> Live {
    let url = app.ws(path);
    let address = app
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("address");
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("receive buffer");
    let tcp = socket.connect(address).await.expect("connected");
    let (stream, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(tcp))
        .await
        .expect("upgraded");
    Live { stream }
}

/// The HTTP status of a refused upgrade.
pub async fn refused(app: &Client, path: &str, token: Option<&str>) -> u16 {
    match try_connect(app, path, token).await {
        Err(Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("{path}: {other}"),
        Ok(_) => panic!("{path}: upgrade accepted"),
    }
}

/// What came next on a stream.
#[derive(Debug)]
pub enum Next {
    Json(Value),
    Closed(Option<CloseFrame>),
    Nothing,
}

impl Live {
    /// The next JSON message or close, within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Next {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let message = match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return Next::Nothing,
                Ok(None) | Ok(Some(Err(_))) => return Next::Closed(None),
                Ok(Some(Ok(message))) => message,
            };
            match message {
                Message::Text(text) => {
                    return Next::Json(serde_json::from_str(&text).expect("JSON message"));
                }
                Message::Close(frame) => return Next::Closed(frame),
                _ => continue,
            }
        }
    }

    /// The next JSON message; fails the test if none comes.
    pub async fn next(&mut self) -> Value {
        match self.next_within(PATIENCE).await {
            Next::Json(value) => value,
            other => panic!("expected a message, got {other:?}"),
        }
    }

    /// The next message's raw text, to check what it does not contain.
    pub async fn next_text(&mut self) -> String {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .expect("a message in time")
                .expect("stream open")
                .expect("readable message");
            if let Message::Text(text) = message {
                return text.to_string();
            }
        }
    }

    /// Reads messages until one carries `seq`; returns all of them.
    pub async fn until_seq(&mut self, seq: i64) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            let message = self.next().await;
            let reached = message["seq"].as_i64() >= Some(seq);
            seen.push(message);
            if reached {
                return seen;
            }
        }
    }

    /// The close frame the server sends next (messages before it skipped).
    pub async fn close_frame(&mut self) -> Option<CloseFrame> {
        loop {
            match self.next_within(PATIENCE).await {
                Next::Json(_) => continue,
                Next::Closed(frame) => return frame,
                Next::Nothing => panic!("the server did not close the stream"),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.send(Message::Close(None)).await;
    }
}

/// The `seq` of each message.
pub fn seqs(messages: &[Value]) -> Vec<i64> {
    messages.iter().filter_map(|m| m["seq"].as_i64()).collect()
}

/// The `type` of each message.
pub fn kinds(messages: &[Value]) -> Vec<&str> {
    messages.iter().filter_map(|m| m["type"].as_str()).collect()
}
