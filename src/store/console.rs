//! What the agent console reads beyond the public queue: the waiting
//! tickets of a counter's services with their ids (to call one out of
//! order), the ticket at a counter, and the appointment a ticket came from.
//! Staff-only data; no public route reads it.

use super::Db;
use super::StoreError;
use super::rows;
use super::tickets::{COLUMNS, TicketRow};
use crate::read;

/// The most waiting tickets a console lists: more would not fit a screen,
/// and the head of the queue is what matters.
const WAITING_LIMIT: i64 = 200;

/// The appointment behind a checked-in ticket, as the agent needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppointmentBrief {
    pub reference: String,
    pub name: Option<String>,
    pub mode: String,
    pub start_at: i64,
    pub persons: i64,
    pub video_url: Option<String>,
}

/// Waiting tickets of `services` at a site, in the order call-next takes
/// them (due check-ins, priority, normal; oldest first within a class).
pub async fn waiting(
    db: &Db,
    site: &str,
    services: &[String],
) -> Result<Vec<TicketRow>, StoreError> {
    if services.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..services.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM tickets
         WHERE site_id = $1 AND status = 'waiting' AND $2 = $2 AND service_id IN ({})
         ORDER BY CASE priority WHEN 'appointment' THEN 0 WHEN 'priority' THEN 1 ELSE 2 END,
                  issued_at, sequence, id
         LIMIT $2",
        placeholders.join(", ")
    );
    Ok(read!(db, |c| {
        let mut query = sqlx::query_as(&sql).bind(site).bind(WAITING_LIMIT);
        for service in services {
            query = query.bind(service);
        }
        query.fetch_all(c).await
    })?)
}

/// The ticket a counter has called or is serving.
pub async fn at_counter(db: &Db, counter: &str) -> Result<Option<TicketRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tickets
         WHERE site_id = (SELECT site_id FROM counters WHERE id = $1)
           AND counter_id = $1 AND status IN ('called', 'serving')
         ORDER BY called_at DESC LIMIT 1"
    );
    rows::one(db, &sql, counter).await
}

/// The appointment with this id.
pub async fn appointment(db: &Db, id: &str) -> Result<Option<AppointmentBrief>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT reference, name, mode, start_at, persons, video_url FROM appointments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await
    })?)
}
