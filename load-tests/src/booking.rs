//! Scenario `booking`: the flash crowd when a booking window opens.
//!
//! One office (`setup`) with one service of 15-minute slots of 3 places,
//! open Monday to Saturday; the scenario reads its in-person slots for the
//! 30 days from tomorrow. *Burst*: `--burst` bookings (default 2,000)
//! arrive evenly within one second, each on one of the first
//! `--burst-slots` slots (default 5). *Sustained*: bookings arrive at
//! `--rate` per second (default 1,000) for `--duration` seconds, each on a
//! random slot of the month. Both are open loops, and every attempt has its
//! own phone and name. A latency runs from the attempt's intended start, so
//! a stall delays every attempt scheduled behind it and shows in the
//! percentiles; `p50_ms` and `p99_ms` are the sustained phase's.
//!
//! The expected answers are 201 and 409 `slot_full`; `errors` counts every
//! other one, 5xx (`server_errors`) and failed requests (`transport_errors`)
//! included. Once the server has stopped, the database is checked
//! (`verify`): `overbooked` slots hold more persons than their places,
//! `lost` bookings were answered 201 but are not stored, `places_mismatch`
//! slots have a `slot_places.taken` that is not their booked persons. The
//! run fails, after its report, on any of these, a 5xx or a failed request.
//! Last, the month's slot list is read 200 times in a row
//! (`slot_list_month_p50_ms`, `…_p99_ms`).

mod setup;
pub mod verify;

use crate::report::{histogram, ms, print_summary, record};
use crate::server;
use anyhow::bail;
use clap::Args;
use hdrhistogram::Histogram;
use rand::Rng;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// No attempt waits longer than this for its answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Unexpected answers described on stderr, at most.
const SHOWN_ERRORS: u64 = 5;
/// Timed reads of the month's slot list, after the bookings.
const SLOT_LISTS: usize = 200;
/// Attempts that can each have their own phone number.
const PHONES: u64 = 100_000_000;

#[derive(Args, Debug)]
pub struct Options {
    /// Bookings of the burst, all within one second.
    #[arg(long, default_value_t = 2000)]
    burst: u64,
    /// The first slots the burst aims at.
    #[arg(long, default_value_t = 5)]
    burst_slots: usize,
    /// Bookings per second of the sustained phase.
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    /// Seconds of the sustained phase.
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

struct Run {
    client: reqwest::Client,
    url: String,
    /// Slot starts, exactly as the slot list writes them.
    slots: Vec<String>,
}

/// What one attempt got.
enum Outcome {
    Answer {
        status: u16,
        code: Option<String>,
        reference: Option<String>,
    },
    Transport(String),
}

/// The answers of both phases, counted.
#[derive(Default)]
struct Tally {
    statuses: BTreeMap<String, u64>,
    /// The references of the 201 answers.
    references: Vec<String>,
    errors: u64,
    server_errors: u64,
    transport_errors: u64,
}

impl Tally {
    fn add(&mut self, outcome: Outcome) {
        let unexpected = match outcome {
            Outcome::Transport(error) => {
                self.transport_errors += 1;
                Some(error)
            }
            Outcome::Answer {
                status,
                code,
                reference,
            } => {
                *self.statuses.entry(status.to_string()).or_default() += 1;
                if status >= 500 {
                    self.server_errors += 1;
                }
                match (status, reference, code.as_deref()) {
                    (201, Some(reference), _) => {
                        self.references.push(reference);
                        None
                    }
                    (409, _, Some("slot_full")) => None,
                    (_, _, code) => Some(format!("{status} {}", code.unwrap_or("(no code)"))),
                }
            }
        };
        if let Some(what) = unexpected {
            if self.errors < SHOWN_ERRORS {
                eprintln!("booking: {what}");
            }
            self.errors += 1;
        }
    }
}

/// One open-loop phase: latencies from each attempt's intended start, and
/// the attempts answered per second from its start to its last answer.
struct Phase {
    latencies: Histogram<u64>,
    per_s: f64,
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    crate::limits::raise_open_files()?;
    let steady_ops = options.rate * options.duration;
    if options.burst_slots == 0 || options.burst + steady_ops > PHONES {
        bail!("--burst-slots must be at least 1, and at most {PHONES} attempts in all");
    }
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
    setup::create_office(&spawned.url).await?;
    let slots = setup::month_of_slots(&spawned.url).await?;
    if slots.len() < options.burst_slots {
        bail!("{} slots, fewer than --burst-slots", slots.len());
    }
    let run = Arc::new(Run {
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .timeout(REQUEST_TIMEOUT)
            .build()?,
        url: spawned.url.clone(),
        slots,
    });
    let mut tally = Tally::default();
    let (burst_ops, burst_slots) = (options.burst, 0..options.burst_slots);
    let burst = open_loop(&run, &mut tally, 0..burst_ops, burst_ops, burst_slots).await;
    let steady_range = burst_ops..burst_ops + steady_ops;
    let all_slots = 0..run.slots.len();
    let steady = open_loop(&run, &mut tally, steady_range, options.rate, all_slots).await;
    let lists = setup::time_month_lists(&run.client, &run.url, SLOT_LISTS).await?;
    drop(spawned);

