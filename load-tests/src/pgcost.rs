//! Scenario `pgcost`: what each queue operation costs PostgreSQL.
//!
//! Offices get a queue of tickets (the *issue* kind), then every counter
//! calls, starts and completes tickets in rounds, one kind at a time across
//! all counters, so each batch is of one kind only. Around each batch the
//! CPU time of PostgreSQL's processes (the backends, the WAL writer, the
//! checkpointer…) and of the `guichet` server is read from `schedstat` in
//! `/proc` (nanoseconds), and, when PostgreSQL loads
//! `pg_stat_statements`, the statements it ran (`calls`, execution time,
//! WAL bytes). The snapshots are taken between batches, so their own cost
//! is not counted. The generator must run on the database's machine.

use crate::pgstat::{Cpu, CpuSpent, Statements};
use crate::report::print_row;
use crate::server::{self, Office};
use clap::Args;
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Args, Debug)]
pub struct Options {
    /// A fresh PostgreSQL database to use (`postgres://…`).
    #[arg(long)]
    database_url: String,
    /// Offices.
    #[arg(long, default_value_t = 20)]
    sites: usize,
    /// Open counters per office.
    #[arg(long, default_value_t = 3)]
    counters: usize,
    /// Rounds of call, start and complete at every counter.
    #[arg(long, default_value_t = 30)]
    rounds: usize,
    /// The `guichet` binary to start.
    #[arg(long)]
    bin: Option<String>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// The four kinds measured, in the order they run.
const KINDS: [&str; 4] = ["issue", "call", "start", "complete"];

/// What one kind cost over all its batches.
#[derive(Default)]
struct Cost {
    ops: u64,
    cpu: CpuSpent,
    statements: Statements,
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    let binary = options.bin.clone().unwrap_or_else(server::default_binary);
    let url = &options.database_url;
    server::create_admin(&binary, url).await?;
    let spawned = server::spawn(&binary, url, &[]).await?;
    let offices = server::create_offices(
        &spawned.url,
        (&binary, url),
        options.sites,
        options.counters,
    )
    .await?;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?;
    let cpu = Cpu::of_postgres(&pool, spawned.pid()).await?;
    let statements = Statements::enable(&pool).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let desks: Vec<(&Office, &(String, String))> = offices
        .iter()
        .flat_map(|o| o.counters.iter().map(move |c| (o, c)))
        .collect();

    let mut costs: BTreeMap<&str, Cost> = BTreeMap::new();
    let mut errors = 0u64;
    let tickets = options.rounds * options.counters;
    for _ in 0..tickets {
        let requests = offices.iter().map(|office| {
            let request = client
                .post(format!(
                    "{}/api/v1/sites/{}/tickets",
                    spawned.url, office.id
                ))
                .bearer_auth(&office.kiosk)
                .json(&json!({"service": "residence"}));
            async move { (request.send().await, StatusCode::CREATED) }
        });
        errors += measure(
            &cpu,
            &statements,
            &pool,
            costs.entry("issue").or_default(),
            requests,
        )
        .await;
    }
    for _ in 0..options.rounds {
        let calls = desks.iter().map(|(_, (counter, token))| {
            let request = client
                .post(format!(
                    "{}/api/v1/counters/{counter}/call-next",
                    spawned.url
                ))
                .bearer_auth(token)
                .json(&json!({}));
            async move { (request.send().await, StatusCode::OK) }
        });
        let (called, failed) = measure_answers(
            &cpu,
            &statements,
            &pool,
            costs.entry("call").or_default(),
            calls,
        )
        .await;
        errors += failed;
        for kind in ["start", "complete"] {
            let steps = desks.iter().zip(&called).map(|((_, (_, token)), ticket)| {
                let request = client
                    .post(format!("{}/api/v1/tickets/{ticket}/{kind}", spawned.url))
                    .bearer_auth(token)
                    .json(&json!({}));
                async move { (request.send().await, StatusCode::OK) }
            });
            errors += measure(
                &cpu,
                &statements,
                &pool,
                costs.entry(kind).or_default(),
                steps,
            )
            .await;
        }
    }
    drop(spawned);

