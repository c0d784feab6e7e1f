//! Requests released together, as an attacker sends them to beat a limit
//! that is checked before it is counted: each request on its own
//! connection with every byte but the last already sent, then the last
//! bytes back to back, so the server reads them all within a moment and
//! none is finished before the others start.

use serde_json::Value;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One request of a burst (a POST, or a GET), and the instance it goes to.
#[derive(Debug, Clone)]
pub struct Shot {
    to: SocketAddr,
    method: &'static str,
    path: String,
    content_type: &'static str,
    body: String,
    headers: Vec<(String, String)>,
}

impl Shot {
    pub fn json(base: &str, path: &str, body: &Value) -> Self {
        Self {
            to: addr(base),
            method: "POST",
            path: path.to_owned(),
            content_type: "application/json",
            body: body.to_string(),
            headers: Vec::new(),
        }
    }

    /// `application/x-www-form-urlencoded`, already encoded.
    pub fn form(base: &str, path: &str, body: String) -> Self {
        Self {
            content_type: "application/x-www-form-urlencoded",
            body,
            ..Self::json(base, path, &Value::Null)
        }
    }

    /// A GET of `path` (with its query).
    pub fn get(base: &str, path: &str) -> Self {
        Self {
            method: "GET",
            ..Self::json(base, path, &Value::Null)
        }
    }

    /// From `address`, for a server that trusts the test as its proxy
    /// (`X-Forwarded-For`): a botnet's many addresses.
    pub fn from(self, address: &str) -> Self {
        self.header("X-Forwarded-For", address)
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// What came back for one request.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// The API's error code (`rate_limited`, `invalid_otp`, …).
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }
}

/// The address of a server from its base URL.
fn addr(base: &str) -> SocketAddr {
    base.trim_start_matches("http://")
        .parse()
        .expect("a base URL of the form http://IP:PORT")
}

/// Sends every shot at the same instant and returns the replies in order.
pub async fn release(shots: &[Shot]) -> Vec<Reply> {
    let mut streams = Vec::with_capacity(shots.len());
    let mut lasts = Vec::with_capacity(shots.len());
    for shot in shots {
        let bytes = request_bytes(shot);
        let (head, last) = bytes.split_at(bytes.len() - 1);
        let mut stream = TcpStream::connect(shot.to).await.expect("connected");
        stream.set_nodelay(true).expect("no delay");
        stream
            .write_all(head)
            .await
            .expect("all but the last byte sent");
        streams.push(stream);
        lasts.push(last[0]);
    }
    for (stream, last) in streams.iter_mut().zip(&lasts) {
        stream.write_all(&[*last]).await.expect("last byte sent");
    }
    let reads = streams.into_iter().map(|mut stream| {
        tokio::spawn(async move {
            let mut raw = Vec::new();
            stream.read_to_end(&mut raw).await.expect("reply read");
            parse(&raw)
        })
    });
    let mut replies = Vec::with_capacity(shots.len());
    for read in reads {
        replies.push(read.await.expect("reader finished"));
    }
    replies
}

fn request_bytes(shot: &Shot) -> Vec<u8> {
    let body = if shot.method == "GET" { "" } else { &shot.body };
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: {}\r\nContent-Type: {}\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        shot.method,
        shot.path,
        shot.to,
        shot.content_type,
        body.len()
    );
    for (name, value) in &shot.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body.as_bytes());
    bytes
}

/// An HTTP/1.1 answer read to the end of its connection.
fn parse(raw: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {head:?}"));
    let chunked = head
        .lines()
        .any(|line| line.eq_ignore_ascii_case("transfer-encoding: chunked"));
    let body = if chunked {
        unchunk(body)
    } else {
        body.to_owned()
    };
    Reply {
        status,
        body: serde_json::from_str(&body).unwrap_or(Value::String(body)),
    }
}

fn unchunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 || after.len() < size {
            break;
        }
        body.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    body
}

/// How many replies had each status, for a failure's message.
pub fn tally(replies: &[Reply]) -> std::collections::BTreeMap<u16, usize> {
    let mut tally = std::collections::BTreeMap::new();
    for reply in replies {
        *tally.entry(reply.status).or_default() += 1;
    }
    tally
}
