//! Appointments and the places taken in each slot.
//!
//! A place is taken by one conditional upsert of the slot's row that
//! refuses to pass the capacity it is given: the database decides, in the
//! statement itself, which of many concurrent bookings gets the last place
//! (PostgreSQL locks the row for the update and checks the condition again
//! on the latest version; SQLite has a single writer).

use super::StoreError;
use super::rows::{self, execute};
use super::{Db, Tx};
use crate::{read, write};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppointmentRow {
    pub id: String,
    pub site_id: String,
    pub service_id: String,
    pub mode: String,
    pub start_at: i64,
    pub end_at: i64,
    pub local_day: String,
    pub reference: String,
    pub manage_token_hash: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub lang: String,
    pub persons: i64,
    pub status: String,
    pub video_url: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub checked_in_at: Option<i64>,
    pub reminded_day_at: Option<i64>,
    pub reminded_hours_at: Option<i64>,
    /// When the retention sweep erased name, phone and e-mail.
    pub personal_data_erased_at: Option<i64>,
}

const COLUMNS: &str = "id, site_id, service_id, mode, start_at, end_at, local_day, reference,
    manage_token_hash, name, phone, email, lang, persons, status, video_url, created_at,
    updated_at, checked_in_at, reminded_day_at, reminded_hours_at";

/// Takes one place in a slot (bind site, service, start, persons, capacity).
pub(crate) const TAKE_PLACES: &str =
    "INSERT INTO slot_places (site_id, service_id, start_at, taken) VALUES ($1, $2, $3, $4)
     ON CONFLICT (site_id, service_id, start_at)
     DO UPDATE SET taken = slot_places.taken + excluded.taken
     WHERE slot_places.taken + excluded.taken <= $5
     RETURNING taken";

/// Places taken per slot start in `[from, to)` of one service.
pub async fn taken_between(
    db: &Db,
    site: &str,
    service: &str,
    from: i64,
    to: i64,
) -> Result<Vec<(i64, i64)>, StoreError> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT start_at, taken FROM slot_places
             WHERE site_id = $1 AND service_id = $2 AND start_at >= $3 AND start_at < $4",
        )
        .bind(site)
        .bind(service)
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await
    })?)
}

/// Places taken in one slot, as last committed.
pub async fn taken_at(db: &Db, site: &str, service: &str, start: i64) -> Result<i64, StoreError> {
    let taken: Option<i64> = read!(db, |c| {
        sqlx::query_scalar(
            "SELECT taken FROM slot_places WHERE site_id = $1 AND service_id = $2 AND start_at = $3",
        )
        .bind(site)
        .bind(service)
        .bind(start)
        .fetch_optional(c)
        .await
    })?;
    Ok(taken.unwrap_or(0))
}

/// Takes `persons` places in a slot if that leaves it within `capacity`;
/// `false` when the slot has not that many places left.
pub async fn take_places(
    tx: &mut Tx,
    a: &AppointmentRow,
    start: i64,
    capacity: i64,
) -> Result<bool, StoreError> {
    if a.persons > capacity {
        return Ok(false);
    }
    let taken: Option<i64> = write!(tx, |c| {
        sqlx::query_scalar(TAKE_PLACES)
            .bind(&a.site_id)
            .bind(&a.service_id)
            .bind(start)
            .bind(a.persons)
            .bind(capacity)
            .fetch_optional(c)
            .await
    })?;
    Ok(taken.is_some())
}

/// Gives back an appointment's places in a slot.
pub async fn release_places(tx: &mut Tx, a: &AppointmentRow, start: i64) -> Result<(), StoreError> {
    execute!(
        tx,
        "UPDATE slot_places SET taken = taken - $4
             WHERE site_id = $1 AND service_id = $2 AND start_at = $3",
        &a.site_id,
        &a.service_id,
        start,
        a.persons
    )?;
    Ok(())
}

rows::values! {
    AppointmentRow {
        id, site_id, service_id, mode, start_at, end_at, local_day, reference,
        manage_token_hash, name, phone, email, lang, persons, status, video_url, created_at,
        updated_at, checked_in_at, reminded_day_at, reminded_hours_at
    }
}

pub async fn insert(tx: &mut Tx, a: &AppointmentRow) -> Result<(), StoreError> {
    a.insert_into(tx, "appointments").await
}

/// Writes what changes over an appointment's life.
pub async fn update(tx: &mut Tx, a: &AppointmentRow) -> Result<(), StoreError> {
    execute!(
        tx,
        "UPDATE appointments SET start_at = $2, end_at = $3, local_day = $4, status = $5,
                updated_at = $6, checked_in_at = $7, reminded_day_at = $8, reminded_hours_at = $9
             WHERE id = $1",
        &a.id,
        a.start_at,
        a.end_at,
        &a.local_day,
        &a.status,
        a.updated_at,
        a.checked_in_at,
        a.reminded_day_at,
        a.reminded_hours_at
    )?;
    Ok(())
}

