//! Document requests (docs/notifications.md): a citizen, or an agent
//! at the counter for them, asks for a certificate; agents move it
//! `submitted → processing → ready → delivered`, or reject it with a
//! reason. Every step is recorded with who and when; the citizen is told by
//! SMS (and e-mail) when it is ready or rejected.

use super::appointments::Access;
use super::auth::Principal;
use super::receipts;
use super::sites::SiteContext;
use super::{App, AppError, AppResult};
use crate::domain::request::RequestStatus;
use crate::domain::role::{DeviceKind, Role};
use crate::domain::{Invalid, parse_label};
use crate::notify::{messages, webhooks};
use crate::store::history::{self, REQUESTS, StepRow};
use crate::store::requests::RequestRow;
use crate::store::{self, Tx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    pub service: String,
    pub name: String,
    /// E.164, proved by `otp` where the office verifies phones. Required
    /// online; optional at the kiosk and the desk.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The code sent by `POST /api/v1/otp`, unless an agent files it.
    pub otp: Option<String>,
    pub lang: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeStatus {
    /// `processing`, `ready`, `delivered` or `rejected`.
    pub status: String,
    /// Required to reject; sent to the citizen.
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Step {
    pub status: String,
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The walk-in visit (ticket number) a request was filed from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visit: Option<String>,
    /// Who took the step (`user:{username}`, `device:{id}` or `citizen`);
    /// shown to staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestView {
    pub id: String,
    pub reference: String,
    /// Given once, when the request is filed: it reads the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Given once, with the token: the printable receipt, a private link
    /// that carries the token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_url: Option<String>,
    /// `online`, `kiosk`, `desk` or `ticket`: how it was filed.
    pub channel: String,
    /// The walk-in ticket it was filed from, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    pub site: String,
    pub service: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The local day it should be ready, counted in the office's working days.
    pub expected_ready_on: String,
    pub name: Option<String>,
    pub created_at: String,
    /// Set once the retention sweep has erased name, phone and e-mail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_data_erased_at: Option<String>,
    /// Every step, oldest first; left out of lists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Step>,
}

pub use super::request_filing::create;

/// The request with its history, for its holder, the citizen whose phone
/// it is, or the site's staff; 404 for anyone else.
pub async fn get(app: &App, reference: &str, access: Access<'_>) -> AppResult<RequestView> {
    let row = store::requests::by_reference(&app.db, reference)
        .await?
        .ok_or(AppError::NotFound("request"))?;
    if !may_read(&row, access) {
        return Err(AppError::NotFound("request"));
    }
    let staff = access
        .who
        .is_some_and(|w| w.require_staff(&row.site_id, &STAFF).is_ok());
    let context = SiteContext::load(app, &row.site_id).await?;
    let history = history::list(&app.db, REQUESTS, &row.id).await?;
    Ok(view(&context, row, history, staff))
}

/// What the lobby kiosk shows of a request: where it stands, nothing
/// personal (no name, phone or rejection reason).
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestStatusView {
    pub reference: String,
    pub service: String,
    pub status: String,
    pub expected_ready_on: String,
}

/// A request's status for a kiosk of its own site: the reference the
/// citizen types is enough there, as the answer carries no personal data.
/// Any other caller, or a kiosk of another site, is told it does not exist.
pub async fn status_at_kiosk(
    app: &App,
    who: &Principal,
    reference: &str,
) -> AppResult<RequestStatusView> {
    let row = store::requests::by_reference(&app.db, reference)
        .await?
        .ok_or(AppError::NotFound("request"))?;
    let kiosk_here = matches!(who, Principal::Device { kind: DeviceKind::Kiosk, site, .. }
        if *site == row.site_id);
    if !kiosk_here {
        return Err(AppError::NotFound("request"));
    }
    Ok(RequestStatusView {
        reference: row.reference,
        service: row.service_id,
        status: row.status,
        expected_ready_on: row.expected_ready_on,
    })
}

/// Moves a request on (agents and supervisors of its site).
pub async fn set_status(
    app: &App,
    who: &Principal,
    reference: &str,
    input: ChangeStatus,
) -> AppResult<RequestView> {
    let found = store::requests::by_reference(&app.db, reference)
        .await?
        .ok_or(AppError::NotFound("request"))?;
    who.require_staff(&found.site_id, &[Role::Agent, Role::Supervisor])?;
    let next = RequestStatus::parse(&input.status)
        .filter(|s| *s != RequestStatus::Submitted)
        .ok_or_else(|| Invalid::new("status", "processing, ready, delivered or rejected"))?;
    let reason = match (next, input.reason.as_deref()) {
        (RequestStatus::Rejected, Some(reason)) => Some(parse_label("reason", reason, 300)?),
        (RequestStatus::Rejected, None) => {
            return Err(Invalid::new("reason", "say why the request is rejected").into());
        }
        (_, _) => None,
    };
    let context = SiteContext::load(app, &found.site_id).await?;
    let now = app.clock.now_ms();
    let mut tx = app.db.begin().await?;
    let mut row = store::requests::for_update(&mut tx, reference)
        .await?
        .ok_or(AppError::NotFound("request"))?;
    let from = RequestStatus::parse(&row.status)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown status {}", row.status)))?;
    if !from.may_become(next) {
        return Err(AppError::conflict(
            "invalid_transition",
            format!(
                "a {} request cannot become {}",
                from.as_str(),
                next.as_str()
            ),
        ));
    }
    row.status = next.as_str().to_owned();
    row.reason = reason.clone();
    row.updated_at = now;
    store::requests::set_status(&mut tx, &row).await?;
    let step = StepRow::new(&row.status, now, who.actor(), reason);
    history::add(&mut tx, REQUESTS, &row.id, &step).await?;
    tell_citizen(&mut tx, &context, &row, next, now).await?;
    let data = json!({"reference": row.reference, "service": row.service_id,
        "status": row.status, "expected_ready_on": row.expected_ready_on});
    let key = format!("{}:{}", row.reference, row.status);
    webhooks::enqueue(
        &mut tx,
        &row.site_id,
        "request.status_changed",
        &key,
        data,
        now,
    )
    .await?;
    tx.commit().await?;
    let history = history::list(&app.db, REQUESTS, &row.id).await?;
    Ok(view(&context, row, history, true))
}

/// A site's requests, in one status or all (its agents and supervisors).
pub async fn of_site(
    app: &App,
    who: &Principal,
    site: &str,
    status: Option<&str>,
) -> AppResult<Vec<RequestView>> {
    who.require_staff(site, &[Role::Agent, Role::Supervisor])?;
    if let Some(status) = status {
        RequestStatus::parse(status).ok_or_else(|| Invalid::new("status", "a request status"))?;
    }
    let context = SiteContext::load(app, site).await?;
    let rows = store::requests::of_site(&app.db, site, status).await?;
    Ok(rows
        .into_iter()
        .map(|r| view(&context, r, Vec::new(), true))
        .collect())
}

/// One page of a site's requests as the agents' page lists them.
pub struct DeskPage {
    /// Each request, and whether it is overdue: open past its promised day.
    pub requests: Vec<(RequestView, bool)>,
    /// How many requests of the site are in each status, and how many of
    /// those are overdue.
    pub counts: Vec<store::requests::StatusCount>,
    /// The site's local day the overdue ones are counted at.
    pub today: String,
}

/// The `page`th (from 0) `per_page` requests of `site` (of `status` only,
/// if given): overdue ones first, then the other open ones by promised
/// day, then the closed ones, last changed first.
pub async fn desk_page(
    app: &App,
    who: &Principal,
    site: &str,
    status: Option<&str>,
    page: i64,
    per_page: i64,
) -> AppResult<DeskPage> {
    who.require_staff(site, &STAFF)?;
    if let Some(status) = status {
        RequestStatus::parse(status).ok_or_else(|| Invalid::new("status", "a request status"))?;
    }
    let context = SiteContext::load(app, site).await?;
    let today = context.day_of(app.clock.now_ms());
    let offset = page.max(0).saturating_mul(per_page);
    let (rows, counts) = tokio::try_join!(
        store::requests::desk_page(&app.db, site, &today, status, per_page, offset),
        store::requests::desk_counts(&app.db, site, &today),
    )?;
    let open = [RequestStatus::Submitted, RequestStatus::Processing].map(|s| s.as_str());
    let requests = rows
        .into_iter()
        .map(|r| {
            let late = open.contains(&r.status.as_str()) && r.expected_ready_on < today;
            (view(&context, r, Vec::new(), true), late)
        })
        .collect();
    Ok(DeskPage {
        requests,
        counts,
        today,
    })
}

/// A citizen's own requests, newest first.
pub async fn of_citizen(app: &App, phone: &str) -> AppResult<Vec<RequestView>> {
    let rows = store::requests::of_phone(&app.db, phone).await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let context = SiteContext::load(app, &row.site_id).await?;
        views.push(view(&context, row, Vec::new(), false));
    }
    Ok(views)
}

const STAFF: [Role; 2] = [Role::Agent, Role::Supervisor];

fn may_read(row: &RequestRow, access: Access<'_>) -> bool {
    access.allows(&row.token_hash, row.phone.as_deref(), &row.site_id, &STAFF)
}

/// Queues the SMS and/or e-mail of a step the citizen must hear about.
async fn tell_citizen(
    tx: &mut Tx,
    context: &SiteContext,
    row: &RequestRow,
    status: RequestStatus,
    now: i64,
) -> AppResult<()> {
    let lang = row.lang.as_str();
    let (service, office) = receipts::names(context, row);
    let (template, body) = match status {
        RequestStatus::Ready => (
            "request_ready",
            messages::request_ready(lang, &row.reference, service, office),
        ),
        RequestStatus::Rejected => (
            "request_rejected",
            messages::request_rejected(
                lang,
                &row.reference,
                service,
                row.reason.as_deref().unwrap_or(""),
            ),
        ),
        _ => return Ok(()),
    };
    receipts::tell(tx, context, row, template, body, now).await
}

/// A request as the API shows it; `staff` see who took each step.
pub(super) fn view(
    context: &SiteContext,
    row: RequestRow,
    history: Vec<StepRow>,
    staff: bool,
) -> RequestView {
    let submitted = RequestStatus::Submitted.as_str();
    RequestView {
        created_at: context.local(row.created_at),
        personal_data_erased_at: row.personal_data_erased_at.map(|at| context.local(at)),
        history: history
            .into_iter()
            .map(|s| {
                // A first step's note is the visit it was filed from.
                let (visit, reason) = match s.status == submitted {
                    true => (s.note, None),
                    false => (None, s.note),
                };
                Step {
                    at: context.local(s.at),
                    by: s.actor.filter(|_| staff),
                    status: s.status,
                    reason,
                    visit,
                }
            })
            .collect(),
        token: None,
        receipt_url: None,
        channel: row.channel,
        ticket: row.ticket_id,
        id: row.id,
        reference: row.reference,
        site: row.site_id,
        service: row.service_id,
        status: row.status,
        reason: row.reason,
        expected_ready_on: row.expected_ready_on,
        name: row.name,
    }
}
