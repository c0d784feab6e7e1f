//! The SQL of a province's comparison: the same aggregates as
//! `store::stats`, for a set of sites at once and grouped by site, so a
//! comparison costs six queries however many offices it has.
//!
//! Tickets and appointments are selected by local day (`$1` to `$2`) and
//! site (`$3`, `$4`, …). Requests, feedback and complaints are selected by
//! their creation instant within each site's own instants for those days
//! (the `w` window: one row per site, bound as triples), since sites of
//! one province may be in different timezones. Instants turned into local
//! days come back in 15-minute buckets, as in `store::stats`.

use super::rows::Row;
use super::{Db, StoreError};
use crate::read;

/// One site's own instants for the compared local days.
#[derive(Debug, Clone)]
pub struct SiteWindow {
    pub site: String,
    pub start_ms: i64,
    pub end_ms: i64,
}

/// The compared local days and each site's window.
#[derive(Debug, Clone)]
pub struct Scope {
    pub from_day: String,
    pub to_day: String,
    pub sites: Vec<SiteWindow>,
}

impl Scope {
    /// `$3, $4, …`: the sites, after the two days.
    fn site_list(&self) -> String {
        (0..self.sites.len())
            .map(|i| format!("${}", i + 3))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `WITH w (site_id, start_ms, end_ms) AS (VALUES ($1, $2, $3), …)`.
    fn windows(&self) -> String {
        let rows: Vec<String> = (0..self.sites.len())
            .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
            .collect();
        format!(
            "WITH w (site_id, start_ms, end_ms) AS (VALUES {})",
            rows.join(", ")
        )
    }
}

/// The rows `sql` selects for the scope's days (`$1`, `$2`) and sites.
async fn on_days<T: Row>(db: &Db, sql: &str, scope: &Scope) -> Result<Vec<T>, StoreError> {
    Ok(read!(db, |c| {
        let mut query = sqlx::query_as(sql)
            .bind(&scope.from_day)
            .bind(&scope.to_day);
        for site in &scope.sites {
            query = query.bind(&site.site);
        }
        query.fetch_all(c).await
    })?)
}

/// The rows `sql` (which starts with the `w` window) selects.
async fn in_windows<T: Row>(db: &Db, sql: &str, scope: &Scope) -> Result<Vec<T>, StoreError> {
    Ok(read!(db, |c| {
        let mut query = sqlx::query_as(sql);
        for site in &scope.sites {
            query = query.bind(&site.site).bind(site.start_ms).bind(site.end_ms);
        }
        query.fetch_all(c).await
    })?)
}

/// A site's tickets over the days.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct TicketCounts {
    pub site: String,
    pub issued: i64,
    pub served: Option<i64>,
    pub no_shows: Option<i64>,
    /// Tickets that were called.
    pub called: i64,
}

pub async fn tickets(db: &Db, scope: &Scope) -> Result<Vec<TicketCounts>, StoreError> {
    let sql = format!(
        "SELECT t.site_id AS site, COUNT(*) AS issued,
            CAST(SUM(CASE WHEN t.status = 'done' THEN 1 ELSE 0 END) AS BIGINT) AS served,
            CAST(SUM(CASE WHEN t.status = 'no_show' THEN 1 ELSE 0 END) AS BIGINT) AS no_shows,
            COUNT(t.called_at) AS called
         FROM tickets t
         WHERE t.local_day >= $1 AND t.local_day <= $2 AND t.site_id IN ({})
         GROUP BY t.site_id",
        scope.site_list()
    );
    on_days(db, &sql, scope).await
}

/// The median (rank `⌈n/2⌉`) and p90 (rank `⌈9n/10⌉`) of one measure of
/// a site: `wait` (issue to call) or `service` (start to completion of
/// done tickets).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ranks {
    pub measure: String,
    pub site: String,
    pub n: i64,
    pub median_ms: i64,
    pub p90_ms: i64,
}

const WAIT: &str = "t.called_at - t.issued_at";
const WAITED: &str = "t.called_at IS NOT NULL";
const SERVICE: &str = "t.finished_at - t.serving_at";
const SERVED: &str = "t.status = 'done' AND t.serving_at IS NOT NULL";

