//! Scenario `window`: the national booking window, on the local cluster's
//! topology (`cluster`): two instances behind nginx, sharing a PostgreSQL
//! primary, its streaming replica and Redis.
//!
//! `--offices` offices (default 150, the setup of `earliest`: 15-minute
//! slots of 2 places, Monday to Saturday, in three timezones) publish
//! their slots at once. Then `--citizens` citizens (default 20,000) arrive
//! over `--seconds` (default 20): `--bursts` bursts (default 2, at seconds
//! 0 and 10) of `--burst` citizens (default 2,000) within one second each,
//! the others spread evenly over the other seconds (`plan`). Each citizen,
//! from an address and with a phone of its own, reads `--reads` slot lists
//! (default 3: its office's next two weeks, the two weeks after, a
//! neighbouring office's next two weeks), then books one of the first
//! `--choice` free slots (default 10) of its office's first list
//! (`citizens`). Open loop: latencies run from when a request was meant
//! to leave; a request belongs to a burst when that moment falls in a
//! burst's second, else it is "between" bursts.
//!
//! Then the primary is checked, office by office, with `guichet tally`
//! (`booking::verify`): `overbooked` slots hold more persons than their
//! places, `lost` bookings were answered 201 but are not stored,
//! `places_mismatch` slots have a `slot_places.taken` that is not their
//! booked persons. `places_left` is the places the month's lists showed
//! before the crowd, less the bookings stored. CPU (`cpu`): cores used
//! during the crowd by the primary's and the replica's processes (the
//! postmaster and every backend), the two instances, nginx and this
//! generator. The run fails, after its report, on an overbooked slot, a
//! lost booking, a disagreeing slot, a 5xx or a failed request.

mod citizens;
mod cluster;
mod cpu;
mod plan;

use crate::booking::verify;
use crate::earliest::{self, CAPACITY, ZONES};
use crate::report::{ms, print_summary};
use crate::server;
use anyhow::{Context, bail};
use citizens::{Crowd, Office, Results};
use clap::Args;
use futures_util::{StreamExt, stream};
use hdrhistogram::Histogram;
use plan::Plan;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Days of one slot list, the most the API gives at once.
const MONTH_DAYS: i64 = 30;

#[derive(Args, Debug)]
pub struct Options {
    /// Citizens arriving in all.
    #[arg(long, default_value_t = 20_000)]
    citizens: u64,
    /// Seconds they arrive over.
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Bursts, evenly spaced from second 0.
    #[arg(long, default_value_t = 2)]
    bursts: u64,
    /// Citizens of each burst, all within one second.
    #[arg(long, default_value_t = 2_000)]
    burst: u64,
    /// Offices publishing their slots.
    #[arg(long, default_value_t = 150, value_parser = clap::value_parser!(u64).range(1..))]
    offices: u64,
    /// Slot lists each citizen reads before booking.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    reads: u64,
    /// A citizen books one of the first this many free slots it saw.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    choice: u64,
    /// The `guichet` binary to start.
    #[arg(long)]
    bin: Option<String>,
    /// The folder of `guichet-http.conf` and `guichet-locations.conf`
    /// (default: the repository's `deploy/nginx`).
    #[arg(long)]
    nginx_dir: Option<PathBuf>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// CPU of each part of the cluster at one moment.
struct Cpu {
    primary: cpu::Sample,
    replica: cpu::Sample,
    instances: cpu::Sample,
    nginx: cpu::Sample,
    generator: cpu::Sample,
}

impl Cpu {
    fn sample(cluster: &cluster::Cluster) -> anyhow::Result<Self> {
        let instances: Vec<cpu::Sample> = cluster
            .instances
            .iter()
            .map(|i| cpu::of_process(i.pid()))
            .collect();
        Ok(Self {
            primary: cpu::of_tree(cluster.primary.pid()?),
            replica: cpu::of_tree(cluster.replica.pid()?),
            instances: cpu::sum(&instances),
            nginx: cpu::of_tree(cluster.nginx.pid()),
            generator: cpu::of_process(std::process::id()),
        })
    }
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    crate::limits::raise_open_files()?;
    let plan = Plan::new(
        options.citizens,
        options.seconds,
        options.bursts,
        options.burst,
    )?;
    let binary = options.bin.clone().unwrap_or_else(server::default_binary);
    if !std::path::Path::new(&binary).is_file() {
        bail!("no {binary}: build it with `cargo build --release -p guichet`, or pass --bin");
    }
    let nginx_dir = options
        .nginx_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(cluster::NGINX_DIR));
    let cluster = cluster::Cluster::start(&binary, &nginx_dir).await?;
    let client = Crowd::client()?;
    let admin = server::login(&client, &cluster.url, "load-admin").await?;
    let started = Instant::now();
    let offices = options.offices as usize;
    earliest::create_offices(&client, &cluster.url, &admin, offices).await?;
    let publish_s = started.elapsed().as_secs_f64();
    let (offices, places_published) = published(&client, &cluster.url, offices).await?;

