//! Scenario `tickets`: kiosks issue tickets while counters call and finish
//! them, spread over many offices.
//!
//! *Saturation*: a closed loop of clients (default 64) for a fixed time
//! gives the throughput. *Steady*: an open loop at a fixed arrival rate
//! (default 1,000 operations/s) gives p50 and p99, each latency measured
//! from the operation's intended start, so a stall delays every operation
//! scheduled behind it and shows in the percentiles.

use crate::baseline;
use crate::report::{histogram, ms, print_summary, record};
use crate::server::{self, Office};
use clap::Args;
use hdrhistogram::Histogram;
use rand::Rng;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Args, Debug)]
pub struct Options {
    /// Offices to spread the work over.
    #[arg(long, default_value_t = 20)]
    sites: usize,
    /// Open counters per office.
    #[arg(long, default_value_t = 3)]
    counters: usize,
    /// Clients of the saturation phase.
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Operations per second of the steady phase.
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    /// Seconds of each phase.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// A fresh PostgreSQL database to use (`postgres://…`); SQLite in a temporary file otherwise.
    #[arg(long)]
    database_url: Option<String>,
    /// The `guichet` binary to start.
    #[arg(long)]
    bin: Option<String>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// One counter of the run, with the ticket it holds between call and complete.
struct Desk {
    site: String,
    counter: String,
    token: String,
    holding: Mutex<Option<String>>,
}

struct Run {
    client: reqwest::Client,
    url: String,
    offices: Vec<Office>,
    desks: Vec<Desk>,
    errors: AtomicU64,
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (database_url, backend) = match &options.database_url {
        Some(url) => (url.clone(), "postgres"),
        None => (
            format!("sqlite://{}", dir.path().join("load.db").display()),
            "sqlite",
        ),
    };
    let binary = options.bin.clone().unwrap_or_else(server::default_binary);
    server::create_admin(&binary, &database_url).await?;
    let spawned = server::spawn(&binary, &database_url, &[]).await?;
    let offices = server::create_offices(
        &spawned.url,
        (&binary, &database_url),
        options.sites,
        options.counters,
    )
    .await?;
    let desks = offices
        .iter()
        .flat_map(|o| {
            o.counters.iter().map(|(counter, token)| Desk {
                site: o.id.clone(),
                counter: counter.clone(),
                token: token.clone(),
                holding: Mutex::new(None),
            })
        })
        .collect();
    let run = Arc::new(Run {
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()?,
        url: spawned.url.clone(),
        offices,
        desks,
        errors: AtomicU64::new(0),
    });
    let phase = Duration::from_secs(options.duration);
    let (saturation_ops, saturation_hist) = saturation(&run, options.clients, phase).await;
    let throughput = saturation_ops as f64 / phase.as_secs_f64();
    let (steady_ops, steady) = steady(&run, options.rate, phase).await;
    drop(spawned);

    let baseline_per_s = match backend {
        "postgres" => {
            baseline::postgres(&database_url, options.sites, options.clients, phase).await?
        }
        _ => baseline::sqlite(options.sites, phase)?,
    };
    let summary = json!({
        "scenario": "tickets",
        "backend": backend,
        "ops": saturation_ops + steady_ops,
        "throughput_per_s": (throughput * 10.0).round() / 10.0,
        "saturation_clients": options.clients,
        "saturation_p50_ms": ms(&saturation_hist, 0.5),
        "saturation_p99_ms": ms(&saturation_hist, 0.99),
        "steady_rate_per_s": options.rate,
        "steady_ops": steady_ops,
        "p50_ms": ms(&steady, 0.5),
        "p99_ms": ms(&steady, 0.99),
        "max_ms": ms(&steady, 1.0),
        "errors": run.errors.load(Ordering::Relaxed),
        "baseline_per_s": (baseline_per_s * 10.0).round() / 10.0,
        "ratio_to_baseline": ((throughput / baseline_per_s) * 1000.0).round() / 1000.0,
        "sites": options.sites,
        "counters_per_site": options.counters,
    });
    print_summary(
        &format!("scenario tickets on {backend}"),
        &summary,
        options.json,
    );
    Ok(())
}

/// One operation: a ticket at a kiosk, or the next step of a counter.
async fn operation(run: &Run, kiosk: bool) {
    let ok = if kiosk {
        issue(run).await
    } else {
        counter_step(run).await
    };
    if !ok {
        run.errors.fetch_add(1, Ordering::Relaxed);
    }
}

async fn issue(run: &Run) -> bool {
    let office = &run.offices[rand::rng().random_range(0..run.offices.len())];
    let answer = run
        .client
        .post(format!("{}/api/v1/sites/{}/tickets", run.url, office.id))
        .bearer_auth(&office.kiosk)
        .json(&json!({"service": "residence"}))
        .send()
        .await;
    matches!(answer, Ok(r) if r.status() == StatusCode::CREATED)
}

/// Completes the ticket a random counter holds, or calls its next one.
async fn counter_step(run: &Run) -> bool {
    let desk = &run.desks[rand::rng().random_range(0..run.desks.len())];
    let mut holding = desk.holding.lock().await;
    let (path, body) = match holding.as_ref() {
        Some(ticket) => (format!("/api/v1/tickets/{ticket}/complete"), json!({})),
        None => (
            format!("/api/v1/counters/{}/call-next", desk.counter),
            json!({}),
        ),
    };
    let Ok(response) = run
        .client
        .post(format!("{}{}", run.url, path))
        .bearer_auth(&desk.token)
        .json(&body)
        .send()
        .await
    else {
        return false;
    };
    let status = response.status();
    match (holding.is_some(), status) {
        (true, StatusCode::OK) => {
            *holding = None;
            true
        }
        (false, StatusCode::OK) => {
            let ticket: Value = response.json().await.unwrap_or(Value::Null);
            *holding = ticket["id"].as_str().map(str::to_owned);
            holding.is_some()
        }
        (false, StatusCode::NO_CONTENT) => true,
        _ => {
            eprintln!("{} at {}: {status}", desk.counter, desk.site);
            false
        }
    }
}

/// A third of operations are tickets, two thirds counter steps (a call and a
/// completion per ticket), so queues neither grow nor run dry.
fn is_kiosk(i: u64) -> bool {
    i.is_multiple_of(3)
}

async fn saturation(run: &Arc<Run>, clients: usize, phase: Duration) -> (u64, Histogram<u64>) {
    let end = Instant::now() + phase;
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let run = run.clone();
            tokio::spawn(async move {
                let mut hist = histogram();
                let mut i = c as u64;
                while Instant::now() < end {
                    let started = Instant::now();
                    operation(&run, is_kiosk(i)).await;
                    record(&mut hist, started.elapsed());
                    i += 1;
                }
                hist
            })
        })
        .collect();
    let mut all = histogram();
    for task in tasks {
        if let Ok(hist) = task.await {
            all.add(hist).expect("same bounds");
        }
    }
    (all.len(), all)
}

async fn steady(run: &Arc<Run>, rate: u64, phase: Duration) -> (u64, Histogram<u64>) {
    let total = rate * phase.as_secs();
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = Instant::now();
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    for i in 0..total {
        let intended = start + interval * i as u32;
        tokio::time::sleep_until(intended.into()).await;
        let run = run.clone();
        let sender = sender.clone();
        tokio::spawn(async move {
            operation(&run, is_kiosk(i)).await;
            let _ = sender.send(intended.elapsed());
        });
    }
    drop(sender);
    let mut hist = histogram();
    while let Some(latency) = receiver.recv().await {
        record(&mut hist, latency);
    }
    (hist.len(), hist)
}
