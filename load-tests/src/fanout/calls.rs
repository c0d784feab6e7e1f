//! The calls of a fanout run: an open loop at a fixed rate, each call on a
//! random office's free counter, which calls the next ticket, starts and
//! completes it, while the kiosk issues one, so the queue (a few tickets
//! issued before the loop) neither runs dry nor grows. The instants each
//! call-next answer arrived are kept by (site, ticket number), for the
//! subscribers' deliveries to be timed from: when the caller's task read
//! it, and when the kernel received it (each counter calls over a
//! connection of its own with receive timestamps, see `stamp`).

use super::stamp::{Received, Stamped};
use super::subscribers::number_of_ticket;
use crate::report::{histogram, record};
use anyhow::{Context, bail};
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rand::Rng;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// How long calls still in flight may take once the loop has ended.
const FINISH_TIMEOUT: Duration = Duration::from_secs(30);
/// Other offices tried when the chosen one has no free counter.
const TRIES: usize = 8;

/// A counter, the token of its agent, whether a call holds it, and the
/// connection its call-nexts go over.
pub struct Desk {
    pub counter: String,
    pub token: String,
    busy: AtomicBool,
    line: tokio::sync::Mutex<Option<Line>>,
}

impl Desk {
    pub fn new(counter: String, token: String) -> Self {
        Self {
            counter,
            token,
            busy: AtomicBool::new(false),
            line: tokio::sync::Mutex::new(None),
        }
    }
}

/// An HTTP/1 connection whose reads are timestamped by the kernel.
struct Line {
    sender: SendRequest<Full<Bytes>>,
    received: Arc<Received>,
}

impl Line {
    async fn open(host: &str) -> anyhow::Result<Self> {
        let stream = Stamped::new(tokio::net::TcpStream::connect(host).await?)?;
        let received = stream.received().clone();
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .context("opening a counter's connection")?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Self { sender, received })
    }
}

/// When a call-next answer arrived: read by the caller's task, and
/// received by the kernel.
#[derive(Clone, Copy)]
pub struct Answered {
    pub read: Instant,
    pub arrived: Option<Instant>,
}

/// A call-next's answer.
struct Answer {
    status: StatusCode,
    body: Bytes,
    answered: Answered,
}

/// An office: its id, kiosk token and counters.
pub struct Office {
    pub id: String,
    pub kiosk: String,
    pub desks: Vec<Desk>,
}

/// What the loop did.
pub struct Calls {
    /// (site index, ticket number) → when the call-next answer arrived.
    pub answered: HashMap<(u32, u32), Answered>,
    /// Answered calls per site.
    pub per_site: Vec<u64>,
    pub elapsed: Duration,
    pub errors: u64,
    /// Calls not made: every counter of several offices was busy.
    pub skipped: u64,
    /// Call-nexts answered 204: nobody waiting.
    pub empty: u64,
    /// How long call-next took to answer.
    pub call_next: Histogram<u64>,
}

struct Run {
    client: reqwest::Client,
    url: String,
    offices: Arc<Vec<Office>>,
    answered: Mutex<HashMap<(u32, u32), (Answered, Duration)>>,
    errors: AtomicU64,
    skipped: AtomicU64,
    empty: AtomicU64,
}

/// Issues `per_office` tickets at every office, a few at a time, so the
/// first calls find someone waiting. Returns the failures.
pub async fn issue_tickets(
    client: &reqwest::Client,
    url: &str,
    offices: &[Office],
    per_office: usize,
) -> u64 {
    let mut failures = 0;
    for chunk in offices.chunks(16) {
        for _ in 0..per_office {
            let mut tasks = JoinSet::new();
            for office in chunk {
                let (client, url) = (client.clone(), url.to_owned());
                let (site, kiosk) = (office.id.clone(), office.kiosk.clone());
                tasks.spawn(async move { issue(&client, &url, &site, &kiosk).await });
            }
            while let Some(done) = tasks.join_next().await {
                if !matches!(done, Ok(Ok(()))) {
                    failures += 1;
                }
            }
        }
    }
    failures
}

