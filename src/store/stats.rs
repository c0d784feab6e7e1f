//! The statistics' SQL: aggregates over tickets, appointments, document
//! requests, feedback and complaints of one site, grouped in the database
//! so that a year of a busy office comes back as a few hundred rows.
//!
//! Tickets are selected by `local_day` (indexed with the columns read, see
//! migration 0006); the rest by their creation instant within the range's
//! instants. Instants that must be turned into local hours or days are
//! grouped by 15-minute UTC buckets (`domain::stats::BUCKET_MS`), which the
//! caller maps with the site's timezone: SQL never needs to know it. Sums
//! are cast to BIGINT because PostgreSQL sums BIGINT into NUMERIC.

pub mod channels;
pub mod processing;

use super::Db;
use super::StoreError;
use super::rows::Row;
use crate::read;

/// The figures of one group of tickets. Sums are `None` over no rows.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct Figures {
    pub issued: i64,
    pub served: Option<i64>,
    pub no_shows: Option<i64>,
    pub cancelled: Option<i64>,
    /// Tickets that were called: those with a wait.
    pub waited: i64,
    pub wait_ms: Option<i64>,
    /// Done tickets whose service was started: those with a service time.
    pub timed: Option<i64>,
    pub service_ms: Option<i64>,
    /// Tickets whose wait passed their service's target (per service only).
    pub over_target: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyedFigures {
    /// A service id, an agent's username or a local day.
    pub key: String,
    #[sqlx(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BucketFigures {
    pub bucket: i64,
    #[sqlx(flatten)]
    pub figures: Figures,
}

/// One wait at the rank of a median or a p90 within its group.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RankedWait {
    pub key: String,
    pub nth: i64,
    pub n: i64,
    pub wait_ms: i64,
}

/// How the tickets of a site are grouped.
#[derive(Debug, Clone, Copy)]
pub enum Group {
    All,
    Service,
    Agent,
}

impl Group {
    fn key(self) -> &'static str {
        match self {
            Self::All => "CAST('' AS TEXT)",
            Self::Service => "t.service_id",
            Self::Agent => "t.agent",
        }
    }
}

/// The selected tickets: of the site, on local days `$2` to `$3`.
const TICKETS: &str =
    "FROM tickets t WHERE t.site_id = $1 AND t.local_day >= $2 AND t.local_day <= $3";

const FIGURES: &str = "COUNT(*) AS issued,
    CAST(SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END) AS BIGINT) AS served,
    CAST(SUM(CASE WHEN t.status = 'no_show' THEN 1 ELSE 0 END) AS BIGINT) AS no_shows,
    CAST(SUM(CASE WHEN t.status = 'cancelled' THEN 1 ELSE 0 END) AS BIGINT) AS cancelled,
    COUNT(t.called_at) AS waited,
    CAST(SUM(t.called_at - t.issued_at) AS BIGINT) AS wait_ms,
    CAST(SUM(CASE WHEN t.status = 'done' AND t.serving_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS timed,
    CAST(SUM(CASE WHEN t.status = 'done' AND t.serving_at IS NOT NULL
                  THEN t.finished_at - t.serving_at END) AS BIGINT) AS service_ms";

/// The site's local days and the range's instants, as every query binds them.
#[derive(Debug, Clone)]
pub struct Range {
    pub site: String,
    pub from_day: String,
    pub to_day: String,
    pub start_ms: i64,
    pub end_ms: i64,
}

/// The rows `sql` selects for the range's site (`$1`) and local days
/// (`$2` to `$3`).
async fn on_days<T: Row>(db: &Db, sql: &str, range: &Range) -> Result<Vec<T>, StoreError> {
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(&range.site)
        .bind(&range.from_day)
        .bind(&range.to_day)
        .fetch_all(c)
        .await)?)
}

/// The rows `sql` selects for the range's site (`$1`) and instants (`$2`
/// to `$3`, in Unix milliseconds).
async fn at_instants<T: Row>(db: &Db, sql: &str, range: &Range) -> Result<Vec<T>, StoreError> {
    Ok(read!(db, |c| sqlx::query_as(sql)
        .bind(&range.site)
        .bind(range.start_ms)
        .bind(range.end_ms)
        .fetch_all(c)
        .await)?)
}