    let crowd = Arc::new(Crowd {
        client,
        url: cluster.url.clone(),
        offices,
        reads: options.reads as usize,
        choice: options.choice as usize,
    });
    let load_before = load_average();
    let before = Cpu::sample(&cluster)?;
    let results = citizens::arrive(crowd.clone(), &plan).await;
    let after = Cpu::sample(&cluster)?;
    let load_after = load_average();
    let reads = replica_reads(&crowd.client, &cluster).await;

    let sites: Vec<String> = crowd.offices.iter().map(|o| o.id.clone()).collect();
    let check = check(&binary, &cluster.primary.url(), &sites, &results).await?;
    drop(cluster);

    let booked_201: usize = results.references.values().map(Vec::len).sum();
    let tried: u64 = results.booking_statuses.values().sum();
    let lists: u64 = results.list_statuses.values().sum();
    let percentile = |h: &Option<Histogram<u64>>, q: f64| h.as_ref().map(|h| ms(h, q));
    let max = [
        &results.list_burst,
        &results.list_between,
        &results.booking_burst,
        &results.booking_between,
    ]
    .into_iter()
    .filter_map(|h| percentile(h, 1.0))
    .fold(0.0, f64::max);
    let mut summary = json!({
        "scenario": "window",
        "backend": "postgres+replica",
        "instances": 2,
        "proxy": "nginx",
        "offices": options.offices,
        "citizens": options.citizens,
        "seconds": options.seconds,
        "burst_seconds": plan.bursts,
        "burst_citizens": options.burst,
        "reads_per_citizen": options.reads,
        "publish_s": round(publish_s, 10.0),
        "run_s": round(results.elapsed.as_secs_f64(), 10.0),
        "lists": lists,
        "list_status_counts": results.list_statuses,
        "bookings_tried": tried,
        "booking_status_counts": results.booking_statuses,
        "saw_no_free_slot": results.saw_no_free_slot,
        "booked_201": booked_201,
        "booked_stored": check.booked,
        "places_published": places_published,
        "places_left": places_published - check.booked,
        "overbooked": check.overbooked,
        "lost": check.lost,
        "places_mismatch": check.places_mismatch,
    });
    let figures = json!({
        "unexpected": results.unexpected,
        "server_errors": results.server_errors,
        "transport_errors": results.transport_errors,
        "transport_causes": results.transport_causes,
        "list_burst_p50_ms": percentile(&results.list_burst, 0.5),
        "list_burst_p99_ms": percentile(&results.list_burst, 0.99),
        "list_between_p50_ms": percentile(&results.list_between, 0.5),
        "list_between_p99_ms": percentile(&results.list_between, 0.99),
        "booking_burst_p50_ms": percentile(&results.booking_burst, 0.5),
        "booking_burst_p99_ms": percentile(&results.booking_burst, 0.99),
        "booking_between_p50_ms": percentile(&results.booking_between, 0.5),
        "booking_between_p99_ms": percentile(&results.booking_between, 0.99),
        "max_ms": max,
        "reads_on_replica": reads.replica,
        "reads_on_primary": reads.primary,
        "reads_reused": reads.reused,
        "primary_cpu_cores": after.primary.cores_since(&before.primary),
        "replica_cpu_cores": after.replica.cores_since(&before.replica),
        "instances_cpu_cores": after.instances.cores_since(&before.instances),
        "nginx_cpu_cores": after.nginx.cores_since(&before.nginx),
        "generator_cpu_cores": after.generator.cores_since(&before.generator),
        "load_average_before": load_before,
        "load_average_after": load_after,
    });
    // Two objects: one would pass `json!`'s recursion limit.
    if let (Some(all), Value::Object(figures)) = (summary.as_object_mut(), figures) {
        all.extend(figures);
    }
    print_summary(
        "scenario window on two instances behind nginx, PostgreSQL with a replica",
        &summary,
        options.json,
    );
    check.ensure_sound(results.server_errors, results.transport_errors)?;
    Ok(())
}