/// `rate` calls per second for `phase`, on random offices.
pub async fn steady(
    client: &reqwest::Client,
    url: &str,
    offices: Arc<Vec<Office>>,
    rate: u64,
    phase: Duration,
) -> Calls {
    let sites = offices.len();
    let run = Arc::new(Run {
        client: client.clone(),
        url: url.to_owned(),
        offices,
        answered: Mutex::new(HashMap::new()),
        errors: AtomicU64::new(0),
        skipped: AtomicU64::new(0),
        empty: AtomicU64::new(0),
    });
    let total = (rate as f64 * phase.as_secs_f64()).round() as u64;
    let interval = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
    let start = Instant::now();
    let mut tasks = JoinSet::new();
    for i in 0..total {
        tokio::time::sleep_until((start + interval * i as u32).into()).await;
        let run = run.clone();
        tasks.spawn(async move { call(&run).await });
        while tasks.try_join_next().is_some() {}
    }
    let _ = tokio::time::timeout(FINISH_TIMEOUT, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    let unfinished = tasks.len() as u64;
    tasks.abort_all();
    let elapsed = start.elapsed();
    let answered = std::mem::take(&mut *run.answered.lock().unwrap_or_else(|e| e.into_inner()));
    let mut per_site = vec![0; sites];
    let mut call_next = histogram();
    for ((site, _), (_, took)) in &answered {
        per_site[*site as usize] += 1;
        record(&mut call_next, *took);
    }
    Calls {
        answered: answered.into_iter().map(|(k, (at, _))| (k, at)).collect(),
        per_site,
        elapsed,
        errors: run.errors.load(Ordering::Relaxed) + unfinished,
        skipped: run.skipped.load(Ordering::Relaxed),
        empty: run.empty.load(Ordering::Relaxed),
        call_next,
    }
}

/// One call on a free counter, which stays taken if its ticket could not
/// be completed (another call-next there would only be refused).
async fn call(run: &Run) {
    let Some((site, desk)) = free_desk(&run.offices) else {
        run.skipped.fetch_add(1, Ordering::Relaxed);
        return;
    };
    match cycle(run, site, desk).await {
        Ok(()) => desk.busy.store(false, Ordering::Release),
        Err(error) => note(run, &desk.counter, &error),
    }
}

/// Counts an error, and prints the first few.
fn note(run: &Run, place: &str, error: &anyhow::Error) {
    if run.errors.fetch_add(1, Ordering::Relaxed) < 10 {
        eprintln!("{place}: {error:#}");
    }
}

/// A random office's free counter, taken.
fn free_desk(offices: &[Office]) -> Option<(usize, &Desk)> {
    let mut rng = rand::rng();
    for _ in 0..TRIES {
        let site = rng.random_range(0..offices.len());
        let desks = &offices[site].desks;
        let first = rng.random_range(0..desks.len().max(1));
        for k in 0..desks.len() {
            let desk = &desks[(first + k) % desks.len()];
            if desk
                .busy
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return Some((site, desk));
            }
        }
    }
    None
}

async fn cycle(run: &Run, site: usize, desk: &Desk) -> anyhow::Result<()> {
    let office = &run.offices[site];
    let sent = Instant::now();
    let (answer, issued) = tokio::join!(
        call_next(run, desk),
        issue(&run.client, &run.url, &office.id, &office.kiosk)
    );
    if let Err(error) = issued {
        note(run, &office.id, &error);
    }
    let Answer {
        status,
        body,
        answered,
    } = answer?;
    match status {
        StatusCode::OK => {}
        StatusCode::NO_CONTENT => {
            run.empty.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        status => bail!("call-next: {status} {}", String::from_utf8_lossy(&body)),
    }
    let ticket: Value = serde_json::from_slice(&body).context("call-next's answer")?;
    let (Some(id), Some(number)) = (
        ticket["id"].as_str(),
        ticket["number"].as_str().and_then(number_of_ticket),
    ) else {
        bail!("call-next answered without an id and number: {ticket}");
    };
    run.answered
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert((site as u32, number), (answered, answered.read - sent));
    if let Err(error) = step(run, desk, id, "start").await {
        note(run, &desk.counter, &error);
    }
    step(run, desk, id, "complete").await
}

/// Calls the next ticket at `desk`, over its own connection (opened on
/// first use, and again after a failure).
async fn call_next(run: &Run, desk: &Desk) -> anyhow::Result<Answer> {
    let host = run.url.trim_start_matches("http://");
    let mut line = desk.line.lock().await;
    let open = match line.take() {
        Some(open) if !open.sender.is_closed() => open,
        _ => Line::open(host).await?,
    };
    let request = http::Request::post(format!("/api/v1/counters/{}/call-next", desk.counter))
        .header(http::header::HOST, host)
        .header(
            http::header::AUTHORIZATION,
            format!("Bearer {}", desk.token),
        )
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from_static(b"{}")))?;
    let mut open = open;
    open.sender.ready().await.context("call-next")?;
    let response = open
        .sender
        .send_request(request)
        .await
        .context("call-next")?;
    let read = Instant::now();
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    let arrived = open.received.at();
    *line = Some(open);
    Ok(Answer {
        status,
        body,
        answered: Answered { read, arrived },
    })
}

async fn step(run: &Run, desk: &Desk, ticket: &str, action: &str) -> anyhow::Result<()> {
    let response = run
        .client
        .post(format!("{}/api/v1/tickets/{ticket}/{action}", run.url))
        .bearer_auth(&desk.token)
        .json(&json!({}))
        .send()
        .await?;
    let status = response.status();
    if !status.is_success() {
        bail!("{action}: {status} {}", response.text().await?);
    }
    Ok(())
}

async fn issue(client: &reqwest::Client, url: &str, site: &str, kiosk: &str) -> anyhow::Result<()> {
    let response = client
        .post(format!("{url}/api/v1/sites/{site}/tickets"))
        .bearer_auth(kiosk)
        .json(&json!({"service": "residence"}))
        .send()
        .await
        .context("issuing a ticket")?;
    let status = response.status();
    if status != StatusCode::CREATED {
        bail!("issue: {status} {}", response.text().await?);
    }
    Ok(())
}
