//! Complaints (réclamations), as the national complaints portal frames
//! them: a citizen files one about an office or a service and gets a
//! reference and the day the answer is due (the site's
//! `complaint_answer_days`, 60 by law); supervisors assign and answer it,
//! and the citizen is told by SMS. `received → in_progress → answered`, or
//! `closed`.

use super::appointments::Access;
use super::auth::Principal;
use super::filing::Filing;
use super::rate_limit::{self, Creation};
use super::sites::SiteContext;
use super::{App, AppError, AppResult};
use crate::domain::role::Role;
use crate::domain::{Invalid, parse_label, parse_text, phone::Phone};
use crate::notify::{self, messages, webhooks};
use crate::store::complaints::ComplaintRow;
use crate::store::history::{self, COMPLAINTS, StepRow};
use crate::store::{self, Tx};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

const STATUSES: &[&str] = &["received", "in_progress", "answered", "closed"];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComplaint {
    pub subject: String,
    pub body: String,
    pub phone: String,
    pub service: Option<String>,
    pub otp: Option<String>,
    /// `fr` (default), `ar` or `en`: the language of the SMS.
    pub lang: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub answer: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Close {
    /// Why it is closed without an answer (a duplicate, not this office's
    /// matter, …); sent to the citizen.
    pub note: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    /// The username of a supervisor or agent of the site.
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintStepView {
    pub status: String,
    pub at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintView {
    pub id: String,
    pub reference: String,
    /// Given once, when the complaint is filed: it reads the complaint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub site: String,
    pub service: Option<String>,
    pub subject: String,
    pub body: String,
    pub status: String,
    pub answer_due_on: String,
    /// When it was filed, in the site's local time.
    pub received_at: String,
    /// Still unanswered after its due day.
    pub overdue: bool,
    pub assigned_to: Option<String>,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    /// Set once the retention sweep has erased subject, body, phone and
    /// answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_data_erased_at: Option<String>,
    /// Every step, oldest first; left out of lists.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<ComplaintStepView>,
}

/// Files a complaint from the `client` address: its place in the complaint
/// limits is taken before anything else is read.
pub async fn file(
    app: &App,
    client: &str,
    site: &str,
    input: NewComplaint,
) -> AppResult<ComplaintView> {
    rate_limit::creation(app, Creation::Complaint, client, &input.phone).await?;
    let context = SiteContext::load(app, site).await?;
    let subject = parse_label("subject", &input.subject, 200)?;
    let body = parse_text("body", &input.body, 5000)?;
    let phone = Phone::parse(&input.phone)?;
    let lang = super::tickets::parse_lang(input.lang.as_deref())?;
    if let Some(service) = &input.service {
        context
            .service(service)
            .ok_or_else(|| Invalid::new("service", format!("no service {service:?} here")))?;
    }
    let filing = Filing::begin(
        app,
        &context,
        "RC",
        Some(&phone),
        input.otp.as_deref(),
        false,
    )
    .await?;
    let now = filing.now;
    let due = (filing.today(&context)?)
        .checked_add(jiff::Span::new().days(context.row.complaint_answer_days))
        .map_err(|e| AppError::Internal(e.into()))?;
    let row = ComplaintRow {
        id: filing.id.clone(),
        site_id: site.to_owned(),
        service_id: input.service,
        reference: filing.reference.clone(),
        token_hash: filing.token_hash(),
        subject,
        body,
        phone: Some(phone.to_string()),
        status: "received".to_owned(),
        assigned_to: None,
        answer: None,
        answer_due_on: due.to_string(),
        created_at: now,
        answered_at: None,
        lang: lang.to_owned(),
        personal_data_erased_at: None,
    };
    let mut tx = filing.open(app).await?;
    store::complaints::insert(&mut tx, &row).await?;
    step(&mut tx, &row, now, "citizen", None).await?;
    tx.commit().await?;
    let history = history::list(&app.db, COMPLAINTS, &row.id).await?;
    let mut view = view(&context, row, history, now);
    view.token = Some(filing.token);
    Ok(view)
}

/// The complaint, for its holder, the citizen whose phone it is, or the
/// site's supervisors; 404 for anyone else.
pub async fn get(app: &App, reference: &str, access: Access<'_>) -> AppResult<ComplaintView> {
    let row = found(app, reference).await?;
    if !access.allows(
        &row.token_hash,
        row.phone.as_deref(),
        &row.site_id,
        &[Role::Supervisor],
    ) {
        return Err(AppError::NotFound("complaint"));
    }
    let context = SiteContext::load(app, &row.site_id).await?;
    let history = history::list(&app.db, COMPLAINTS, &row.id).await?;
    Ok(view(&context, row, history, app.clock.now_ms()))
}

/// Gives the complaint to someone of the site to answer.
pub async fn assign(
    app: &App,
    who: &Principal,
    reference: &str,
    input: Assign,
) -> AppResult<ComplaintView> {
    let row = found(app, reference).await?;
    who.require_staff(&row.site_id, &[Role::Supervisor])?;
    let assignee = store::accounts::user(&app.db, &input.to)
        .await?
        .filter(|u| u.disabled_at.is_none())
        .filter(|u| u.site_id.as_deref() == Some(row.site_id.as_str()) || u.role == Role::Admin)
        .ok_or_else(|| Invalid::new("to", "no such user at this site"))?;
    change(app, who, reference, move |row| {
        match row.status.as_str() {
            "received" | "in_progress" => {}
            other => return Err(already(other)),
        }
        row.status = "in_progress".to_owned();
        row.assigned_to = Some(assignee.username);
        Ok(None)
    })
    .await
}

/// Answers the complaint; the citizen is told by SMS.
pub async fn answer(
    app: &App,
    who: &Principal,
    reference: &str,
    input: Answer,
) -> AppResult<ComplaintView> {
    let answer = parse_text("answer", &input.answer, 5000)?;
    change(app, who, reference, move |row| {
        match row.status.as_str() {
            "received" | "in_progress" => {}
            other => return Err(already(other)),
        }
        row.status = "answered".to_owned();
        row.answer = Some(answer);
        Ok(Some(Ending::Answered))
    })
    .await
}

/// Closes the complaint without an answer, saying why; the citizen is told.
pub async fn close(
    app: &App,
    who: &Principal,
    reference: &str,
    input: Close,
) -> AppResult<ComplaintView> {
    let note = parse_text("note", &input.note, 1000)?;
    change(app, who, reference, move |row| {
        match row.status.as_str() {
            "received" | "in_progress" => {}
            other => return Err(already(other)),
        }
        row.status = "closed".to_owned();
        row.answer = Some(note);
        Ok(Some(Ending::Closed))
    })
    .await
}

/// A site's complaints, open ones first and the most overdue first.
pub async fn of_site(
    app: &App,
    who: &Principal,
    site: &str,
    status: Option<&str>,
) -> AppResult<Vec<ComplaintView>> {
    who.require_staff(site, &[Role::Supervisor])?;
    if let Some(status) = status.filter(|s| !STATUSES.contains(s)) {
        return Err(Invalid::new(
            "status",
            format!("{status:?} is not one of {}", STATUSES.join(", ")),
        )
        .into());
    }
    let context = SiteContext::load(app, site).await?;
    let rows = store::complaints::of_site(&app.db, site, status).await?;
    let now = app.clock.now_ms();
    Ok(rows
        .into_iter()
        .map(|r| view(&context, r, Vec::new(), now))
        .collect())
}

/// The people of a site a complaint may be given to (admin, or
/// supervisor of the site).
pub async fn assignees(app: &App, who: &Principal, site: &str) -> AppResult<Vec<String>> {
    who.require_staff(site, &[Role::Supervisor])?;
    Ok(store::complaints::assignees(&app.db, site).await?)
}

/// How a complaint ended, when a change ends it: the citizen is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Answered,
    Closed,
}

/// One change by a supervisor of the complaint's site, with its step, and
/// the citizen's SMS when `apply` says it was answered or closed.
async fn change(
    app: &App,
    who: &Principal,
    reference: &str,
    apply: impl FnOnce(&mut ComplaintRow) -> AppResult<Option<Ending>>,
) -> AppResult<ComplaintView> {
    let found = found(app, reference).await?;
    who.require_staff(&found.site_id, &[Role::Supervisor])?;
    let context = SiteContext::load(app, &found.site_id).await?;
    let now = app.clock.now_ms();
    let mut tx = app.db.begin().await?;
    let mut row = store::complaints::for_update(&mut tx, reference)
        .await?
        .ok_or(AppError::NotFound("complaint"))?;
    let outcome = apply(&mut row)?;
    if outcome.is_some() {
        row.answered_at = Some(now);
    }
    store::complaints::update(&mut tx, &row).await?;
    step(&mut tx, &row, now, &who.actor(), None).await?;
    if let (Some(outcome), Some(phone)) = (outcome, &row.phone) {
        let link = format!("{}/complaints/{}", app.links.public_url, row.reference);
        let (template, body) = match outcome {
            Ending::Answered => (
                "complaint_answered",
                messages::complaint_answered(&row.lang, &row.reference, &link),
            ),
            Ending::Closed => (
                "complaint_closed",
                messages::complaint_closed(&row.lang, &row.reference, &link),
            ),
        };
        let key = format!("{template}:{}", row.id);
        let sms = notify::sms(Some(&row.site_id), template, phone, body, key, now);
        store::outbox::enqueue(&mut tx, &sms).await?;
    }
    if outcome == Some(Ending::Answered) {
        let data =
            json!({"reference": row.reference, "service": row.service_id, "status": row.status});
        let (site, reference) = (&row.site_id, &row.reference);
        webhooks::enqueue(&mut tx, site, "complaint.answered", reference, data, now).await?;
    }
    tx.commit().await?;
    let history = history::list(&app.db, COMPLAINTS, &row.id).await?;
    Ok(view(&context, row, history, now))
}

async fn step(
    tx: &mut Tx,
    row: &ComplaintRow,
    now: i64,
    actor: &str,
    note: Option<String>,
) -> AppResult<()> {
    let step = StepRow::new(&row.status, now, actor.to_owned(), note);
    history::add(tx, COMPLAINTS, &row.id, &step).await?;
    Ok(())
}

async fn found(app: &App, reference: &str) -> AppResult<ComplaintRow> {
    store::complaints::by_reference(&app.db, reference)
        .await?
        .ok_or(AppError::NotFound("complaint"))
}

fn already(status: &str) -> AppError {
    AppError::conflict(
        "invalid_transition",
        format!("the complaint is already {status}"),
    )
}

fn view(
    context: &SiteContext,
    row: ComplaintRow,
    history: Vec<StepRow>,
    now: i64,
) -> ComplaintView {
    let today = context.day_of(now);
    let open = matches!(row.status.as_str(), "received" | "in_progress");
    ComplaintView {
        overdue: open && row.answer_due_on < today,
        answered_at: row.answered_at.map(|at| context.local(at)),
        received_at: context.local(row.created_at),
        personal_data_erased_at: row.personal_data_erased_at.map(|at| context.local(at)),
        history: history
            .into_iter()
            .map(|s| ComplaintStepView {
                status: s.status,
                at: context.local(s.at),
            })
            .collect(),
        token: None,
        id: row.id,
        reference: row.reference,
        site: row.site_id,
        service: row.service_id,
        subject: row.subject,
        body: row.body,
        status: row.status,
        answer_due_on: row.answer_due_on,
        assigned_to: row.assigned_to,
        answer: row.answer,
    }
}
