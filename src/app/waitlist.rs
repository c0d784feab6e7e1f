//! The waitlist: a citizen asks to be told by SMS when a place frees in a
//! range of days earlier than what they could book. When a booked place is
//! cancelled or moved away, the first citizen waiting for that day (who
//! does not already hold a place as early) is offered it.

use super::otp;
use super::rate_limit::{self, Creation};
use super::sites::SiteContext;
use super::slots::bookable_service;
use super::{App, AppResult};
use crate::domain::time::{local_day, parse_date};
use crate::domain::{Invalid, phone::Phone};
use crate::secrets::new_id;
use crate::store::{self, waitlist::WaitlistRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinWaitlist {
    pub phone: String,
    /// First and last local days that would suit, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    pub otp: Option<String>,
    pub lang: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WaitlistEntry {
    pub id: String,
    pub site: String,
    pub service: String,
    pub from: String,
    pub to: String,
}

/// Puts a phone on a service's waiting list, from the `client` address:
/// its place in the waitlist limits is taken before anything else is read.
pub async fn join(
    app: &App,
    client: &str,
    site: &str,
    service: &str,
    input: JoinWaitlist,
) -> AppResult<WaitlistEntry> {
    rate_limit::creation(app, Creation::Waitlist, client, &input.phone).await?;
    let context = SiteContext::load(app, site).await?;
    let service = bookable_service(&context, service)?.clone();
    let phone = Phone::parse(&input.phone)?;
    let lang = super::tickets::parse_lang(input.lang.as_deref())?;
    let from = parse_date("from", &input.from)?;
    let to = parse_date("to", &input.to)?;
    let now = app.clock.now();
    let today = local_day(now, &context.zone);
    let horizon = today
        .checked_add(jiff::Span::new().days(service.horizon_days))
        .unwrap_or(today);
    if from < today {
        return Err(Invalid::new("from", "this day has passed").into());
    }
    if to < from || to > horizon {
        return Err(Invalid::new(
            "to",
            format!("from `from` to {horizon}, the last day that can be booked"),
        )
        .into());
    }
    let proof = match context.row.verify_phone {
        true => Some(otp::check(app, &phone, input.otp.as_deref()).await?),
        false => None,
    };
    let now = now.as_millisecond();
    let mut row = WaitlistRow {
        id: new_id(),
        site_id: site.to_owned(),
        service_id: service.id.clone(),
        phone: phone.to_string(),
        from_day: from.to_string(),
        to_day: to.to_string(),
        lang: lang.to_owned(),
        created_at: now,
        offered_at: None,
    };
    let mut tx = app.db.begin().await?;
    if let Some(proof) = &proof {
        otp::use_up(&mut tx, proof, now).await?;
    }
    row.id = store::waitlist::upsert(&mut tx, &row).await?;
    tx.commit().await?;
    Ok(WaitlistEntry {
        id: row.id,
        site: row.site_id,
        service: row.service_id,
        from: row.from_day,
        to: row.to_day,
    })
}
