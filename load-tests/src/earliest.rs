//! Scenario `earliest`: the earliest slot anywhere over many offices.
//!
//! `--offices` offices (default 150) are created through the API in three
//! timezones (Africa/Casablanca, Europe/Paris, Atlantic/Canary), in ten
//! cities with positions, each open Monday to Saturday 08:30–16:30 with a
//! service of the kind `certificat-residence` (15-minute slots of 2 places,
//! an hour's notice) and one of another kind. The first free slot of every
//! office is then booked full (two bookings, each from its own address),
//! so the search must skip it. `--requests` searches (default 3,000) then
//! run, `--concurrency` at a time (default 4), each from its own client
//! address, going round three shapes: earliest first, nearest a city, and
//! nearest a position. Each answer must be a 200 listing 5 offices, none of
//! them with a slot that was booked full; the run fails otherwise. The
//! latency percentiles cover every search; the answers are read within the
//! server's 2-second cache of offerings and across its refreshes.

use crate::report::{histogram, ms, print_summary, record};
use crate::server;
use anyhow::{Context, bail};
use clap::Args;
use futures_util::StreamExt;
use futures_util::stream;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

const KIND: &str = "certificat-residence";
/// Places in each slot of the `residence` service.
pub const CAPACITY: i64 = 2;
pub const ZONES: [&str; 3] = ["Africa/Casablanca", "Europe/Paris", "Atlantic/Canary"];
const CITIES: [(&str, f64, f64); 10] = [
    ("Casablanca", 33.5731, -7.5898),
    ("Rabat", 34.0209, -6.8416),
    ("Salé", 34.0531, -6.7986),
    ("Fès", 34.0331, -5.0003),
    ("Marrakech", 31.6295, -7.9811),
    ("Tanger", 35.7595, -5.8340),
    ("Agadir", 30.4278, -9.5981),
    ("Oujda", 34.6814, -1.9086),
    ("Paris", 48.8566, 2.3522),
    ("Las Palmas", 28.1235, -15.4363),
];

#[derive(Args, Debug)]
pub struct Options {
    /// Offices offering the kind.
    #[arg(long, default_value_t = 150)]
    offices: usize,
    /// Timed searches.
    #[arg(long, default_value_t = 3000)]
    requests: usize,
    /// Searches in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
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
    let client = reqwest::Client::new();
    let url = spawned.url.clone();
    let admin = server::login(&client, &url, "load-admin").await?;
    let started = Instant::now();
    create_offices(&client, &url, &admin, options.offices).await?;
    let full = book_first_slots(&client, &url, options.offices).await?;
    let setup_s = started.elapsed().as_secs_f64();

