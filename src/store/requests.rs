//! Document requests and the record of each of their steps.

use super::StoreError;
use super::rows::{self, execute};
use super::{Db, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub id: String,
    pub site_id: String,
    pub service_id: String,
    pub reference: String,
    pub token_hash: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub lang: String,
    pub status: String,
    pub reason: Option<String>,
    pub expected_ready_on: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// `online`, `kiosk`, `desk` or `ticket`: how it was filed.
    pub channel: String,
    /// The walk-in visit it was filed from, if any.
    pub ticket_id: Option<String>,
    /// When the retention sweep erased name, phone and e-mail.
    pub personal_data_erased_at: Option<i64>,
}

const COLUMNS: &str = "id, site_id, service_id, reference, token_hash, name, phone, email, lang,
    status, reason, expected_ready_on, created_at, updated_at, channel, ticket_id";

rows::values! {
    RequestRow {
        id, site_id, service_id, reference, token_hash, name, phone, email, lang, status,
        reason, expected_ready_on, created_at, updated_at, channel, ticket_id
    }
}

pub async fn insert(tx: &mut Tx, r: &RequestRow) -> Result<(), StoreError> {
    r.insert_into(tx, "document_requests").await
}

pub async fn set_status(tx: &mut Tx, r: &RequestRow) -> Result<(), StoreError> {
    execute!(
        tx,
        "UPDATE document_requests SET status = $2, reason = $3, updated_at = $4 WHERE id = $1",
        &r.id,
        &r.status,
        &r.reason,
        r.updated_at
    )?;
    Ok(())
}

pub async fn by_reference(db: &Db, reference: &str) -> Result<Option<RequestRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, personal_data_erased_at FROM document_requests WHERE reference = $1"
    );
    rows::one(db, &sql, reference).await
}

pub async fn for_update(tx: &mut Tx, reference: &str) -> Result<Option<RequestRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, personal_data_erased_at FROM document_requests WHERE reference = $1"
    );
    rows::locked(tx, &sql, reference).await
}

/// A site's requests, in one status or all, oldest first.
pub async fn of_site(
    db: &Db,
    site: &str,
    status: Option<&str>,
) -> Result<Vec<RequestRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, personal_data_erased_at FROM document_requests
         WHERE site_id = $1 AND ($2 IS NULL OR status = $2)
         ORDER BY created_at, id LIMIT 500"
    );
    rows::all_with(db, &sql, site, status).await
}

/// Open and promised before `$2` (the site's local today): overdue.
const LATE: &str = "status IN ('submitted', 'processing') AND expected_ready_on < $2";

/// One page of a site's requests as the desk works through them: overdue
/// ones first, then the other open ones, each by promised day; then the
/// closed ones, last changed first. `status`, if given, keeps one status.
pub async fn desk_page(
    db: &Db,
    site: &str,
    today: &str,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<RequestRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, personal_data_erased_at FROM document_requests
         WHERE site_id = $1 AND ($3 IS NULL OR status = $3)
         ORDER BY CASE WHEN {LATE} THEN 0
                       WHEN status IN ('submitted', 'processing', 'ready') THEN 1 ELSE 2 END,
                  CASE WHEN status IN ('delivered', 'rejected') THEN '' ELSE expected_ready_on END,
                  CASE WHEN status IN ('delivered', 'rejected') THEN -updated_at ELSE created_at END,
                  id
         LIMIT $4 OFFSET $5"
    );
    Ok(crate::read!(db, |c| sqlx::query_as(&sql)
        .bind(site)
        .bind(today)
        .bind(status)
        .bind(limit)
        .bind(offset)
        .fetch_all(c)
        .await)?)
}

/// How many requests of a site are in one status, and how many of those
/// are overdue as of `today`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatusCount {
    pub status: String,
    pub n: i64,
    pub late: i64,
}

pub async fn desk_counts(db: &Db, site: &str, today: &str) -> Result<Vec<StatusCount>, StoreError> {
    let sql = format!(
        "SELECT status, COUNT(*) AS n, SUM(CASE WHEN {LATE} THEN 1 ELSE 0 END) AS late
         FROM document_requests WHERE site_id = $1 GROUP BY status"
    );
    Ok(crate::read!(db, |c| sqlx::query_as(&sql)
        .bind(site)
        .bind(today)
        .fetch_all(c)
        .await)?)
}

/// A citizen's requests, newest first.
pub async fn of_phone(db: &Db, phone: &str) -> Result<Vec<RequestRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, personal_data_erased_at FROM document_requests WHERE phone = $1 ORDER BY created_at DESC, id LIMIT 200"
    );
    rows::all(db, &sql, phone).await
}

/// The requests filed from one walk-in visit, oldest first.
pub async fn of_ticket(db: &Db, ticket: &str) -> Result<Vec<RequestRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, personal_data_erased_at FROM document_requests
         WHERE ticket_id = $1 ORDER BY created_at, id LIMIT 50"
    );
    rows::all(db, &sql, ticket).await
}

/// Whether a request for `service` was already filed from `ticket`.
pub async fn filed_from(tx: &mut Tx, ticket: &str, service: &str) -> Result<bool, StoreError> {
    let found: Option<String> = crate::write!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM document_requests WHERE ticket_id = $1 AND service_id = $2 LIMIT 1"
    )
    .bind(ticket)
    .bind(service)
    .fetch_optional(c)
    .await)?;
    Ok(found.is_some())
}
