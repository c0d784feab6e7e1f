//! What a citizen needs for an appointment in person, as its confirmation
//! (page, manage page, SMS, e-mail, calendar file) says it: the service's
//! documents, the office's address and its opening on that day, and the
//! reference to type at the kiosk on arrival.

use super::appointments::Notice;
use super::services::RequiredDocument;
use super::sites::SiteContext;
use crate::notify::messages;
pub use crate::notify::messages::Bring;
use crate::store::appointments::AppointmentRow;

/// What to bring to `service` at the office of `context`, on the local day
/// of `start_ms`, in `mode` (a video appointment needs neither address
/// nor kiosk), in `lang` (`fr`, `ar`, `en`).
pub fn for_appointment(
    context: &SiteContext,
    service: &str,
    mode: &str,
    start_ms: i64,
    lang: &str,
) -> Bring {
    let arabic = lang == "ar";
    let documents: Vec<RequiredDocument> = context
        .service(service)
        .and_then(|s| serde_json::from_str(&s.required_documents).ok())
        .unwrap_or_default();
    let documents = documents
        .into_iter()
        .map(|d| match d.name_ar {
            Some(ar) if arabic && !ar.is_empty() => ar,
            _ => d.name,
        })
        .collect();
    if mode == "video" {
        return Bring {
            documents,
            ..Bring::default()
        };
    }
    let row = &context.row;
    let address = match (&row.address_ar, &row.address) {
        (Some(ar), _) if arabic && !ar.is_empty() => Some(ar.clone()),
        (_, address) => address.clone().filter(|a| !a.is_empty()),
    };
    let day = jiff::Timestamp::from_millisecond(start_ms)
        .map(|t| t.to_zoned(context.zone.clone()).date().weekday())
        .ok();
    let opening = day
        .map(|d| context.hours.on(d))
        .filter(|spans| !spans.is_empty())
        .map(|spans| {
            spans
                .iter()
                .map(|(from, to)| format!("{}–{}", clock(*from), clock(*to)))
                .collect::<Vec<_>>()
                .join(", ")
        });
    Bring {
        documents,
        address,
        opening,
        kiosk: true,
    }
}

/// `08:00`; the end of the day reads `24:00`.
fn clock(at: jiff::civil::Time) -> String {
    if at == jiff::civil::Time::MAX {
        "24:00".to_owned()
    } else {
        format!("{:02}:{:02}", at.hour(), at.minute())
    }
}

/// What a message about `row` adds to its SMS and to its e-mail: on
/// booking, the SMS names the documents and the kiosk; on booking or
/// moving, the e-mail lists the documents, the address and that day's
/// opening. Other messages add nothing.
pub(super) fn for_message(
    context: &SiteContext,
    row: &AppointmentRow,
    notice: Notice,
) -> (String, String) {
    if !matches!(notice, Notice::Booked | Notice::Rescheduled) {
        return (String::new(), String::new());
    }
    let (lang, reference) = (row.lang.as_str(), row.reference.as_str());
    let bring = for_appointment(context, &row.service_id, &row.mode, row.start_at, lang);
    let sms = match notice {
        Notice::Booked => messages::bring_sms(lang, &bring, reference),
        _ => String::new(),
    };
    (sms, messages::bring_text(lang, &bring, reference))
}
