//! Scenario `fanout`: how fast a counter's call reaches every socket that
//! follows its office, and what each socket costs the server.
//!
//! *Offices* (`--shape offices`): many offices (`--sites`, default 150) with
//! `--subscribers-per-site` sockets each (default 100): one
//! `/ws/counters/{counter}` per counter, with its agent's token, and
//! `/ws/sites/{site}` for the rest (screens and citizens' phones). *Big
//! site* (`--shape big-site`): one office with `--subscribers` sockets
//! (default 2,000). Calls run in an open loop at `--rate` per second on
//! random offices (default 200/s for offices, 10/s for one big site, whose
//! every call goes to all its sockets: either way about 120,000 messages a
//! second at the default sizes). Each call calls, starts and completes a
//! ticket on a free counter while the kiosk issues another (see `calls`):
//! six events per call for every socket of the office. A call that finds
//! every counter of several offices busy is skipped (`skipped_calls`).
//!
//! A delivery's latency runs from the call-next response arriving to a
//! socket receiving that call's `ticket.called` event, both as the kernel
//! received their bytes (`stamp`), so that the generator's own backlog is
//! not counted; `task_p50_ms` and `task_p99_ms` time the same deliveries
//! from when the generator's tasks read them. An event that beats the
//! response counts as 0 (`early_deliveries` says how many did). Every
//! socket is timed, over all calls. `missed` is the deliveries expected
//! (each answered call × the sockets its office held after setup) that did
//! not arrive within the drain time after the loop. `rss_kib_per_conn` is
//! the servers' resident memory after the sockets connected less before,
//! over the sockets held. `errors` counts failed requests and sockets that
//! could not connect; `sockets` says how connections ended early (4008,
//! 1012, other closes, broken) and resumed, and how many events a socket
//! saw out of `seq` order or never saw between two it did (`seq_gaps`).
//! The load generator shares the machine with the servers, so the
//! baseline also tells what the machine itself allows.
//!
//! With `--instances 2 --redis-url URL` (and a PostgreSQL `--database-url`
//! both instances share), half the sockets go to the second instance while
//! every call goes to the first, so half the deliveries cross Redis;
//! `instance_p99_ms` gives each half's p99.
//!
//! The baseline, run first on the same shape, sockets and rate, is the bare
//! broadcast server of `bare_server` (one instance). `ratio_to_baseline` is
//! `baseline_p99_ms / p99_ms`: 1 means Guichet delivers as fast as a bare
//! broadcast, 0.5 that its p99 is twice the bare one.

mod calls;
mod stamp;
pub(crate) mod subscribers;

use crate::report::{histogram, ms, print_summary, record};
use crate::server::{self, Spawned};
use anyhow::{Context, bail};
use calls::{Desk, Office};
use clap::{Args, ValueEnum};
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use subscribers::{Socket, Subscribers};

/// The longest the deliveries of the last calls are waited for.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(15);
/// Deliveries are taken as over after this long without a new one.
const DRAIN_QUIET: Duration = Duration::from_secs(3);

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shape {
    Offices,
    BigSite,
}