    let queries = [
        format!("service={KIND}"),
        format!("service={KIND}&near=casablanca"),
        format!("service={KIND}&near=34.02,-6.84"),
    ];
    let full = Arc::new(full);
    let started = Instant::now();
    let answers: Vec<anyhow::Result<std::time::Duration>> = stream::iter(0..options.requests)
        .map(|n| {
            let (client, url, full) = (client.clone(), url.clone(), full.clone());
            let query = queries[n % queries.len()].clone();
            async move { search(&client, &url, &query, n as u64, &full).await }
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;
    let elapsed = started.elapsed().as_secs_f64();
    let mut latencies = histogram();
    for answer in answers {
        record(&mut latencies, answer?);
    }
    let rss_kib = spawned.rss_kib().unwrap_or(0);
    drop(spawned);

    let summary = json!({
        "scenario": "earliest",
        "backend": backend,
        "offices": options.offices,
        "timezones": ZONES.len(),
        "slots_booked_full": full.len(),
        "setup_s": (setup_s * 10.0).round() / 10.0,
        "requests": options.requests,
        "concurrency": options.concurrency,
        "per_s": (options.requests as f64 / elapsed).round(),
        "p50_ms": ms(&latencies, 0.5),
        "p90_ms": ms(&latencies, 0.9),
        "p99_ms": ms(&latencies, 0.99),
        "max_ms": ms(&latencies, 1.0),
        "server_rss_kib": rss_kib,
    });
    print_summary(
        &format!("scenario earliest on {backend}"),
        &summary,
        options.json,
    );
    Ok(())
}

/// Creates offices `office-0` … as described above, with the API and `admin`'s token.
pub async fn create_offices(
    client: &reqwest::Client,
    url: &str,
    admin: &str,
    count: usize,
) -> anyhow::Result<()> {
    let day = json!([["08:30", "16:30"]]);
    let hours: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat"]
        .iter()
        .map(|d| ((*d).to_owned(), day.clone()))
        .collect();
    for n in 0..count {
        let id = format!("office-{n}");
        let (city, lat, lon) = CITIES[n % CITIES.len()];
        // Spread an office's position around its city's centre, ±0.05°.
        let spread = |k: usize| ((n * 7 + k * 13) % 11) as f64 / 100.0 - 0.05;
        let site = json!({"id": id, "name": format!("Annexe {n}"), "timezone": ZONES[n % ZONES.len()],
            "opening_hours": hours, "verify_phone": false, "city": city,
            "latitude": lat + spread(1), "longitude": lon + spread(2)});
        server::post(client, url, admin, "/api/v1/sites", site).await?;
        let services = [
            json!({"id": "residence", "prefix": "A", "name": "Certificat de résidence",
                "kind": KIND, "appointment_modes": ["in_person"], "slot_minutes": 15,
                "slot_capacity": CAPACITY, "min_notice_minutes": 60}),
            json!({"id": "copies", "prefix": "C", "name": "Copie conforme",
                "kind": "copie-conforme", "appointment_modes": ["in_person"], "slot_capacity": 2}),
        ];
        for service in services {
            let path = format!("/api/v1/sites/{id}/services");
            server::post(client, url, admin, &path, service).await?;
        }
    }
    Ok(())
}

/// Books every office's first free slot full; returns `site start` of each.
async fn book_first_slots(
    client: &reqwest::Client,
    url: &str,
    count: usize,
) -> anyhow::Result<HashSet<String>> {
    let mut full = HashSet::new();
    for n in 0..count {
        let site = format!("office-{n}");
        let path = format!("{url}/api/v1/sites/{site}/services/residence/slots");
        let list: Value = client
            .get(&path)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let start = list["slots"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["available"] == 2))
            .and_then(|s| s["start"].as_str())
            .with_context(|| format!("{site} has no free slot"))?
            .to_owned();
        for person in 0..2u64 {
            let citizen = n as u64 * 2 + person;
            let body = json!({"service": "residence", "name": "Citoyen", "start": start,
                "phone": format!("+2126{:08}", citizen)});
            let response = client
                .post(format!("{url}/api/v1/sites/{site}/appointments"))
                .header(
                    "X-Forwarded-For",
                    server::citizen_address(1_000_000 + citizen),
                )
                .json(&body)
                .send()
                .await?;
            if response.status() != reqwest::StatusCode::CREATED {
                bail!("booking {site} {start}: {}", response.text().await?);
            }
        }
        full.insert(format!("{site} {start}"));
    }
    Ok(full)
}

/// One search from citizen `n`'s address, checked.
async fn search(
    client: &reqwest::Client,
    url: &str,
    query: &str,
    n: u64,
    full: &HashSet<String>,
) -> anyhow::Result<std::time::Duration> {
    let started = Instant::now();
    let response = client
        .get(format!("{url}/api/v1/slots/earliest?{query}"))
        .header("X-Forwarded-For", server::citizen_address(n))
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await.context("reading a search")?;
    let latency = started.elapsed();
    if !status.is_success() {
        bail!("{query}: {status} {body}");
    }
    let offices = body["offices"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if offices.len() != 5 {
        bail!("{query}: {} offices listed, not 5", offices.len());
    }
    for office in offices {
        for slot in office["slots"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let key = format!(
                "{} {}",
                office["site"].as_str().unwrap_or(""),
                slot["start"].as_str().unwrap_or("")
            );
            if full.contains(&key) {
                bail!("{query}: the full slot {key} is listed");
            }
        }
    }
    Ok(latency)
}
