//! PostgreSQL's own counters for a run: the CPU time of its processes and
//! of the server, and the statements `pg_stat_statements` saw.

use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::HashMap;

/// The processes whose CPU time a run adds up: the backends serving the
/// run's database (not the one reading the counters) and PostgreSQL's
/// background writers, which other databases of the cluster share; and
/// the server's threads.
pub struct Cpu {
    server: u32,
}

/// CPU time so far, in nanoseconds, by process.
pub struct CpuTime {
    backends: HashMap<u32, u64>,
    background: HashMap<u32, u64>,
    server: u64,
}

/// CPU time between two readings, in nanoseconds.
#[derive(Default)]
pub struct CpuSpent {
    pub backends: u64,
    pub background: u64,
    pub server: u64,
}

const BACKGROUND: &str = "('walwriter', 'checkpointer', 'background writer', 'autovacuum worker')";

impl Cpu {
    /// Checks that PostgreSQL runs on this machine (its backends are in
    /// `/proc`).
    pub async fn of_postgres(pool: &PgPool, server: u32) -> anyhow::Result<Self> {
        let (backend,): (i32,) = sqlx::query_as("SELECT pg_backend_pid()")
            .fetch_one(pool)
            .await?;
        if cpu_ns(backend as u32) == 0 {
            anyhow::bail!("PostgreSQL must run on this machine to read its CPU time");
        }
        Ok(Self { server })
    }

    pub async fn read(&self, pool: &PgPool) -> anyhow::Result<CpuTime> {
        let processes: Vec<(i32, bool)> = sqlx::query_as(&format!(
            "SELECT pid, backend_type IN {BACKGROUND} FROM pg_stat_activity
             WHERE pid <> pg_backend_pid()
               AND (datname = current_database() OR backend_type IN {BACKGROUND})"
        ))
        .fetch_all(pool)
        .await?;
        let (mut backends, mut background) = (HashMap::new(), HashMap::new());
        for (pid, shared) in processes {
            let pid = pid as u32;
            let into = if shared {
                &mut background
            } else {
                &mut backends
            };
            into.insert(pid, cpu_ns(pid));
        }
        let threads = std::fs::read_dir(format!("/proc/{}/task", self.server))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok());
        let server = threads
            .map(|task| cpu_ns_at(&format!("/proc/{}/task/{task}/schedstat", self.server)))
            .sum();
        Ok(CpuTime {
            backends,
            background,
            server,
        })
    }
}

impl CpuTime {
    /// What was spent since `before`; a process started since counts from
    /// its start.
    pub fn since(&self, before: &CpuTime) -> CpuSpent {
        let spent = |now: &HashMap<u32, u64>, was: &HashMap<u32, u64>| {
            now.iter()
                .map(|(pid, ns)| ns.saturating_sub(was.get(pid).copied().unwrap_or(0)))
                .sum()
        };
        CpuSpent {
            backends: spent(&self.backends, &before.backends),
            background: spent(&self.background, &before.background),
            server: self.server.saturating_sub(before.server),
        }
    }
}

/// The time a process has spent on a CPU (the first field of `schedstat`).
fn cpu_ns(pid: u32) -> u64 {
    cpu_ns_at(&format!("/proc/{pid}/schedstat"))
}

fn cpu_ns_at(path: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// One statement's counters.
#[derive(Clone, Copy, Default)]
pub struct Counters {
    calls: i64,
    plan_ms: f64,
    exec_ms: f64,
    wal_bytes: f64,
    rows: i64,
}

/// Statements by their text, as `pg_stat_statements` normalizes it.
#[derive(Default)]
pub struct Statements {
    enabled: bool,
    totals: HashMap<String, Counters>,
}

/// A snapshot of `pg_stat_statements` for this database.
pub type Snapshot = HashMap<String, Counters>;

impl Statements {
    /// Creates the extension in the run's database if PostgreSQL loads it
    /// (`shared_preload_libraries`); disabled otherwise.
    pub async fn enable(pool: &PgPool) -> Self {
        let loaded = sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            .execute(pool)
            .await
            .is_ok()
            && sqlx::query("SELECT 1 FROM pg_stat_statements LIMIT 1")
                .execute(pool)
                .await
                .is_ok();
        if !loaded {
            eprintln!("pg_stat_statements is not loaded (shared_preload_libraries): CPU time only");
        }
        Self {
            enabled: loaded,
            totals: HashMap::new(),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub async fn snapshot(&self, pool: &PgPool) -> Snapshot {
        if !self.enabled {
            return Snapshot::new();
        }
        let rows: Vec<(String, i64, f64, f64, f64, i64)> = sqlx::query_as(
            "SELECT query, calls, total_plan_time, total_exec_time, wal_bytes::float8, rows
             FROM pg_stat_statements
             WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND query NOT LIKE '%pg_stat_statements%'
               AND query NOT LIKE '%pg_stat_activity%'",
        )
        .fetch_all(pool)
        .await
        .unwrap_or_default();
        let mut snapshot = Snapshot::new();
        for (query, calls, plan_ms, exec_ms, wal_bytes, rows) in rows {
            let entry = snapshot.entry(query).or_default();
            entry.calls += calls;
            entry.plan_ms += plan_ms;
            entry.exec_ms += exec_ms;
            entry.wal_bytes += wal_bytes;
            entry.rows += rows;
        }
        snapshot
    }

    /// Adds what ran between two snapshots.
    pub fn add_difference(&mut self, before: &Snapshot, after: &Snapshot) {
        for (query, now) in after {
            let was = before.get(query).copied().unwrap_or_default();
            let total = self.totals.entry(query.clone()).or_default();
            total.calls += now.calls - was.calls;
            total.plan_ms += now.plan_ms - was.plan_ms;
            total.exec_ms += now.exec_ms - was.exec_ms;
            total.wal_bytes += now.wal_bytes - was.wal_bytes;
            total.rows += now.rows - was.rows;
        }
    }

    /// Per operation: statements run, time executing, WAL, and the
    /// statements one by one, busiest first.
    pub fn per_op(&self, ops: u64) -> Value {
        let ops = ops.max(1) as f64;
        let round = |x: f64| (x * 10.0).round() / 10.0;
        let mut each: Vec<(&String, &Counters)> =
            self.totals.iter().filter(|(_, c)| c.calls > 0).collect();
        each.sort_by(|a, b| b.1.exec_ms.total_cmp(&a.1.exec_ms));
        let sum = |f: fn(&Counters) -> f64| self.totals.values().map(f).sum::<f64>();
        json!({
            "calls": round(sum(|c| c.calls as f64) / ops),
            "plan_us": round(sum(|c| c.plan_ms) * 1000.0 / ops),
            "exec_us": round(sum(|c| c.exec_ms) * 1000.0 / ops),
            "wal_bytes": round(sum(|c| c.wal_bytes) / ops),
            "each": each.iter().map(|(query, c)| json!({
                "query": query.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(160).collect::<String>(),
                "calls": round(c.calls as f64 / ops),
                "plan_us": round(c.plan_ms * 1000.0 / ops),
                "exec_us": round(c.exec_ms * 1000.0 / ops),
                "wal_bytes": round(c.wal_bytes / ops),
                "rows": round(c.rows as f64 / ops),
            })).collect::<Vec<_>>(),
        })
    }
}
