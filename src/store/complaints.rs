//! Complaints (réclamations) and the record of each of their steps.

use super::StoreError;
use super::rows::{self, execute};
use super::{Db, Tx};
use crate::read;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ComplaintRow {
    pub id: String,
    pub site_id: String,
    pub service_id: Option<String>,
    pub reference: String,
    pub token_hash: String,
    pub subject: String,
    pub body: String,
    pub phone: Option<String>,
    pub status: String,
    pub assigned_to: Option<String>,
    pub answer: Option<String>,
    pub answer_due_on: String,
    pub created_at: i64,
    pub answered_at: Option<i64>,
    pub lang: String,
    /// When the retention sweep erased subject, body, phone and answer.
    pub personal_data_erased_at: Option<i64>,
}

const COLUMNS: &str = "id, site_id, service_id, reference, token_hash, subject, body, phone,
    status, assigned_to, answer, answer_due_on, created_at, answered_at, lang";

rows::values! {
    ComplaintRow {
        id, site_id, service_id, reference, token_hash, subject, body, phone, status,
        assigned_to, answer, answer_due_on, created_at, answered_at, lang
    }
}

pub async fn insert(tx: &mut Tx, r: &ComplaintRow) -> Result<(), StoreError> {
    r.insert_into(tx, "complaints").await
}

pub async fn update(tx: &mut Tx, r: &ComplaintRow) -> Result<(), StoreError> {
    execute!(
        tx,
        "UPDATE complaints SET status = $2, assigned_to = $3, answer = $4, answered_at = $5
         WHERE id = $1",
        &r.id,
        &r.status,
        &r.assigned_to,
        &r.answer,
        r.answered_at
    )?;
    Ok(())
}

pub async fn by_reference(db: &Db, reference: &str) -> Result<Option<ComplaintRow>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS}, personal_data_erased_at FROM complaints WHERE reference = $1");
    rows::one(db, &sql, reference).await
}

pub async fn for_update(tx: &mut Tx, reference: &str) -> Result<Option<ComplaintRow>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS}, personal_data_erased_at FROM complaints WHERE reference = $1");
    rows::locked(tx, &sql, reference).await
}

/// A site's open complaints first, the most overdue first; then the rest.
pub async fn of_site(
    db: &Db,
    site: &str,
    status: Option<&str>,
) -> Result<Vec<ComplaintRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, personal_data_erased_at FROM complaints WHERE site_id = $1 AND ($2 IS NULL OR status = $2)
         ORDER BY CASE WHEN status IN ('received', 'in_progress') THEN 0 ELSE 1 END,
                  answer_due_on, created_at LIMIT 500"
    );
    rows::all_with(db, &sql, site, status).await
}

/// A citizen's complaints, newest first.
pub async fn of_phone(db: &Db, phone: &str) -> Result<Vec<ComplaintRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, personal_data_erased_at FROM complaints WHERE phone = $1 ORDER BY created_at DESC LIMIT 200"
    );
    rows::all(db, &sql, phone).await
}

/// The usernames of a site's supervisors and agents whose accounts are
/// enabled, who may be given one of its complaints.
pub async fn assignees(db: &Db, site: &str) -> Result<Vec<String>, StoreError> {
    Ok(read!(db, |c| sqlx::query_scalar(
        "SELECT username FROM users WHERE site_id = $1 AND role IN ('supervisor', 'agent')
             AND disabled_at IS NULL
         ORDER BY username"
    )
    .bind(site)
    .fetch_all(c)
    .await)?)
}
