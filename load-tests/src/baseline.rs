//! The physical limit the service is compared with: the per-ticket
//! transaction (number bump, ticket insert, sequence bump, event insert)
//! with no HTTP and no application — through SQLite's C library on one
//! thread, or through a plain PostgreSQL client over as many connections as
//! the saturation phase has clients.

use std::time::{Duration, Instant};

const SCHEMA: &str = "
CREATE TABLE ticket_numbers (site_id TEXT, service_id TEXT, local_day TEXT, last_number BIGINT NOT NULL,
    PRIMARY KEY (site_id, service_id, local_day));
CREATE TABLE tickets (id TEXT PRIMARY KEY, site_id TEXT NOT NULL, service_id TEXT NOT NULL,
    local_day TEXT NOT NULL, number TEXT NOT NULL, status TEXT NOT NULL, issued_at BIGINT NOT NULL,
    UNIQUE (site_id, service_id, local_day, number));
CREATE TABLE site_sequences (site_id TEXT PRIMARY KEY, last_seq BIGINT NOT NULL);
CREATE TABLE site_events (site_id TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL,
    at BIGINT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (site_id, seq));";

const BUMP: &str = "INSERT INTO ticket_numbers VALUES ($1, 'residence', '2026-11-23', 1)
    ON CONFLICT (site_id, service_id, local_day) DO UPDATE SET last_number = ticket_numbers.last_number + 1
    RETURNING last_number";
const TICKET: &str =
    "INSERT INTO tickets VALUES ($1, $2, 'residence', '2026-11-23', $3, 'waiting', $4)";
const SEQ: &str = "INSERT INTO site_sequences VALUES ($1, 1)
    ON CONFLICT (site_id) DO UPDATE SET last_seq = site_sequences.last_seq + 1 RETURNING last_seq";
const EVENT: &str =
    "INSERT INTO site_events VALUES ($1, $2, 'ticket.issued', $3, '{\"number\":\"A001\"}')";

/// Transactions per second through SQLite's C library on one thread (WAL,
/// synchronous=NORMAL, as the service runs it).
pub fn sqlite(sites: usize, phase: Duration) -> anyhow::Result<f64> {
    let dir = tempfile::tempdir()?;
    let mut db = rusqlite::Connection::open(dir.path().join("baseline.db"))?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "NORMAL")?;
    db.execute_batch(SCHEMA)?;
    let end = Instant::now() + phase;
    let mut done = 0u64;
    while Instant::now() < end {
        let site = format!("load-{}", done as usize % sites);
        let tx = db.transaction()?;
        let number: i64 = tx.query_row(BUMP, [&site], |r| r.get(0))?;
        tx.execute(
            TICKET,
            rusqlite::params![
                format!("t{done}"),
                site,
                format!("A{number:03}"),
                done as i64
            ],
        )?;
        let seq: i64 = tx.query_row(SEQ, [&site], |r| r.get(0))?;
        tx.execute(EVENT, rusqlite::params![site, seq, done as i64])?;
        tx.commit()?;
        done += 1;
    }
    Ok(done as f64 / phase.as_secs_f64())
}

/// Transactions per second from `clients` plain connections to a fresh
/// schema in the given PostgreSQL database.
pub async fn postgres(
    url: &str,
    sites: usize,
    clients: usize,
    phase: Duration,
) -> anyhow::Result<f64> {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(clients as u32)
        .connect(url)
        .await?;
    sqlx::raw_sql("DROP SCHEMA IF EXISTS baseline CASCADE; CREATE SCHEMA baseline")
        .execute(&pool)
        .await?;
    let schema = SCHEMA.replace("CREATE TABLE ", "CREATE TABLE baseline.");
    sqlx::raw_sql(&schema).execute(&pool).await?;
    let qualify = |sql: &str| {
        sql.replace("INTO ticket_numbers", "INTO baseline.ticket_numbers")
            .replace("INTO tickets", "INTO baseline.tickets")
            .replace("INTO site_sequences", "INTO baseline.site_sequences")
            .replace("INTO site_events", "INTO baseline.site_events")
    };
    let statements = [qualify(BUMP), qualify(TICKET), qualify(SEQ), qualify(EVENT)];
    let end = Instant::now() + phase;
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let pool = pool.clone();
            let [bump, ticket, seq, event] = statements.clone();
            tokio::spawn(async move {
                let mut done = 0u64;
                while Instant::now() < end {
                    let site = format!("load-{}", (c + done as usize * clients) % sites);
                    let id = format!("t{c}-{done}");
                    let mut tx = pool.begin().await?;
                    let number: i64 = sqlx::query_scalar(&bump)
                        .bind(&site)
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query(&ticket)
                        .bind(&id)
                        .bind(&site)
                        .bind(format!("A{number:03}"))
                        .bind(done as i64)
                        .execute(&mut *tx)
                        .await?;
                    let n: i64 = sqlx::query_scalar(&seq)
                        .bind(&site)
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query(&event)
                        .bind(&site)
                        .bind(n)
                        .bind(done as i64)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    done += 1;
                }
                Ok::<u64, sqlx::Error>(done)
            })
        })
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await??;
    }
    sqlx::raw_sql("DROP SCHEMA baseline CASCADE")
        .execute(&pool)
        .await?;
    Ok(total as f64 / phase.as_secs_f64())
}