#[derive(Args, Debug)]
pub struct Options {
    /// Many offices with a few sockets each, or one office with many.
    #[arg(long, value_enum, default_value_t = Shape::Offices)]
    shape: Shape,
    /// Offices of the `offices` shape.
    #[arg(long, default_value_t = 150)]
    sites: usize,
    /// Sockets per office of the `offices` shape.
    #[arg(long, default_value_t = 100)]
    subscribers_per_site: usize,
    /// Sockets of the `big-site` shape.
    #[arg(long, default_value_t = 2000)]
    subscribers: usize,
    /// Open counters per office [default: 3 for offices, 12 for big-site].
    #[arg(long)]
    counters: Option<usize>,
    /// Calls per second over all offices [default: 200 for offices, 10 for big-site].
    #[arg(long)]
    rate: Option<u64>,
    /// Seconds of calls.
    #[arg(long, default_value_t = 20)]
    duration: u64,
    #[command(flatten)]
    deployment: server::Deployment,
    /// Sockets being opened at once.
    #[arg(long, default_value_t = 200)]
    connect_concurrency: usize,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// What both servers are driven with.
struct Plan {
    sites: usize,
    sockets_per_site: usize,
    counters: usize,
    rate: u64,
    phase: Duration,
    concurrency: usize,
}

/// What one server did under the plan.
struct Outcome {
    calls: u64,
    per_s: f64,
    latency: Histogram<u64>,
    /// As the generator's tasks read the answers and events.
    task_latency: Histogram<u64>,
    per_instance: Vec<Histogram<u64>>,
    call_next: Histogram<u64>,
    deliveries: u64,
    missed: u64,
    early: u64,
    unmatched: u64,
    planned: u64,
    held: u64,
    held_at_end: i64,
    rss_kib_per_conn: f64,
    errors: u64,
    skipped: u64,
    empty: u64,
    sockets: Value,
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    let open_files = crate::limits::raise_open_files()?;
    let plan = plan(&options);
    let sockets = (plan.sites * plan.sockets_per_site) as u64;
    if sockets + 100 > open_files {
        bail!("{sockets} sockets need more than the {open_files} open files this process may have");
    }
    let prepared = options.deployment.prepare()?;
    let (database_url, backend) = (&prepared.database_url, prepared.backend);

    let baseline = {
        let bare = bare_offices(&plan);
        let spawned = crate::bare_server::spawn().await?;
        measure(&plan, std::slice::from_ref(&spawned), bare).await?
    };

    let instances = prepared.start().await?;
    let offices = server::create_offices(
        &instances[0].url,
        (&prepared.binary, database_url),
        plan.sites,
        plan.counters,
    )
    .await?
    .into_iter()
    .map(|o| Office {
        id: o.id,
        kiosk: o.kiosk,
        desks: o
            .counters
            .into_iter()
            .map(|(c, t)| Desk::new(c, t))
            .collect(),
    })
    .collect();
    let guichet = measure(&plan, &instances, offices).await?;
    drop(instances);

