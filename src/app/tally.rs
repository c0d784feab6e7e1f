//! `guichet tally SITE`: what the database holds for a site, as one JSON
//! object, for an operator reconciling it with what clients were told
//! (after an incident, or a load run): tickets and appointments by status,
//! each slot's booked persons beside the places its `slot_places` row says
//! are taken, and, when asked, every appointment's reference.

use super::{App, AppError, AppResult};
use crate::store;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct Tally {
    pub site: String,
    /// Tickets of every day, by status.
    pub tickets: BTreeMap<String, i64>,
    /// Appointments of every day, by status.
    pub appointments: BTreeMap<String, i64>,
    /// Every slot with a booked appointment or a `slot_places` row.
    pub slots: Vec<Slot>,
    /// The appointments' references, in order (only when asked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub references: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
pub struct Slot {
    pub service: String,
    /// The slot's start, RFC 3339 in UTC.
    pub start: String,
    /// Appointments still `booked` in it, and their persons.
    pub booked: i64,
    pub persons: i64,
    /// Places its `slot_places` row says are taken (0 without a row).
    pub taken: i64,
}

pub async fn site(app: &App, site: &str, references: bool) -> AppResult<Tally> {
    store::sites::get(&app.db, site)
        .await?
        .ok_or(AppError::NotFound("site"))?;
    let tickets = store::tally::tickets_by_status(&app.db, site).await?;
    let appointments = store::tally::appointments_by_status(&app.db, site).await?;
    let booked = store::tally::booked_slots(&app.db, site).await?;
    let places = store::tally::slot_places(&app.db, site).await?;
    let references = match references {
        true => Some(store::tally::references(&app.db, site).await?),
        false => None,
    };
    // (appointments, persons, taken) of each (service, start).
    let mut counts = BTreeMap::<(String, i64), (i64, i64, i64)>::new();
    for (service, start, count, persons) in booked {
        let entry = counts.entry((service, start)).or_default();
        (entry.0, entry.1) = (count, persons);
    }
    for (service, start, taken) in places {
        counts.entry((service, start)).or_default().2 = taken;
    }
    let mut slots = Vec::with_capacity(counts.len());
    for ((service, start), (booked, persons, taken)) in counts {
        let start =
            jiff::Timestamp::from_millisecond(start).map_err(|e| AppError::Internal(e.into()))?;
        slots.push(Slot {
            service,
            start: start.to_string(),
            booked,
            persons,
            taken,
        });
    }
    Ok(Tally {
        site: site.to_owned(),
        tickets: tickets.into_iter().collect(),
        appointments: appointments.into_iter().collect(),
        slots,
        references,
    })
}
