//! The steps of a document request or a complaint: which status, when,
//! by whom, with a note (a rejection's reason). Both keep them in a table
//! of the same shape, numbered per owner.

use super::StoreError;
use super::rows::{self, execute};
use super::{Db, Tx};

/// One of the history tables, and the names of its owner and note columns.
#[derive(Debug, Clone, Copy)]
pub struct Steps {
    table: &'static str,
    owner: &'static str,
    note: &'static str,
}

pub const REQUESTS: Steps = Steps {
    table: "request_history",
    owner: "request_id",
    note: "reason",
};

pub const COMPLAINTS: Steps = Steps {
    table: "complaint_history",
    owner: "complaint_id",
    note: "note",
};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StepRow {
    pub status: String,
    pub at: i64,
    pub actor: Option<String>,
    pub note: Option<String>,
}

impl StepRow {
    /// A step to `status`, taken at `at` by `actor`, with an optional note.
    pub fn new(status: &str, at: i64, actor: String, note: Option<String>) -> Self {
        StepRow {
            status: status.to_owned(),
            at,
            actor: Some(actor),
            note,
        }
    }
}

/// Records a step, numbered after the owner's last one.
pub async fn add(tx: &mut Tx, steps: Steps, owner: &str, step: &StepRow) -> Result<(), StoreError> {
    let (table, column, note) = (steps.table, steps.owner, steps.note);
    let sql = format!(
        "INSERT INTO {table} ({column}, step, status, at, actor, {note})
         VALUES ($1, (SELECT COALESCE(MAX(step), 0) + 1 FROM {table} WHERE {column} = $1),
                 $2, $3, $4, $5)"
    );
    execute!(
        tx,
        &sql,
        owner,
        &step.status,
        step.at,
        &step.actor,
        &step.note
    )?;
    Ok(())
}

/// An owner's steps, in order.
pub async fn list(db: &Db, steps: Steps, owner: &str) -> Result<Vec<StepRow>, StoreError> {
    let (table, column, note) = (steps.table, steps.owner, steps.note);
    let sql = format!(
        "SELECT status, at, actor, {note} AS note FROM {table} WHERE {column} = $1 ORDER BY step"
    );
    rows::all(db, &sql, owner).await
}
