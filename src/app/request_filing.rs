//! Filing a document request (docs/requests.md): who files through which
//! channel and under which limits, then one transaction that writes the
//! request, its first step and its acknowledgement of receipt.

use super::appointments::parse_email;
use super::auth::Principal;
use super::filing::Filing;
use super::rate_limit::{self, Creation};
use super::receipts::{self, Channel};
use super::requests::{NewRequest, RequestView, view};
use super::sites::SiteContext;
use super::ticket_requests::Visit;
use super::{App, AppError, AppResult};
use crate::domain::request::RequestStatus;
use crate::domain::{Invalid, parse_label, phone::Phone};
use crate::store;
use crate::store::history::{self, REQUESTS, StepRow};
use crate::store::requests::RequestRow;

/// Files a request through the public API or a page: online (anyone, a
/// phone proved by its code where the office verifies phones), at the
/// site's kiosk (the phone optional, proved the same way when given), or
/// by its staff at the desk. Online and kiosk filings take their places in
/// the request limits before anything else is read; a kiosk counts as its
/// own address (`device:{id}`), not the office network's.
pub async fn create(
    app: &App,
    who: Option<&Principal>,
    client: &str,
    site: &str,
    input: NewRequest,
) -> AppResult<RequestView> {
    let channel = Channel::of(who, site)?;
    let phone = input
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    match (channel, who) {
        (Channel::Kiosk, Some(kiosk)) => {
            let subject = kiosk.actor();
            rate_limit::creation(app, Creation::Request, &subject, phone.unwrap_or("")).await?;
        }
        (Channel::Online, _) => {
            rate_limit::creation(app, Creation::Request, client, phone.unwrap_or("")).await?;
        }
        _ => {}
    }
    if channel == Channel::Online && phone.is_none() {
        return Err(Invalid::new("phone", "a phone number is required online").into());
    }
    let context = SiteContext::load(app, site).await?;
    let phone = phone.map(Phone::parse).transpose()?;
    let filed = Filed {
        service: input.service,
        name: input.name,
        phone,
        email: input.email,
        lang: input.lang,
        channel,
        visit: None,
        actor: who.map_or_else(|| "citizen".to_owned(), Principal::actor),
    };
    let seen = channel == Channel::Desk;
    file(app, &context, filed, input.otp.as_deref(), seen).await
}

/// A request about to be filed, its fields as given.
pub(super) struct Filed {
    pub service: String,
    pub name: String,
    pub phone: Option<Phone>,
    pub email: Option<String>,
    pub lang: Option<String>,
    pub channel: Channel,
    /// The visit it comes from.
    pub visit: Option<Visit>,
    pub actor: String,
}

/// Checks and writes a request with its first step and its
/// acknowledgement, in one transaction (with the phone's code used up).
/// `seen`: staff have seen the citizen, no code is asked.
pub(super) async fn file(
    app: &App,
    context: &SiteContext,
    input: Filed,
    code: Option<&str>,
    seen: bool,
) -> AppResult<RequestView> {
    let service = context
        .service(&input.service)
        .cloned()
        .ok_or_else(|| Invalid::new("service", format!("no service {:?} here", input.service)))?;
    let name = parse_label("name", &input.name, 120)?;
    let email = input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    let email = email.map(parse_email).transpose()?;
    let lang = super::tickets::parse_lang(input.lang.as_deref())?;
    let phone = input.phone.as_ref();
    let filing = Filing::begin(app, context, "DR", phone, code, seen).await?;
    let now = filing.now;
    let ready_on = context
        .hours
        .working_days_after(
            filing.today(context)?,
            service.processing_days,
            &context.closures,
        )
        .ok_or_else(|| AppError::conflict("site_never_open", "this office has no opening hours"))?;
    let visit = input.visit;
    let row = RequestRow {
        id: filing.id.clone(),
        site_id: context.row.id.clone(),
        service_id: service.id.clone(),
        reference: filing.reference.clone(),
        token_hash: filing.token_hash(),
        name: Some(name),
        phone: phone.map(ToString::to_string),
        email,
        lang: lang.to_owned(),
        status: RequestStatus::Submitted.as_str().to_owned(),
        reason: None,
        expected_ready_on: ready_on.to_string(),
        created_at: now,
        updated_at: now,
        channel: input.channel.as_str().to_owned(),
        ticket_id: visit.as_ref().map(|v| v.id.clone()),
        personal_data_erased_at: None,
    };
    // The first step of a request filed from a visit notes the ticket's number.
    let note = visit.as_ref().map(|v| v.number.clone());
    let step = StepRow::new(&row.status, now, input.actor, note);
    let mut tx = filing.open(app).await?;
    if let Some(visit) = &visit {
        super::ticket_requests::still_served(&mut tx, visit, &row.service_id).await?;
    }
    store::requests::insert(&mut tx, &row).await?;
    history::add(&mut tx, REQUESTS, &row.id, &step).await?;
    receipts::acknowledge(&mut tx, context, &row, now).await?;
    tx.commit().await?;
    let mut view = view(context, row, vec![step], true);
    view.receipt_url = Some(receipts::url(app, &view.reference, &filing.token));
    view.token = Some(filing.token);
    Ok(view)
}
