//! What an appointment's changes tell: the holder's SMS and e-mail, the
//! webhooks of other systems, and the first citizen on the waitlist when a
//! place frees.

use super::local_name;
use crate::app::sites::SiteContext;
use crate::app::{App, AppResult};
use crate::notify::{self, messages};
use crate::store::appointments::{AppointmentRow, Reminder};
use crate::store::{self, Tx};

/// What a message to an appointment's holder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::app) enum Notice {
    Booked,
    Rescheduled,
    Cancelled,
    Reminder(Reminder),
}

/// Queues the message of a change to the holder (SMS, and e-mail when known).
pub(in crate::app) async fn notify_holder(
    tx: &mut Tx,
    context: &SiteContext,
    row: &AppointmentRow,
    notice: Notice,
    link: &str,
    now: i64,
) -> AppResult<()> {
    let Some(phone) = &row.phone else {
        return Ok(());
    };
    let service = context
        .service(&row.service_id)
        .map_or(row.service_id.as_str(), |s| {
            local_name(&row.lang, &s.name, &s.name_ar)
        });
    let office = local_name(&row.lang, &context.row.name, &context.row.name_ar);
    let start = jiff::Timestamp::from_millisecond(row.start_at).unwrap_or_default();
    let when = messages::local_when(start, &context.zone);
    let about = messages::AboutAppointment {
        reference: &row.reference,
        service,
        office,
        when: &when,
        link,
        video_url: row.video_url.as_deref(),
    };
    let lang = row.lang.as_str();
    let (template, body) = match notice {
        Notice::Booked => ("appointment_booked", messages::booked(lang, &about)),
        Notice::Rescheduled => (
            "appointment_rescheduled",
            messages::rescheduled(lang, &about),
        ),
        Notice::Cancelled => ("appointment_cancelled", messages::cancelled(lang, &about)),
        Notice::Reminder(Reminder::DayBefore) => ("reminder_day", messages::reminder(lang, &about)),
        Notice::Reminder(Reminder::HoursBefore) => {
            ("reminder_hours", messages::reminder(lang, &about))
        }
    };
    // One message per change: the key names the appointment and the slot.
    let key = format!("{template}:{}:{}", row.id, row.start_at);
    let (sms_more, email_more) = crate::app::bring::for_message(context, row, notice);
    let sms = notify::sms(
        Some(&row.site_id),
        template,
        phone,
        body.clone() + &sms_more,
        key,
        now,
    );
    if let Some(address) = &row.email {
        let subject = format!("{} {}", row.reference, office);
        let card = context.email_card(&row.lang, &row.reference);
        let text = store::outbox::NewMessage {
            body: body + &email_more,
            ..sms.clone()
        };
        store::outbox::enqueue(tx, &notify::email(&text, address, subject, &card)).await?;
    }
    store::outbox::enqueue(tx, &sms).await?;
    Ok(())
}

/// Queues the event for other systems' webhooks: what, when, no personal data.
pub(super) async fn announce(
    tx: &mut Tx,
    row: &AppointmentRow,
    event: &'static str,
    now: i64,
) -> AppResult<()> {
    let data = webhook_data(row);
    crate::notify::webhooks::enqueue(tx, &row.site_id, event, &row.reference, data, now).await?;
    Ok(())
}

/// What a webhook learns of an appointment: never who holds it.
pub(in crate::app) fn webhook_data(row: &AppointmentRow) -> serde_json::Value {
    serde_json::json!({"reference": row.reference, "service": row.service_id,
        "mode": row.mode, "start_at": row.start_at, "persons": row.persons, "status": row.status})
}

/// Tells the first citizen on the waitlist for that day that a place freed.
pub(super) async fn offer_freed_place(
    tx: &mut Tx,
    app: &App,
    context: &SiteContext,
    freed: &AppointmentRow,
    now: i64,
) -> AppResult<()> {
    let day = context.day_of(freed.start_at);
    let Some(entry) = store::waitlist::offer_first(
        tx,
        &freed.site_id,
        &freed.service_id,
        &day,
        freed.start_at,
        now,
    )
    .await?
    else {
        return Ok(());
    };
    let service = context
        .service(&freed.service_id)
        .map_or(freed.service_id.as_str(), |s| {
            local_name(&entry.lang, &s.name, &s.name_ar)
        });
    let office = local_name(&entry.lang, &context.row.name, &context.row.name_ar);
    let start = jiff::Timestamp::from_millisecond(freed.start_at).unwrap_or_default();
    let when = messages::local_when(start, &context.zone);
    let link = app
        .links
        .booking_link(&freed.site_id, &freed.service_id, &day);
    let body = messages::place_freed(&entry.lang, service, office, &when, &link);
    let key = format!("waitlist:{}", entry.id);
    let sms = notify::sms(
        Some(&freed.site_id),
        "waitlist_offer",
        &entry.phone,
        body,
        key,
        now,
    );
    store::outbox::enqueue(tx, &sms).await?;
    Ok(())
}