pub async fn by_reference(db: &Db, reference: &str) -> Result<Option<AppointmentRow>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS}, personal_data_erased_at FROM appointments WHERE reference = $1");
    rows::one(db, &sql, reference).await
}

/// An appointment, locked for the rest of the transaction.
pub async fn for_update(
    tx: &mut Tx,
    reference: &str,
) -> Result<Option<AppointmentRow>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS}, personal_data_erased_at FROM appointments WHERE reference = $1");
    rows::locked(tx, &sql, reference).await
}

/// The appointments of a site on one local day, in time order.
pub async fn of_day(db: &Db, site: &str, day: &str) -> Result<Vec<AppointmentRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, personal_data_erased_at FROM appointments WHERE site_id = $1 AND local_day = $2
         ORDER BY start_at, reference"
    );
    Ok(read!(db, |c| sqlx::query_as(&sql)
        .bind(site)
        .bind(day)
        .fetch_all(c)
        .await)?)
}

/// A citizen's appointments, newest first.
pub async fn of_phone(db: &Db, phone: &str) -> Result<Vec<AppointmentRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, personal_data_erased_at FROM appointments WHERE phone = $1 ORDER BY created_at DESC, id LIMIT 200"
    );
    rows::all(db, &sql, phone).await
}

/// Booked appointments starting in `(after, until]` that have not had the
/// reminder `column` (`reminded_day_at` or `reminded_hours_at`).
pub async fn to_remind(
    db: &Db,
    column: Reminder,
    after: i64,
    until: i64,
) -> Result<Vec<AppointmentRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, personal_data_erased_at FROM appointments
         WHERE status = 'booked' AND start_at > $1 AND start_at <= $2 AND {} IS NULL
         ORDER BY start_at LIMIT 500",
        column.column()
    );
    Ok(read!(db, |c| sqlx::query_as(&sql)
        .bind(after)
        .bind(until)
        .fetch_all(c)
        .await)?)
}

/// Which reminder: the day before, or a few hours before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reminder {
    DayBefore,
    HoursBefore,
}

impl Reminder {
    fn column(self) -> &'static str {
        match self {
            Self::DayBefore => "reminded_day_at",
            Self::HoursBefore => "reminded_hours_at",
        }
    }
}

/// Records that a reminder goes out; `false` if another run already did.
pub async fn mark_reminded(
    tx: &mut Tx,
    id: &str,
    which: Reminder,
    now: i64,
) -> Result<bool, StoreError> {
    let column = which.column();
    let sql = format!(
        "UPDATE appointments SET {column} = $2 WHERE id = $1 AND {column} IS NULL AND status = 'booked'"
    );
    let changed = execute!(tx, &sql, id, now)?;
    Ok(changed == 1)
}

/// The appointments that ended (`done` or `no_show`) at `since` or later,
/// oldest first.
pub async fn closed_since(db: &Db, since: i64) -> Result<Vec<AppointmentRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, personal_data_erased_at FROM appointments
         WHERE status IN ('done', 'no_show') AND updated_at >= $1
         ORDER BY updated_at, id"
    );
    Ok(read!(db, |c| sqlx::query_as(&sql)
        .bind(since)
        .fetch_all(c)
        .await)?)
}

/// Marks as no-shows the in-person appointments never checked in by the
/// end of their site's check-in window; returns how many.
pub async fn close_no_shows(tx: &mut Tx, now: i64) -> Result<u64, StoreError> {
    execute!(
        tx,
        "UPDATE appointments SET status = 'no_show', updated_at = $1
             WHERE status = 'booked' AND mode = 'in_person' AND start_at < $1
               AND start_at + 60000 * (SELECT checkin_late_minutes FROM sites
                                      WHERE sites.id = appointments.site_id) < $1",
        now
    )
}

/// Records how a video call went (`done` or `no_show`): from `booked`, or
/// from a `no_show` the agent corrects; `false` if it is in neither.
pub async fn set_video_outcome(
    tx: &mut Tx,
    id: &str,
    outcome: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let changed = execute!(
        tx,
        "UPDATE appointments SET status = $2, updated_at = $3
             WHERE id = $1 AND mode = 'video' AND status IN ('booked', 'no_show')",
        id,
        outcome,
        now
    )?;
    Ok(changed == 1)
}

/// Marks as no-shows the video appointments still `booked` `after_ms`
/// past their end (no agent recorded the call); returns how many.
pub async fn close_unrecorded_video(
    tx: &mut Tx,
    now: i64,
    after_ms: i64,
) -> Result<u64, StoreError> {
    execute!(
        tx,
        "UPDATE appointments SET status = 'no_show', updated_at = $1
             WHERE status = 'booked' AND mode = 'video' AND end_at < $2",
        now,
        now - after_ms
    )
}

/// Moves an appointment from one status to another, stamping a check-in;
/// binds id, from, to, now. No row changes if it is no longer in `from`.
pub(crate) const SET_STATUS: &str = "UPDATE appointments SET status = $3, updated_at = $4,
        checked_in_at = CASE WHEN $3 = 'checked_in' THEN $4 ELSE checked_in_at END
     WHERE id = $1 AND status = $2";