fn round(value: f64, scale: f64) -> f64 {
    (value * scale).round() / scale
}

/// The offices as the citizens see them, and the places their month's
/// lists show before anyone books (each list read until it answers 200:
/// the replica may not have the new offices yet).
async fn published(
    client: &reqwest::Client,
    url: &str,
    count: usize,
) -> anyhow::Result<(Vec<Office>, i64)> {
    let mut offices = Vec::with_capacity(count);
    let mut places = 0;
    for n in 0..count {
        let id = format!("office-{n}");
        let today = server::local_today(ZONES[n % ZONES.len()])?;
        let day = |days: i64| today.checked_add(jiff::Span::new().days(days));
        let (later_from, later_to) = (day(15)?, day(MONTH_DAYS)?);
        let month = format!(
            "{url}/api/v1/sites/{id}/services/residence/slots?mode=in_person&from={today}&to={}",
            day(MONTH_DAYS)?
        );
        places += free_places(client, &month).await?;
        offices.push(Office {
            id,
            later: format!("&from={later_from}&to={later_to}"),
        });
    }
    Ok((offices, places))
}

/// The places left in the slot list at `url`, once it answers 200.
async fn free_places(client: &reqwest::Client, url: &str) -> anyhow::Result<i64> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let response = client.get(url).send().await?;
        if response.status().is_success() {
            let list: Value = response.json().await?;
            let slots = list["slots"].as_array().context("no slots in a list")?;
            return Ok(slots.iter().filter_map(|s| s["available"].as_i64()).sum());
        }
        if Instant::now() > deadline {
            bail!("{url}: {}", response.status());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Reads that may go to the replica, as both instances counted them:
/// (served by the replica, served by the primary).
async fn replica_reads(client: &reqwest::Client, cluster: &cluster::Cluster) -> Reads {
    let mut reads = Reads::default();
    for instance in &cluster.instances {
        let url = format!("{}/metrics", instance.url);
        let Ok(response) = client.get(url).send().await else {
            continue;
        };
        let text = response.text().await.unwrap_or_default();
        for line in text.lines() {
            let value = line
                .rsplit(' ')
                .next()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0) as u64;
            if line.starts_with("guichet_replica_reads_reused_total{") {
                reads.reused += value;
            } else if line.starts_with("guichet_replica_reads_total{by=\"replica\"") {
                reads.replica += value;
            } else if line.starts_with("guichet_replica_reads_total{by=\"primary\"") {
                reads.primary += value;
            }
        }
    }
    reads
}

/// The reads that could go to the replica, as the instances count them.
#[derive(Default)]
struct Reads {
    /// Served from the replica's data.
    replica: u64,
    /// Served from the primary's.
    primary: u64,
    /// Of both, those answered with a list read for another caller.
    reused: u64,
}

/// Every office checked on the primary, four `guichet tally` at a time.
async fn check(
    binary: &str,
    database_url: &str,
    sites: &[String],
    results: &Results,
) -> anyhow::Result<verify::Check> {
    let checks: Vec<anyhow::Result<verify::Check>> = stream::iter(sites)
        .map(|site| {
            let references = results.references.get(site).cloned().unwrap_or_default();
            async move { verify::check((binary, database_url), site, &references, CAPACITY).await }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    let mut total = verify::Check {
        booked: 0,
        overbooked: 0,
        places_mismatch: 0,
        lost: 0,
    };
    for check in checks {
        let check = check?;
        total.booked += check.booked;
        total.overbooked += check.overbooked;
        total.places_mismatch += check.places_mismatch;
        total.lost += check.lost;
    }
    Ok(total)
}

/// The machine's load average over the last minute.
fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}