/// Both measures' ranks per site, in one query: on PostgreSQL by its
/// ordered-set aggregate (nudged as in `store::stats`), on SQLite by a
/// window over the sorted values.
pub async fn ranks(db: &Db, scope: &Scope) -> Result<Vec<Ranks>, StoreError> {
    let sites = scope.site_list();
    let selected = |filter: &str| {
        format!(
            "FROM tickets t WHERE t.local_day >= $1 AND t.local_day <= $2
               AND t.site_id IN ({sites}) AND {filter}"
        )
    };
    if let Db::Postgres(_) = db {
        let part = |name: &str, value: &str, filter: &str| {
            format!(
                "SELECT '{name}' AS measure, t.site_id AS site, COUNT(*) AS n,
                    percentile_disc(0.5 - 1e-9) WITHIN GROUP (ORDER BY {value}) AS median_ms,
                    percentile_disc(0.9 - 1e-9) WITHIN GROUP (ORDER BY {value}) AS p90_ms
                 {} GROUP BY t.site_id",
                selected(filter)
            )
        };
        let sql = format!(
            "{} UNION ALL {}",
            part("wait", WAIT, WAITED),
            part("service", SERVICE, SERVED)
        );
        return on_days(db, &sql, scope).await;
    }
    let part = |name: &str, value: &str, filter: &str| {
        format!(
            "SELECT '{name}' AS measure, t.site_id AS site, {value} AS value_ms,
                ROW_NUMBER() OVER (PARTITION BY t.site_id ORDER BY {value}) AS nth,
                COUNT(*) OVER (PARTITION BY t.site_id) AS n
             {}",
            selected(filter)
        )
    };
    let sql = format!(
        "SELECT measure, site, n,
            MAX(CASE WHEN nth = (n + 1) / 2 THEN value_ms END) AS median_ms,
            MAX(CASE WHEN nth = (9 * n + 9) / 10 THEN value_ms END) AS p90_ms
         FROM ({} UNION ALL {}) ranked
         WHERE nth = (n + 1) / 2 OR nth = (9 * n + 9) / 10
         GROUP BY measure, site, n",
        part("wait", WAIT, WAITED),
        part("service", SERVICE, SERVED)
    );
    on_days(db, &sql, scope).await
}

/// A site's appointments whose slot is on the days.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppointmentCounts {
    pub site: String,
    pub honoured: Option<i64>,
    pub no_shows: Option<i64>,
}

pub async fn appointments(db: &Db, scope: &Scope) -> Result<Vec<AppointmentCounts>, StoreError> {
    let sql = format!(
        "SELECT site_id AS site,
            CAST(SUM(CASE WHEN status IN ('checked_in', 'done') THEN 1 ELSE 0 END) AS BIGINT) AS honoured,
            CAST(SUM(CASE WHEN status = 'no_show' THEN 1 ELSE 0 END) AS BIGINT) AS no_shows
         FROM appointments
         WHERE local_day >= $1 AND local_day <= $2 AND site_id IN ({})
         GROUP BY site_id",
        scope.site_list()
    );
    on_days(db, &sql, scope).await
}

/// Requests filed in the window that became ready (or were delivered
/// without a `ready` step), by promised day and the bucket they first did.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Processed {
    pub site: String,
    pub expected_ready_on: String,
    pub bucket: i64,
    pub n: i64,
}

pub async fn processed(db: &Db, scope: &Scope) -> Result<Vec<Processed>, StoreError> {
    let sql = format!(
        "{}, ready AS (
            SELECT r.id, r.site_id, r.expected_ready_on, MIN(h.at) AS at
            FROM document_requests r
            JOIN w ON w.site_id = r.site_id
            JOIN request_history h ON h.request_id = r.id
            WHERE r.created_at >= w.start_ms AND r.created_at < w.end_ms
              AND h.status IN ('ready', 'delivered')
            GROUP BY r.id, r.site_id, r.expected_ready_on)
         SELECT site_id AS site, expected_ready_on, at / 900000 AS bucket, COUNT(*) AS n
         FROM ready GROUP BY site_id, expected_ready_on, at / 900000",
        scope.windows()
    );
    in_windows(db, &sql, scope).await
}

/// Feedback asked for in the window: answers and their sum.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Ratings {
    pub site: String,
    pub answers: i64,
    pub rating_sum: Option<i64>,
}

pub async fn feedback(db: &Db, scope: &Scope) -> Result<Vec<Ratings>, StoreError> {
    let sql = format!(
        "{} SELECT f.site_id AS site, COUNT(f.rating) AS answers,
            CAST(SUM(f.rating) AS BIGINT) AS rating_sum
         FROM feedback f JOIN w ON w.site_id = f.site_id
         WHERE f.created_at >= w.start_ms AND f.created_at < w.end_ms
         GROUP BY f.site_id",
        scope.windows()
    );
    in_windows(db, &sql, scope).await
}

/// Complaints received in the window, by due day and the bucket of their
/// answer (`None` while unanswered).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ComplaintGroup {
    pub site: String,
    pub answer_due_on: String,
    pub bucket: Option<i64>,
    pub n: i64,
}

pub async fn complaints(db: &Db, scope: &Scope) -> Result<Vec<ComplaintGroup>, StoreError> {
    let sql = format!(
        "{} SELECT k.site_id AS site, k.answer_due_on, k.answered_at / 900000 AS bucket,
            COUNT(*) AS n
         FROM complaints k JOIN w ON w.site_id = k.site_id
         WHERE k.created_at >= w.start_ms AND k.created_at < w.end_ms
         GROUP BY k.site_id, k.answer_due_on, k.answered_at / 900000",
        scope.windows()
    );
    in_windows(db, &sql, scope).await
}