    let check = verify::check(
        (&binary, &database_url),
        setup::SITE,
        &tally.references,
        setup::CAPACITY,
    )
    .await?;
    let round = |per_s: f64| (per_s * 10.0).round() / 10.0;
    let summary = json!({
        "scenario": "booking",
        "backend": backend,
        "ops": burst_ops + steady_ops,
        "throughput_per_s": round(steady.per_s),
        "burst_ops": burst_ops,
        "burst_slots": options.burst_slots,
        "burst_per_s": round(burst.per_s),
        "burst_p50_ms": ms(&burst.latencies, 0.5),
        "burst_p99_ms": ms(&burst.latencies, 0.99),
        "burst_max_ms": ms(&burst.latencies, 1.0),
        "steady_rate_per_s": options.rate,
        "steady_ops": steady_ops,
        "p50_ms": ms(&steady.latencies, 0.5),
        "p99_ms": ms(&steady.latencies, 0.99),
        "max_ms": ms(&steady.latencies, 1.0),
        "slot_list_month_p50_ms": ms(&lists, 0.5),
        "slot_list_month_p99_ms": ms(&lists, 0.99),
        "status_counts": tally.statuses,
        "errors": tally.errors,
        "server_errors": tally.server_errors,
        "transport_errors": tally.transport_errors,
        "slots": run.slots.len(),
        "places": run.slots.len() as i64 * setup::CAPACITY,
        "booked": check.booked,
        "overbooked": check.overbooked,
        "lost": check.lost,
        "places_mismatch": check.places_mismatch,
    });
    print_summary(
        &format!("scenario booking on {backend}"),
        &summary,
        options.json,
    );
    check.ensure_sound(tally.server_errors, tally.transport_errors)?;
    Ok(())
}

/// Attempts `attempts` (their numbers give their phones), evenly at `rate`
/// per second, each on a random slot of `slots`.
async fn open_loop(
    run: &Arc<Run>,
    tally: &mut Tally,
    attempts: Range<u64>,
    rate: u64,
    slots: Range<usize>,
) -> Phase {
    let interval = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
    let start = Instant::now();
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    for (i, n) in attempts.enumerate() {
        let intended = start + interval * i as u32;
        tokio::time::sleep_until(intended.into()).await;
        let slot = rand::rng().random_range(slots.clone());
        let run = run.clone();
        let sender = sender.clone();
        tokio::spawn(async move {
            let outcome = attempt(&run, n, slot).await;
            let _ = sender.send((intended, Instant::now(), outcome));
        });
    }
    drop(sender);
    let mut latencies = histogram();
    let mut last = start;
    while let Some((intended, answered, outcome)) = receiver.recv().await {
        record(&mut latencies, answered - intended);
        last = last.max(answered);
        tally.add(outcome);
    }
    let seconds = (last - start).as_secs_f64().max(1e-6);
    Phase {
        per_s: latencies.len() as f64 / seconds,
        latencies,
    }
}

/// Books `slot` for the citizen of attempt `n`.
async fn attempt(run: &Run, n: u64, slot: usize) -> Outcome {
    let body = json!({"service": setup::SERVICE, "mode": "in_person", "start": run.slots[slot],
        "name": format!("Client {n}"), "phone": phone(n)});
    let url = format!("{}/api/v1/sites/{}/appointments", run.url, setup::SITE);
    let request = run.client.post(url).json(&body);
    let request = request.header("X-Forwarded-For", crate::server::citizen_address(n));
    let response = match request.send().await {
        Ok(response) => response,
        Err(error) => return Outcome::Transport(error.to_string()),
    };
    let status = response.status().as_u16();
    let answer: Value = match response.bytes().await {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        Err(error) => return Outcome::Transport(error.to_string()),
    };
    Outcome::Answer {
        status,
        code: answer["error"]["code"].as_str().map(str::to_owned),
        reference: answer["reference"].as_str().map(str::to_owned),
    }
}

/// The phone of attempt `n` (below `PHONES`): `+2126` and 8 digits.
pub fn phone(n: u64) -> String {
    format!("+2126{:08}", n % PHONES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_distinct_and_in_e164() {
        for n in [0, 1, 12_345_678, PHONES - 1] {
            let written = phone(n);
            assert_eq!(written.len(), 13);
            // E.164 as the server keeps it: `+`, then digits only, so
            // each attempt stays one phone.
            assert!(written.starts_with("+2126"));
            assert!(written[1..].bytes().all(|b| b.is_ascii_digit()));
        }
        assert_eq!(phone(12_345_678), "+212612345678");
        assert_ne!(phone(1), phone(10));
    }
}