    let summary = summary(&options, &plan, backend, &guichet, &baseline);
    print_summary(
        &format!("scenario fanout ({:?}) on {backend}", options.shape),
        &summary,
        options.json,
    );
    Ok(())
}

fn plan(options: &Options) -> Plan {
    let (sites, sockets_per_site, counters, rate) = match options.shape {
        Shape::Offices => (
            options.sites.max(1),
            options.subscribers_per_site,
            options.counters.unwrap_or(3),
            options.rate.unwrap_or(200),
        ),
        Shape::BigSite => (
            1,
            options.subscribers,
            options.counters.unwrap_or(12),
            options.rate.unwrap_or(10),
        ),
    };
    Plan {
        sites,
        sockets_per_site,
        counters: counters.max(1),
        rate: rate.max(1),
        phase: Duration::from_secs(options.duration.max(1)),
        concurrency: options.connect_concurrency,
    }
}

/// The offices of the bare server: the same names, no real tokens.
fn bare_offices(plan: &Plan) -> Vec<Office> {
    (0..plan.sites)
        .map(|s| Office {
            id: format!("load-{s}"),
            kiosk: "bare".to_owned(),
            desks: (0..plan.counters)
                .map(|c| Desk::new(format!("load-{s}-g{c}"), "bare".to_owned()))
                .collect(),
        })
        .collect()
}

/// Each office's sockets: its counters', then its site's; the n-th socket
/// overall on instance n mod `instances`.
fn sockets(plan: &Plan, offices: &[Office], instances: usize) -> Vec<Socket> {
    let mut all = Vec::with_capacity(plan.sites * plan.sockets_per_site);
    for (site, office) in offices.iter().enumerate() {
        for k in 0..plan.sockets_per_site {
            let (path, token) = match office.desks.get(k) {
                Some(desk) => (
                    format!("/ws/counters/{}", desk.counter),
                    Some(desk.token.clone()),
                ),
                None => (format!("/ws/sites/{}", office.id), None),
            };
            all.push(Socket {
                site: site as u32,
                instance: (all.len() % instances) as u8,
                path,
                token,
            });
        }
    }
    all
}

fn address(url: &str) -> anyhow::Result<SocketAddr> {
    url.trim_start_matches("http://")
        .parse()
        .with_context(|| format!("the address of {url}"))
}

fn total_rss(servers: &[Spawned]) -> anyhow::Result<u64> {
    servers.iter().map(Spawned::rss_kib).sum()
}

/// Connects the sockets, runs the calls, waits for their deliveries, and
/// times them.
async fn measure(
    plan: &Plan,
    servers: &[Spawned],
    offices: Vec<Office>,
) -> anyhow::Result<Outcome> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(10))
        .build()?;
    let url = &servers[0].url;
    let mut errors = calls::issue_tickets(&client, url, &offices, plan.counters * 2).await;
    let hosts = servers
        .iter()
        .map(|s| address(&s.url))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let planned = sockets(plan, &offices, servers.len());
    let planned_count = planned.len() as u64;
    let before = total_rss(servers)?;
    let setup = Duration::from_secs(60) + Duration::from_millis(10 * planned_count);
    let subscribers = subscribers::open(hosts, planned, plan.sites, plan.concurrency, setup).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = total_rss(servers)?;
    let held = subscribers.held();
    let rss_kib_per_conn = if held == 0 {
        0.0
    } else {
        (after.saturating_sub(before) as f64 / held as f64 * 10.0).round() / 10.0
    };

    let offices = Arc::new(offices);
    let calls = calls::steady(&client, url, offices, plan.rate, plan.phase).await;
    let expected: u64 = calls
        .per_site
        .iter()
        .zip(&subscribers.held_per_site)
        .map(|(calls, held)| calls * held)
        .sum();
    drain(&subscribers, expected).await;
    let held_at_end = subscribers.stats.open.load(Ordering::Relaxed);
    let stats = subscribers.stats.clone();
    let deliveries = subscribers.close().await;

    let mut latency = histogram();
    let mut task_latency = histogram();
    let mut per_instance = vec![histogram(); servers.len()];
    let (mut matched, mut early, mut unmatched, mut unstamped) = (0, 0, 0, 0);
    for delivery in &deliveries {
        let Some(answered) = calls.answered.get(&(delivery.site, delivery.number)) else {
            unmatched += 1;
            continue;
        };
        matched += 1;
        record(
            &mut task_latency,
            delivery.at.saturating_duration_since(answered.read),
        );
        // Without the kernel's instants (never seen on Linux), the tasks'.
        let (sent, got) = match (answered.arrived, delivery.arrived) {
            (Some(sent), Some(got)) => (sent, got),
            _ => {
                unstamped += 1;
                (answered.read, delivery.at)
            }
        };
        if got < sent {
            early += 1;
        }
        let took = got.saturating_duration_since(sent);
        record(&mut latency, took);
        if let Some(h) = per_instance.get_mut(delivery.instance as usize) {
            record(h, took);
        }
    }
    let connect_failures = stats.connect_failures.load(Ordering::Relaxed);
    errors += calls.errors + connect_failures;
    let count = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed);
    let sockets = json!({
        "messages": count(&stats.messages),
        "connect_failures": connect_failures,
        "disconnections": stats.disconnections(),
        "closed_4008": count(&stats.closed_4008),
        "closed_1012": count(&stats.closed_1012),
        "closed_other": count(&stats.closed_other),
        "broken": count(&stats.broken),
        "resumed": count(&stats.resumed),
        "seq_gaps": count(&stats.seq_gaps),
        "seq_backwards": count(&stats.seq_backwards),
        "unparsed": count(&stats.unparsed),
        "unstamped": unstamped,
    });
    Ok(Outcome {
        calls: calls.answered.len() as u64,
        per_s: calls.answered.len() as f64 / calls.elapsed.as_secs_f64().max(0.001),
        latency,
        task_latency,
        per_instance,
        call_next: calls.call_next,
        deliveries: matched,
        missed: expected.saturating_sub(matched),
        early,
        unmatched,
        planned: planned_count,
        held,
        held_at_end,
        rss_kib_per_conn,
        errors,
        skipped: calls.skipped,
        empty: calls.empty,
        sockets,
    })
}

