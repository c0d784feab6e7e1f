//! Every HTTP request of a `day` run goes through `Requests`, which times
//! it under its kind and sorts its answer: a success (2xx), an expected
//! business answer the caller named (204 from an empty queue), or an
//! error (any other status, or no answer at all).

use crate::report::{histogram, ms, record};
use hdrhistogram::Histogram;
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// No request waits longer than this.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// Errors described on stderr, at most.
const SHOWN_ERRORS: u64 = 10;

/// What a request got.
pub enum Answer {
    /// 2xx, with its JSON body (null when there is none).
    Ok(Value),
    /// One of the statuses the caller expected as a business answer.
    Expected,
    /// Anything else: counted as an error.
    Failed,
}

/// The requests of one kind.
struct Kind {
    latencies: Histogram<u64>,
    ok: u64,
    /// Expected business answers, by status.
    expected: BTreeMap<u16, u64>,
    errors: u64,
}

pub struct Requests {
    client: reqwest::Client,
    /// The instances' base URLs; requests go round them in turn.
    urls: Vec<String>,
    turn: AtomicUsize,
    kinds: Mutex<BTreeMap<&'static str, Kind>>,
    errors: AtomicU64,
}

impl Requests {
    pub fn new(urls: Vec<String>) -> anyhow::Result<Self> {
        Ok(Self {
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(256)
                .timeout(TIMEOUT)
                .build()?,
            urls,
            turn: AtomicUsize::new(0),
            kinds: Mutex::new(BTreeMap::new()),
            errors: AtomicU64::new(0),
        })
    }

    pub async fn get(&self, kind: &'static str, path: &str) -> Answer {
        self.send(kind, Method::GET, path, None, None, &[]).await
    }

    /// POSTs `body` with `token`; a status in `expected` is a business answer.
    pub async fn post(
        &self,
        kind: &'static str,
        path: &str,
        token: &str,
        body: Value,
        expected: &[u16],
    ) -> Answer {
        self.send(kind, Method::POST, path, Some(token), Some(body), expected)
            .await
    }

    async fn send(
        &self,
        kind: &'static str,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        expected: &[u16],
    ) -> Answer {
        let url = &self.urls[self.turn.fetch_add(1, Ordering::Relaxed) % self.urls.len()];
        let mut request = self.client.request(method, format!("{url}{path}"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let started = Instant::now();
        let answer = match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                match response.bytes().await {
                    Ok(bytes) => Ok((status, bytes)),
                    Err(error) => Err(error),
                }
            }
            Err(error) => Err(error),
        };
        let took = started.elapsed();
        let mut kinds = self.kinds.lock().unwrap_or_else(|e| e.into_inner());
        let entry = kinds.entry(kind).or_insert_with(|| Kind {
            latencies: histogram(),
            ok: 0,
            expected: BTreeMap::new(),
            errors: 0,
        });
        let (status, bytes) = match answer {
            Ok(answered) => answered,
            Err(error) => {
                entry.errors += 1;
                drop(kinds);
                self.error(format_args!("{kind} {path}: {error}"));
                return Answer::Failed;
            }
        };
        record(&mut entry.latencies, took);
        if expected.contains(&status) {
            *entry.expected.entry(status).or_default() += 1;
            return Answer::Expected;
        }
        if (200..300).contains(&status) {
            entry.ok += 1;
            return Answer::Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null));
        }
        entry.errors += 1;
        drop(kinds);
        let text = String::from_utf8_lossy(&bytes);
        self.error(format_args!("{kind} {path}: {status} {text}"));
        Answer::Failed
    }

    fn error(&self, what: std::fmt::Arguments) {
        if self.errors.fetch_add(1, Ordering::Relaxed) < SHOWN_ERRORS {
            eprintln!("day: {what}");
        }
    }

    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Per kind: count, successes, expected answers, errors, p50/p95/p99 ms.
    pub fn summary(&self) -> Value {
        let kinds = self.kinds.lock().unwrap_or_else(|e| e.into_inner());
        let all: serde_json::Map<String, Value> = kinds
            .iter()
            .map(|(name, kind)| {
                let expected: serde_json::Map<String, Value> = kind
                    .expected
                    .iter()
                    .map(|(status, n)| (status.to_string(), json!(n)))
                    .collect();
                let summary = json!({
                    "count": kind.ok + kind.expected.values().sum::<u64>() + kind.errors,
                    "ok": kind.ok,
                    "expected": expected,
                    "errors": kind.errors,
                    "p50_ms": ms(&kind.latencies, 0.5),
                    "p95_ms": ms(&kind.latencies, 0.95),
                    "p99_ms": ms(&kind.latencies, 0.99),
                });
                ((*name).to_owned(), summary)
            })
            .collect();
        Value::Object(all)
    }
}
