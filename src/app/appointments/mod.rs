//! Booking, reading, cancelling and moving appointments (the rules:
//! docs/appointments.md).
//!
//! A booking takes its places with one conditional statement on the slot's
//! row (`store::appointments::TAKE_PLACES`) in the transaction that inserts
//! the appointment and queues its confirmation; a unique index keeps one
//! active appointment per phone, service and site. A slot already full is
//! refused from a read, before any write transaction.

mod notices;

pub use super::access::Access;
use super::auth::Principal;
use super::otp;
use super::rate_limit::{self, Creation};
use super::sites::SiteContext;
use super::slots::{bookable_service, bookable_slot, parse_mode};
use super::{App, AppError, AppResult};
use crate::domain::role::Role;
use crate::domain::slots::Slot;
use crate::domain::{Invalid, parse_label, parse_within, phone::Phone};
use crate::secrets::{hash_token, human_code, new_id, new_token};
use crate::store::appointments::AppointmentRow;
use crate::store::{self, Tx};
pub(super) use notices::{Notice, notify_holder, webhook_data};
use notices::{announce, offer_freed_place};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAppointment {
    pub service: String,
    /// `in_person` (default) or `video`.
    pub mode: Option<String>,
    /// A slot's `start`, as the slot list gives it.
    pub start: String,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    /// Places taken, 1 to 4 (default 1).
    pub persons: Option<i64>,
    /// The code sent by `POST /api/v1/otp`, on sites that verify phones.
    pub otp: Option<String>,
    /// `fr` (default), `ar` or `en`: the language of messages.
    pub lang: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reschedule {
    pub start: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentView {
    pub id: String,
    pub reference: String,
    /// Given once, at booking: it reads, cancels and moves the appointment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manage_token: Option<String>,
    pub site: String,
    pub service: String,
    pub mode: String,
    pub start: String,
    pub end: String,
    /// `booked`, `checked_in`, `done`, `no_show` or `cancelled`.
    pub status: String,
    pub persons: i64,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked_in_at: Option<String>,
    /// Set once the retention sweep has erased name, phone and e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_data_erased_at: Option<String>,
}

/// Books a slot for the public, from the `client` address: its place in
/// the booking limits is taken before anything else is read.
pub async fn book(
    app: &App,
    client: &str,
    site: &str,
    input: NewAppointment,
) -> AppResult<AppointmentView> {
    rate_limit::creation(app, Creation::Booking, client, &input.phone).await?;
    counting_conflicts(app, site, book_slot(app, site, input).await)
}

/// Counts a refusal for a taken slot or phone, for `/metrics`.
fn counting_conflicts<T>(app: &App, site: &str, result: AppResult<T>) -> AppResult<T> {
    if let Err(AppError::Conflict { code, .. }) = &result
        && matches!(*code, "slot_full" | "already_booked")
    {
        app.activity.booking_conflict(site, code);
    }
    result
}

async fn book_slot(app: &App, site: &str, input: NewAppointment) -> AppResult<AppointmentView> {
    let context = SiteContext::load(app, site).await?;
    let service = bookable_service(&context, &input.service)?.clone();
    let mode = parse_mode(&service, input.mode.as_deref())?;
    let name = parse_label("name", &input.name, 120)?;
    let phone = Phone::parse(&input.phone)?;
    let email = input.email.as_deref().map(parse_email).transpose()?;
    let persons = parse_within("persons", input.persons.unwrap_or(1), 1..=4)?;
    let lang = super::tickets::parse_lang(input.lang.as_deref())?;
    if persons > service.slot_capacity {
        return Err(Invalid::new(
            "persons",
            format!("at most {} per slot here", service.slot_capacity),
        )
        .into());
    }
    let now = app.clock.now();
    let slot = bookable_slot(&context, &service, &input.start, now)?;
    let start = slot.start.as_millisecond();
    // A full slot is refused from a read: a flash crowd on a few slots
    // costs the writer nothing once they are taken.
    let taken = store::appointments::taken_at(&app.db, site, &service.id, start).await?;
    if taken + persons > service.slot_capacity {
        return Err(slot_full());
    }
    let proof = match context.row.verify_phone {
        true => Some(otp::check(app, &phone, input.otp.as_deref()).await?),
        false => None,
    };
    let token = new_token();
    let now = now.as_millisecond();
    let row = AppointmentRow {
        id: new_id(),
        site_id: site.to_owned(),
        service_id: service.id.clone(),
        mode: mode.to_owned(),
        start_at: start,
        end_at: slot.end.as_millisecond(),
        local_day: context.day_of(start),
        reference: new_reference(),
        manage_token_hash: hash_token(&token),
        name: Some(name),
        phone: Some(phone.to_string()),
        email,
        lang: lang.to_owned(),
        persons,
        status: "booked".to_owned(),
        video_url: (mode == "video").then(|| app.links.video_link()),
        created_at: now,
        updated_at: now,
        checked_in_at: None,
        personal_data_erased_at: None,
        reminded_day_at: None,
        reminded_hours_at: None,
    };
    let mut tx = app.db.begin().await?;
    if let Some(proof) = &proof {
        otp::use_up(&mut tx, proof, now).await?;
    }
    if !store::appointments::take_places(&mut tx, &row, start, service.slot_capacity).await? {
        return Err(slot_full());
    }
    store::appointments::insert(&mut tx, &row)
        .await
        .map_err(|e| {
            AppError::unless_conflict(e, || {
                AppError::conflict(
                    "already_booked",
                    "this phone already has an appointment for this service here",
                )
            })
        })?;
    let link = app.links.manage_link(&row.reference, &token);
    notify_holder(&mut tx, &context, &row, Notice::Booked, &link, now).await?;
    announce(&mut tx, &row, "appointment.booked", now).await?;
    tx.commit().await?;
    let mut view = view(&context, row);
    view.manage_token = Some(token);
    Ok(view)
}

/// The appointment, for its holder or the staff of its site.
pub async fn get(app: &App, reference: &str, access: Access<'_>) -> AppResult<AppointmentView> {
    let row = authorized(app, reference, access).await?;
    let context = SiteContext::load(app, &row.site_id).await?;
    Ok(view(&context, row))
}

/// Cancels a booked appointment and frees its places at once; the first
/// citizen waiting for a place that day is offered it.
pub async fn cancel(app: &App, reference: &str, access: Access<'_>) -> AppResult<AppointmentView> {
    let found = authorized(app, reference, access).await?;
    let context = SiteContext::load(app, &found.site_id).await?;
    let now = app.clock.now_ms();
    let mut tx = app.db.begin().await?;
    let mut row = locked_booking(&mut tx, reference).await?;
    store::appointments::release_places(&mut tx, &row, row.start_at).await?;
    row.status = "cancelled".to_owned();
    row.updated_at = now;
    store::appointments::update(&mut tx, &row).await?;
    notify_holder(&mut tx, &context, &row, Notice::Cancelled, "", now).await?;
    announce(&mut tx, &row, "appointment.cancelled", now).await?;
    if row.start_at > now {
        offer_freed_place(&mut tx, app, &context, &row, now).await?;
    }
    tx.commit().await?;
    Ok(view(&context, row))
}

/// Moves a booked appointment to another slot of its service: the new
/// places are taken and the old ones freed in one transaction, or nothing
/// changes.
pub async fn reschedule(
    app: &App,
    reference: &str,
    access: Access<'_>,
    input: Reschedule,
) -> AppResult<AppointmentView> {
    let found = authorized(app, reference, access).await?;
    let site = found.site_id.clone();
    counting_conflicts(app, &site, move_booking(app, found, input).await)
}

async fn move_booking(
    app: &App,
    found: AppointmentRow,
    input: Reschedule,
) -> AppResult<AppointmentView> {
    let reference = found.reference.clone();
    let reference = reference.as_str();
    let context = SiteContext::load(app, &found.site_id).await?;
    let service = bookable_service(&context, &found.service_id)?.clone();
    let now = app.clock.now();
    let slot = bookable_slot(&context, &service, &input.start, now)?;
    let start = slot.start.as_millisecond();
    if start == found.start_at {
        return Ok(view(&context, found));
    }
    let taken = store::appointments::taken_at(&app.db, &found.site_id, &service.id, start).await?;
    if taken + found.persons > service.slot_capacity {
        return Err(slot_full());
    }
    let now = now.as_millisecond();
    let mut tx = app.db.begin().await?;
    let mut row = locked_booking(&mut tx, reference).await?;
    let old = row.start_at;
    move_places(&mut tx, &row, old, start, service.slot_capacity).await?;
    move_to(&mut row, &context, slot, now);
    store::appointments::update(&mut tx, &row).await?;
    let link = app.links.manage_page(&row.reference);
    notify_holder(&mut tx, &context, &row, Notice::Rescheduled, &link, now).await?;
    let mut data = webhook_data(&row);
    data["previous_start_at"] = old.into();
    let (event, key) = (
        "appointment.rescheduled",
        format!("{reference}:{old}:{start}:{now}"),
    );
    crate::notify::webhooks::enqueue(&mut tx, &row.site_id, event, &key, data, now).await?;
    if old > now {
        offer_freed_place(&mut tx, app, &context, &row_at(&row, old), now).await?;
    }
    tx.commit().await?;
    Ok(view(&context, row))
}

/// A site's appointments on one local day, for its staff.
pub async fn of_day(
    app: &App,
    who: &Principal,
    site: &str,
    day: Option<&str>,
) -> AppResult<Vec<AppointmentView>> {
    who.require_staff(site, &[Role::Agent, Role::Supervisor])?;
    let context = SiteContext::load(app, site).await?;
    let day = match day {
        Some(day) => crate::domain::time::parse_date("date", day)?.to_string(),
        None => context.day_of(app.clock.now_ms()),
    };
    let rows = store::appointments::of_day(&app.db, site, &day).await?;
    Ok(rows.into_iter().map(|row| view(&context, row)).collect())
}

/// Takes the places of the new slot and frees those of the old, locking
/// the two slots' rows in time order so that two moves never deadlock.
async fn move_places(
    tx: &mut Tx,
    row: &AppointmentRow,
    old: i64,
    new: i64,
    capacity: i64,
) -> AppResult<()> {
    if old > new {
        store::appointments::release_places(tx, row, old).await?;
    }
    if !store::appointments::take_places(tx, row, new, capacity).await? {
        return Err(slot_full());
    }
    if old < new {
        store::appointments::release_places(tx, row, old).await?;
    }
    Ok(())
}

fn move_to(row: &mut AppointmentRow, context: &SiteContext, slot: Slot, now: i64) {
    row.start_at = slot.start.as_millisecond();
    row.end_at = slot.end.as_millisecond();
    row.local_day = context.day_of(row.start_at);
    row.updated_at = now;
    row.reminded_day_at = None;
    row.reminded_hours_at = None;
}

fn row_at(row: &AppointmentRow, start: i64) -> AppointmentRow {
    AppointmentRow {
        start_at: start,
        ..row.clone()
    }
}

/// The appointment if the caller may see it; a wrong token is a 404, as
/// if there were no such reference.
async fn authorized(app: &App, reference: &str, access: Access<'_>) -> AppResult<AppointmentRow> {
    let row = store::appointments::by_reference(&app.db, reference)
        .await?
        .ok_or(AppError::NotFound("appointment"))?;
    let staff = [Role::Agent, Role::Supervisor];
    if access.allows(
        &row.manage_token_hash,
        row.phone.as_deref(),
        &row.site_id,
        &staff,
    ) {
        Ok(row)
    } else {
        Err(AppError::NotFound("appointment"))
    }
}

/// The appointment, locked, if it is still booked.
async fn locked_booking(tx: &mut Tx, reference: &str) -> AppResult<AppointmentRow> {
    let row = store::appointments::for_update(tx, reference)
        .await?
        .ok_or(AppError::NotFound("appointment"))?;
    if row.status != "booked" {
        return Err(AppError::conflict(
            "not_booked",
            format!("the appointment is {}", row.status),
        ));
    }
    Ok(row)
}

pub(super) fn local_name<'a>(lang: &str, name: &'a str, name_ar: &'a Option<String>) -> &'a str {
    match (lang, name_ar) {
        ("ar", Some(arabic)) => arabic,
        _ => name,
    }
}

pub(super) fn view(context: &SiteContext, row: AppointmentRow) -> AppointmentView {
    AppointmentView {
        start: context.local(row.start_at),
        end: context.local(row.end_at),
        checked_in_at: row.checked_in_at.map(|at| context.local(at)),
        personal_data_erased_at: row.personal_data_erased_at.map(|at| context.local(at)),
        manage_token: None,
        id: row.id,
        reference: row.reference,
        site: row.site_id,
        service: row.service_id,
        mode: row.mode,
        status: row.status,
        persons: row.persons,
        name: row.name,
        phone: row.phone,
        email: row.email,
        video_url: row.video_url,
    }
}

fn slot_full() -> AppError {
    AppError::conflict("slot_full", "no place left in this slot")
}

/// A short reference people can read out: `K7M2-Q9PX`.
fn new_reference() -> String {
    format!("{}-{}", human_code(4), human_code(4))
}

pub(crate) fn parse_email(value: &str) -> Result<String, Invalid> {
    let value = value.trim();
    let ok = value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    if ok {
        Ok(value.to_owned())
    } else {
        Err(Invalid::new("email", "an address such as nom@example.ma"))
    }
}