/// Waits until every expected `ticket.called` has arrived, none has for
/// `DRAIN_QUIET`, or `DRAIN_TIMEOUT` has passed.
async fn drain(subscribers: &Subscribers, expected: u64) {
    let deadline = Instant::now() + DRAIN_TIMEOUT;
    let mut seen = subscribers.stats.called.load(Ordering::Relaxed);
    let mut quiet_since = Instant::now();
    while Instant::now() < deadline {
        let now = subscribers.stats.called.load(Ordering::Relaxed);
        if now >= expected {
            return;
        }
        if now != seen {
            seen = now;
            quiet_since = Instant::now();
        } else if quiet_since.elapsed() > DRAIN_QUIET {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn summary(options: &Options, plan: &Plan, backend: &str, run: &Outcome, base: &Outcome) -> Value {
    let p99 = ms(&run.latency, 0.99);
    let baseline_p99 = ms(&base.latency, 0.99);
    let ratio = if p99 > 0.0 {
        ((baseline_p99 / p99) * 1000.0).round() / 1000.0
    } else {
        0.0
    };
    let shape = match options.shape {
        Shape::Offices => "offices",
        Shape::BigSite => "big-site",
    };
    json!({
        "scenario": "fanout",
        "shape": shape,
        "backend": backend,
        "instances": options.deployment.instances,
        "sites": plan.sites,
        "subscribers_per_site": plan.sockets_per_site,
        "counters_per_site": plan.counters,
        "rate_per_s": plan.rate,
        "duration_s": plan.phase.as_secs(),
        "ops": run.calls,
        "throughput_per_s": round1(run.per_s),
        "p50_ms": ms(&run.latency, 0.5),
        "p99_ms": p99,
        "max_ms": ms(&run.latency, 1.0),
        "task_p50_ms": ms(&run.task_latency, 0.5),
        "task_p99_ms": ms(&run.task_latency, 0.99),
        "instance_p99_ms": run.per_instance.iter().map(|h| ms(h, 0.99)).collect::<Vec<_>>(),
        "call_next_p50_ms": ms(&run.call_next, 0.5),
        "call_next_p99_ms": ms(&run.call_next, 0.99),
        "errors": run.errors,
        "skipped_calls": run.skipped,
        "empty_calls": run.empty,
        "subscribers_planned": run.planned,
        "subscribers_connected": run.held,
        "subscribers": run.held_at_end,
        "rss_kib_per_conn": run.rss_kib_per_conn,
        "deliveries": run.deliveries,
        "missed": run.missed,
        "early_deliveries": run.early,
        "unmatched_deliveries": run.unmatched,
        "sockets": run.sockets,
        "baseline_p50_ms": ms(&base.latency, 0.5),
        "baseline_p99_ms": baseline_p99,
        "baseline_max_ms": ms(&base.latency, 1.0),
        "baseline_task_p50_ms": ms(&base.task_latency, 0.5),
        "baseline_task_p99_ms": ms(&base.task_latency, 0.99),
        "baseline_per_s": round1(base.per_s),
        "baseline_subscribers": base.held_at_end,
        "baseline_rss_kib_per_conn": base.rss_kib_per_conn,
        "baseline_deliveries": base.deliveries,
        "baseline_missed": base.missed,
        "baseline_errors": base.errors,
        "ratio_to_baseline": ratio,
    })
}