    let per_kind: serde_json::Map<String, Value> = KINDS
        .iter()
        .map(|kind| {
            let cost = costs.remove(kind).unwrap_or_default();
            ((*kind).to_owned(), summary(&cost))
        })
        .collect();
    let result = json!({
        "scenario": "pgcost",
        "sites": options.sites,
        "counters_per_site": options.counters,
        "errors": errors,
        "pg_stat_statements": statements.enabled(),
        "kinds": per_kind,
    });
    if options.json {
        println!("{result}");
    } else {
        println!("scenario pgcost (per operation)");
        for (kind, figures) in per_kind_rows(&result) {
            print_row(&kind, figures);
        }
    }
    Ok(())
}

/// Runs one batch of requests of one kind at once and adds its cost;
/// returns how many answers were not the expected status.
async fn measure<F>(
    cpu: &Cpu,
    statements: &Statements,
    pool: &sqlx::PgPool,
    cost: &mut Cost,
    requests: impl Iterator<Item = F>,
) -> u64
where
    F: Future<Output = (reqwest::Result<reqwest::Response>, StatusCode)>,
{
    measure_answers(cpu, statements, pool, cost, requests)
        .await
        .1
}

/// `measure`, with the ids of the tickets the answers hold, in the order
/// of the requests (empty for a failed one).
async fn measure_answers<F>(
    cpu: &Cpu,
    statements: &Statements,
    pool: &sqlx::PgPool,
    cost: &mut Cost,
    requests: impl Iterator<Item = F>,
) -> (Vec<String>, u64)
where
    F: Future<Output = (reqwest::Result<reqwest::Response>, StatusCode)>,
{
    let before_statements = statements.snapshot(pool).await;
    let before = cpu.read(pool).await;
    let answers = join_all(requests).await;
    let after = cpu.read(pool).await;
    let after_statements = statements.snapshot(pool).await;
    cost.ops += answers.len() as u64;
    if let (Ok(before), Ok(after)) = (before, after) {
        let spent = after.since(&before);
        cost.cpu.backends += spent.backends;
        cost.cpu.background += spent.background;
        cost.cpu.server += spent.server;
    }
    cost.statements
        .add_difference(&before_statements, &after_statements);
    let mut ids = Vec::new();
    let mut failed = 0;
    for (answer, expected) in answers {
        match answer {
            Ok(response) if response.status() == expected => {
                let body: Value = response.json().await.unwrap_or(Value::Null);
                ids.push(body["id"].as_str().unwrap_or_default().to_owned());
            }
            Ok(response) => {
                eprintln!("unexpected {}", response.status());
                failed += 1;
                ids.push(String::new());
            }
            Err(error) => {
                eprintln!("no answer: {error}");
                failed += 1;
                ids.push(String::new());
            }
        }
    }
    (ids, failed)
}

fn summary(cost: &Cost) -> Value {
    let ops = cost.ops.max(1) as f64;
    let per_op = |ns: u64| (ns as f64 / ops / 100.0).round() / 10.0;
    json!({
        "ops": cost.ops,
        "backends_cpu_us": per_op(cost.cpu.backends),
        "background_cpu_us": per_op(cost.cpu.background),
        "server_cpu_us": per_op(cost.cpu.server),
        "statements": cost.statements.per_op(cost.ops),
    })
}

fn per_kind_rows(result: &Value) -> Vec<(String, String)> {
    KINDS
        .iter()
        .map(|kind| {
            let k = &result["kinds"][kind];
            let figures = format!(
                "{} ops, PostgreSQL backends {} µs CPU (+ background {}), server {} µs CPU, {} statements, {} µs executing, {} WAL bytes",
                k["ops"],
                k["backends_cpu_us"],
                k["background_cpu_us"],
                k["server_cpu_us"],
                k["statements"]["calls"],
                k["statements"]["exec_us"],
                k["statements"]["wal_bytes"],
            );
            ((*kind).to_owned(), figures)
        })
        .collect()
}