/// Per service, with the tickets whose wait passed the service's target:
/// called after it, or still uncalled after it when they ended or now.
pub async fn by_service(db: &Db, range: &Range, now: i64) -> Result<Vec<KeyedFigures>, StoreError> {
    let sql = format!(
        "SELECT t.service_id AS key, {FIGURES},
            CAST(SUM(CASE WHEN COALESCE(t.called_at, t.finished_at, $4) - t.issued_at
                               > 60000 * s.target_wait_minutes THEN 1 ELSE 0 END) AS BIGINT) AS over_target
         FROM tickets t JOIN services s ON s.site_id = t.site_id AND s.id = t.service_id
         WHERE t.site_id = $1 AND t.local_day >= $2 AND t.local_day <= $3
         GROUP BY t.service_id"
    );
    Ok(read!(db, |c| sqlx::query_as(&sql)
        .bind(&range.site)
        .bind(&range.from_day)
        .bind(&range.to_day)
        .bind(now)
        .fetch_all(c)
        .await)?)
}

/// Per agent who last handled the ticket, or per local day.
pub async fn by_column(
    db: &Db,
    range: &Range,
    per_day: bool,
) -> Result<Vec<KeyedFigures>, StoreError> {
    let (key, filter) = if per_day {
        ("t.local_day", "")
    } else {
        ("t.agent", " AND t.agent IS NOT NULL")
    };
    let sql = format!(
        "SELECT {key} AS key, {FIGURES}, CAST(NULL AS BIGINT) AS over_target
         {TICKETS}{filter} GROUP BY {key}"
    );
    on_days(db, &sql, range).await
}

/// Per 15-minute UTC bucket of the issue instant.
pub async fn by_bucket(db: &Db, range: &Range) -> Result<Vec<BucketFigures>, StoreError> {
    let sql = format!(
        "SELECT t.issued_at / 900000 AS bucket, {FIGURES}, CAST(NULL AS BIGINT) AS over_target
         {TICKETS} GROUP BY t.issued_at / 900000"
    );
    on_days(db, &sql, range).await
}

/// The waits at the median's rank `⌈n/2⌉` and the p90's rank `⌈9n/10⌉`
/// of each group (nearest rank, see `domain::stats`).
pub async fn ranked_waits(
    db: &Db,
    range: &Range,
    group: Group,
) -> Result<Vec<RankedWait>, StoreError> {
    let key = group.key();
    let partition = match group {
        Group::All => String::new(),
        _ => format!("PARTITION BY {key} "),
    };
    let filter = match group {
        Group::Agent => " AND t.agent IS NOT NULL",
        _ => "",
    };
    let sql = format!(
        "SELECT key, nth, n, wait_ms FROM (
            SELECT {key} AS key, t.called_at - t.issued_at AS wait_ms,
                   ROW_NUMBER() OVER ({partition}ORDER BY t.called_at - t.issued_at) AS nth,
                   COUNT(*) OVER ({partition}) AS n
            {TICKETS} AND t.called_at IS NOT NULL{filter}
         ) ranked
         WHERE nth = (n + 1) / 2 OR nth = (9 * n + 9) / 10"
    );
    if let Db::Postgres(pool) = db {
        return percentiles_postgres(pool, range, key, filter).await;
    }
    on_days(db, &sql, range).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct Percentiles {
    key: String,
    n: i64,
    median_ms: i64,
    p90_ms: i64,
}

impl Percentiles {
    /// The two ranked rows the window query gives for the same group.
    fn ranks(self) -> [RankedWait; 2] {
        [
            RankedWait {
                key: self.key.clone(),
                nth: (self.n + 1) / 2,
                n: self.n,
                wait_ms: self.median_ms,
            },
            RankedWait {
                key: self.key,
                nth: (9 * self.n + 9) / 10,
                n: self.n,
                wait_ms: self.p90_ms,
            },
        ]
    }
}

