//! The acknowledgement of receipt of a document request, however it was
//! filed (docs/requests.md): the channel it came through, the SMS and/or
//! e-mail that say what was received, its reference and its expected day,
//! and the private link of its printable receipt.

use super::auth::Principal;
use super::sites::SiteContext;
use super::{App, AppError, AppResult};
use crate::domain::role::{DeviceKind, Role};
use crate::notify::{self, messages};
use crate::store::requests::RequestRow;
use crate::store::{self, Tx};

/// How a request was filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// The portal or the public API.
    Online,
    /// The lobby's kiosk of the site.
    Kiosk,
    /// Staff of the site, at the reception or a counter.
    Desk,
    /// The agent serving a walk-in visit, from its ticket.
    Ticket,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Kiosk => "kiosk",
            Self::Desk => "desk",
            Self::Ticket => "ticket",
        }
    }

    /// The channel of a filing at `site` by `who`: its staff file at the
    /// desk, its kiosk at the kiosk, anyone else (a citizen, staff of
    /// another office) online. Another site's kiosk, or a display, may not
    /// file.
    pub fn of(who: Option<&Principal>, site: &str) -> AppResult<Self> {
        match who {
            Some(w)
                if w.require_staff(site, &[Role::Agent, Role::Supervisor])
                    .is_ok() =>
            {
                Ok(Self::Desk)
            }
            Some(Principal::Device {
                kind: DeviceKind::Kiosk,
                site: own,
                ..
            }) if own == site => Ok(Self::Kiosk),
            Some(Principal::Device { .. }) => Err(AppError::Forbidden(
                "a kiosk files requests for its own site only",
            )),
            _ => Ok(Self::Online),
        }
    }
}

/// The receipt's private link: the token rides in the query, as the
/// manage links' do.
pub fn url(app: &App, reference: &str, token: &str) -> String {
    format!(
        "{}/requests/{reference}/receipt?token={token}",
        app.links.public_url
    )
}

/// Queues the acknowledgement of a request just filed: an SMS to its
/// phone and an e-mail to its address, whichever it has, in its language.
/// The outbox's idempotency keys (`request_received:{id}`, and
/// `…:email`) make each one at most once per request.
pub(super) async fn acknowledge(
    tx: &mut Tx,
    context: &SiteContext,
    row: &RequestRow,
    now: i64,
) -> AppResult<()> {
    let (service, office) = names(context, row);
    let ready_on = day_month_year(&row.expected_ready_on);
    let body = messages::request_received(&row.lang, &row.reference, service, office, &ready_on);
    tell(tx, context, row, "request_received", body, now).await
}

/// A request's service and office, named in its language.
pub(super) fn names<'a>(context: &'a SiteContext, row: &'a RequestRow) -> (&'a str, &'a str) {
    let lang = row.lang.as_str();
    let service = context
        .service(&row.service_id)
        .map_or(row.service_id.as_str(), |s| {
            super::appointments::local_name(lang, &s.name, &s.name_ar)
        });
    let office = super::appointments::local_name(lang, &context.row.name, &context.row.name_ar);
    (service, office)
}

/// Queues `body` for the request's citizen: by SMS to its phone and by
/// e-mail to its address, whichever it has, once per request and
/// `template` (the outbox's idempotency key `{template}:{id}`).
pub(super) async fn tell(
    tx: &mut Tx,
    context: &SiteContext,
    row: &RequestRow,
    template: &'static str,
    body: String,
    now: i64,
) -> AppResult<()> {
    let key = format!("{template}:{}", row.id);
    let phone = row.phone.as_deref().unwrap_or("");
    let sms = notify::sms(Some(&row.site_id), template, phone, body, key, now);
    if let Some(address) = &row.email {
        let (_, office) = names(context, row);
        let subject = format!("{} — {}", row.reference, office);
        let card = context.email_card(&row.lang, &row.reference);
        store::outbox::enqueue(tx, &notify::email(&sms, address, subject, &card)).await?;
    }
    if row.phone.is_some() {
        store::outbox::enqueue(tx, &sms).await?;
    }
    Ok(())
}

/// `2026-12-02` (or an RFC 3339 instant starting so) → `02/12/2026`, as
/// Moroccan offices write dates.
pub fn day_month_year(day: &str) -> String {
    match (day.get(0..4), day.get(5..7), day.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => day.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kiosk_files_for_its_own_site_only() {
        let kiosk = Principal::Device {
            id: "k1".into(),
            kind: DeviceKind::Kiosk,
            site: "agdal".into(),
        };
        assert_eq!(Channel::of(Some(&kiosk), "agdal").unwrap(), Channel::Kiosk);
        assert!(matches!(
            Channel::of(Some(&kiosk), "maarif"),
            Err(AppError::Forbidden(_))
        ));
        assert_eq!(Channel::of(None, "agdal").unwrap(), Channel::Online);
    }

    #[test]
    fn days_read_the_moroccan_way() {
        assert_eq!(day_month_year("2026-12-02"), "02/12/2026");
        assert_eq!(day_month_year("2026-11-23T09:05:00+01:00"), "23/11/2026");
    }
}
