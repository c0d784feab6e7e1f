//! Scenario `stats`: the statistics of a year of one busy office.
//!
//! One office (Casablanca, 4 services, 8 agents) is created through the
//! API; `guichet seed` then writes straight into the database `--days`
//! working days (default 300, Monday to Saturday, ending yesterday) of
//! `--tickets` tickets a day (default 400) with their whole lifecycle, 40
//! appointments, 30 document requests with their history, feedback and a
//! complaint a day.
//! With the server running, `GET /api/v1/sites/{site}/stats` is timed
//! `--repeat` times (default 20) for the whole range, and as many times for
//! the last 30 days, one request at a time; each answer must be a 200 whose
//! totals count every ticket written in its range.

use crate::report::{histogram, ms, print_summary, record};
use crate::server;
use anyhow::{Context, bail};
use clap::Args;
use hdrhistogram::Histogram;
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde_json::{Value, json};
use std::time::Instant;

const SITE: &str = "busy";
const TIMEZONE: &str = "Africa/Casablanca";
const SERVICES: [&str; 4] = ["residence", "signature", "naissance", "mariage"];

#[derive(Args, Debug)]
pub struct Options {
    /// Working days of data, ending yesterday.
    #[arg(long, default_value_t = 300)]
    days: usize,
    /// Tickets a day.
    #[arg(long, default_value_t = 400)]
    tickets: usize,
    /// Timed requests for each range.
    #[arg(long, default_value_t = 20)]
    repeat: usize,
    /// A fresh database to use (`postgres://…`, or `sqlite://…` to keep the
    /// file); SQLite in a temporary file otherwise.
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
        Some(url) if url.starts_with("sqlite:") => (url.clone(), "sqlite"),
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
    let admin = server::login(&client, &spawned.url, "load-admin").await?;
    create_office(&client, &spawned.url, &admin).await?;

    let today = server::local_today(TIMEZONE)?;
    let days = working_days(today, options.days)?;
    let started = Instant::now();
    let (count, tickets) = (options.days.to_string(), options.tickets.to_string());
    let args = [
        "seed",
        SITE,
        "--days",
        &count,
        "--tickets",
        &tickets,
        "--appointments",
        "40",
        "--requests",
        "30",
        "--agents",
        "8",
    ];
    let seeded = server::operator(&binary, &database_url, &args, "").await?;
    let generate_s = started.elapsed().as_secs_f64();
    let written: Value = serde_json::from_str(&seeded).context("reading what `seed` wrote")?;
    let count = |name: &str| written[name].as_u64().unwrap_or(0) as usize;

    let (first, last) = match (days.first(), days.last()) {
        (Some(first), Some(last)) => (*first, *last),
        _ => bail!("no days to generate"),
    };
    if written["first_day"] != first.to_string() || written["last_day"] != last.to_string() {
        bail!(
            "`seed` wrote {} to {}, not {first} to {last}",
            written["first_day"],
            written["last_day"]
        );
    }
    let month_from = last.checked_sub(29.days())?;
    let month_tickets = days.iter().filter(|d| **d >= month_from).count() * options.tickets;
    let year = time(
        &client,
        &spawned.url,
        &admin,
        first,
        last,
        options.repeat,
        count("tickets"),
    )
    .await?;
    let month = time(
        &client,
        &spawned.url,
        &admin,
        month_from,
        last,
        options.repeat,
        month_tickets,
    )
    .await?;
    let rss_kib = spawned.rss_kib().unwrap_or(0);
    drop(spawned);

    let summary = json!({
        "scenario": "stats",
        "backend": backend,
        "days": days.len(),
        "range_days": (last - first).get_days() + 1,
        "tickets": count("tickets"),
        "appointments": count("appointments"),
        "requests": count("requests"),
        "feedback": count("feedback"),
        "complaints": count("complaints"),
        "generate_s": (generate_s * 10.0).round() / 10.0,
        "repeat": options.repeat,
        "year_p50_ms": ms(&year, 0.5),
        "year_p90_ms": ms(&year, 0.9),
        "year_max_ms": ms(&year, 1.0),
        "month_p50_ms": ms(&month, 0.5),
        "month_p90_ms": ms(&month, 0.9),
        "month_max_ms": ms(&month, 1.0),
        "server_rss_kib": rss_kib,
    });
    print_summary(
        &format!("scenario stats on {backend}"),
        &summary,
        options.json,
    );
    Ok(())
}

/// The `count` working days (Monday to Saturday) before `today`, oldest first.
fn working_days(today: Date, count: usize) -> anyhow::Result<Vec<Date>> {
    let mut days = Vec::with_capacity(count);
    let mut day = today.yesterday()?;
    while days.len() < count {
        if day.weekday() != Weekday::Sunday {
            days.push(day);
        }
        day = day.yesterday()?;
    }
    days.reverse();
    Ok(days)
}

async fn create_office(client: &reqwest::Client, url: &str, admin: &str) -> anyhow::Result<()> {
    let day = json!([["08:30", "16:30"]]);
    let hours: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat"]
        .iter()
        .map(|d| ((*d).to_owned(), day.clone()))
        .collect();
    let site = json!({"id": SITE, "name": "Annexe très fréquentée", "timezone": TIMEZONE, "opening_hours": hours});
    server::post(client, url, admin, "/api/v1/sites", site).await?;
    for (i, service) in SERVICES.iter().enumerate() {
        let prefix = ((b'A' + i as u8) as char).to_string();
        let body = json!({"id": service, "prefix": prefix, "name": service, "service_minutes": 8, "processing_days": 2});
        server::post(
            client,
            url,
            admin,
            &format!("/api/v1/sites/{SITE}/services"),
            body,
        )
        .await?;
    }
    Ok(())
}

/// Times `repeat` statistics requests for `from..=to`, one at a time.
async fn time(
    client: &reqwest::Client,
    url: &str,
    admin: &str,
    from: Date,
    to: Date,
    repeat: usize,
    tickets: usize,
) -> anyhow::Result<Histogram<u64>> {
    let mut latencies = histogram();
    let path = format!("{url}/api/v1/sites/{SITE}/stats?from={from}&to={to}");
    for _ in 0..repeat {
        let started = Instant::now();
        let response = client.get(&path).bearer_auth(admin).send().await?;
        let status = response.status();
        let body: Value = response.json().await.context("reading the statistics")?;
        record(&mut latencies, started.elapsed());
        if !status.is_success() {
            bail!("{path}: {status} {body}");
        }
        let issued = body["totals"]["issued"].as_u64().unwrap_or(0);
        if issued != tickets as u64 {
            bail!("{from}..{to}: {issued} tickets counted, {tickets} written");
        }
    }
    Ok(latencies)
}