/// The same ranks on PostgreSQL, by its ordered-set aggregate: one sort per
/// group in memory instead of a window over every wait, several times
/// faster over a year. `percentile_disc(f)` is the value at rank `⌈f·n⌉`
/// computed in floating point, where `0.9 · 70` comes out just above 63:
/// the fractions are nudged down by far less than one rank, so the rank is
/// exactly the nearest rank the window query gives.
async fn percentiles_postgres(
    pool: &sqlx::PgPool,
    range: &Range,
    key: &str,
    filter: &str,
) -> Result<Vec<RankedWait>, StoreError> {
    let sql = format!(
        "SELECT {key} AS key, COUNT(*) AS n,
            percentile_disc(0.5 - 1e-9) WITHIN GROUP (ORDER BY t.called_at - t.issued_at) AS median_ms,
            percentile_disc(0.9 - 1e-9) WITHIN GROUP (ORDER BY t.called_at - t.issued_at) AS p90_ms
         {TICKETS} AND t.called_at IS NOT NULL{filter} GROUP BY 1"
    );
    let rows: Vec<Percentiles> = sqlx::query_as(&sql)
        .bind(&range.site)
        .bind(&range.from_day)
        .bind(&range.to_day)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().flat_map(Percentiles::ranks).collect())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppointmentCounts {
    pub key: String,
    pub booked: i64,
    pub honoured: Option<i64>,
    pub no_shows: Option<i64>,
    pub cancelled: Option<i64>,
}

/// Appointments per service whose slot is on the range's local days.
pub async fn appointments(db: &Db, range: &Range) -> Result<Vec<AppointmentCounts>, StoreError> {
    let sql = "SELECT service_id AS key, COUNT(*) AS booked,
            CAST(SUM(CASE WHEN status IN ('checked_in', 'done') THEN 1 ELSE 0 END) AS BIGINT) AS honoured,
            CAST(SUM(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END) AS BIGINT) AS no_shows,
            CAST(SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS BIGINT) AS cancelled
         FROM appointments WHERE site_id = $1 AND local_day >= $2 AND local_day <= $3
         GROUP BY service_id";
    on_days(db, sql, range).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatusCount {
    pub key: String,
    pub status: String,
    pub n: i64,
}

/// Document requests filed in the range, per service and current status.
pub async fn requests(db: &Db, range: &Range) -> Result<Vec<StatusCount>, StoreError> {
    let sql = "SELECT service_id AS key, status, COUNT(*) AS n FROM document_requests
         WHERE site_id = $1 AND created_at >= $2 AND created_at < $3
         GROUP BY service_id, status";
    at_instants(db, sql, range).await
}

/// Requests filed in the range that became ready (or were delivered
/// without a `ready` step), grouped by service, promised day and the
/// bucket of the instant they first did.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Processed {
    pub key: String,
    pub expected_ready_on: String,
    pub bucket: i64,
    pub n: i64,
    pub processing_ms: Option<i64>,
}

pub async fn processed(db: &Db, range: &Range) -> Result<Vec<Processed>, StoreError> {
    let sql = "WITH ready AS (
            SELECT r.id, r.service_id, r.expected_ready_on, r.created_at, MIN(h.at) AS at
            FROM document_requests r JOIN request_history h ON h.request_id = r.id
            WHERE r.site_id = $1 AND r.created_at >= $2 AND r.created_at < $3
              AND h.status IN ('ready', 'delivered')
            GROUP BY r.id, r.service_id, r.expected_ready_on, r.created_at)
         SELECT service_id AS key, expected_ready_on, at / 900000 AS bucket, COUNT(*) AS n,
                CAST(SUM(at - created_at) AS BIGINT) AS processing_ms
         FROM ready GROUP BY service_id, expected_ready_on, at / 900000";
    at_instants(db, sql, range).await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ratings {
    pub key: String,
    pub answers: i64,
    pub rating_sum: Option<i64>,
}

/// Feedback asked for in the range, per service: answers and their sum.
pub async fn feedback(db: &Db, range: &Range) -> Result<Vec<Ratings>, StoreError> {
    let sql = "SELECT service_id AS key, COUNT(rating) AS answers,
            CAST(SUM(rating) AS BIGINT) AS rating_sum
         FROM feedback WHERE site_id = $1 AND created_at >= $2 AND created_at < $3
         GROUP BY service_id";
    at_instants(db, sql, range).await
}

/// Complaints received in the range, by due day and the bucket of their
/// answer (`None` while unanswered).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ComplaintGroup {
    pub answer_due_on: String,
    pub bucket: Option<i64>,
    pub n: i64,
}

pub async fn complaints(db: &Db, range: &Range) -> Result<Vec<ComplaintGroup>, StoreError> {
    let sql = "SELECT answer_due_on, answered_at / 900000 AS bucket, COUNT(*) AS n
         FROM complaints WHERE site_id = $1 AND created_at >= $2 AND created_at < $3
         GROUP BY answer_due_on, answered_at / 900000";
    at_instants(db, sql, range).await
}
