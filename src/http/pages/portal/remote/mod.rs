//! Joining a walk-in queue from the portal, `/join/{site}/{service}`: the
//! phone, the code sent to it (the citizen forms' step, `citizen::Proof`,
//! with its limits and errors), then the ticket page `/t/{id}/joined`.
//! No JavaScript: each step is a POST answered by the form again or by a
//! redirect. The core's refusals (already in the queue, remote places
//! full, closing, closed) come back as sentences on the form.

pub mod offer;
mod ticket;

use super::booking::service_name_in;
use super::citizen::{Proof, local_name};
use super::code_form::{CodeForm, CodeFormPage, code_form_page};
use crate::app::remote_offer;
use crate::app::remote_queue::{self, JoinRequest, Via};
use crate::app::{AppError, AppResult, sites};
use crate::domain::phone::Phone;
use crate::http::AppState;
use crate::http::client_ip::ClientIp;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, OrPage, PageError};
use crate::http::pages::i18n::Tr;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/join/{site}/{service}", get(page).post(submit))
        .route("/t/{ticket}/joined", get(ticket::page))
}

/// The form's fields: only the phone-code step's.
#[derive(Debug, Default, Deserialize)]
struct Fields {
    #[serde(flatten)]
    proof: Proof,
}

/// The office and service joined, and the queue now.
struct About {
    site: String,
    office: String,
    service: String,
    /// `fr` when an English page shows the French name.
    service_lang: Option<&'static str>,
    waiting: i64,
    minutes: i64,
    /// Why joining is closed now, in words; `None` when open.
    closed: Option<String>,
    verify: bool,
}

#[derive(Template)]
#[template(path = "portal_remote_join.html")]
struct JoinPage {
    f: Frame,
    form: CodeForm<About, Fields>,
}

code_form_page!(JoinPage, About, Fields);

/// The office and service of the address, if the service takes remote
/// tickets (else not found), with its queue now.
async fn about(state: &AppState, f: &Frame, site: &str, service: &str) -> AppResult<About> {
    let app = &state.app;
    let view = sites::get(app, site).await?;
    let found = view
        .services
        .iter()
        .find(|s| s.id == service)
        .ok_or(AppError::NotFound("service"))?;
    let offer = remote_offer::of_site(app, site)
        .await?
        .into_iter()
        .find(|o| o.service == service)
        .ok_or(AppError::NotFound("service"))?;
    let (ar, en) = (found.name_ar.as_deref(), found.name_en.as_deref());
    let (service, service_lang) = service_name_in(f.lang, &found.name, ar, en);
    Ok(About {
        site: site.to_owned(),
        office: local_name(f.lang, &view.name, view.name_ar.as_deref()),
        service,
        service_lang,
        waiting: offer.waiting,
        minutes: minutes(offer.estimated_wait_seconds),
        closed: offer.joining.code().map(|code| refusal(f.tr, code)),
        verify: view.verify_phone,
    })
}

/// Whole minutes of a wait, rounded up.
pub fn minutes(seconds: i64) -> i64 {
    (seconds.max(0) + 59) / 60
}

/// The sentence of a refusal of the remote queue (`site_closed`,
/// `queue_closing`…): the same words `citizen::say` finds for the core's
/// conflicts on the form, under `portal.error.{code}`.
fn refusal(tr: Tr, code: &str) -> String {
    tr.s(&format!("portal.error.{code}")).to_owned()
}

async fn page(
    State(state): State<AppState>,
    f: Frame,
    Path((site, service)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let about = about(&state, &f, &site, &service).await.or_page(&f)?;
    let verify = about.verify;
    Ok(JoinPage::first(f, about, Fields::default(), verify))
}

async fn submit(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    f: Frame,
    Path((site, service)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let about = about(&state, &f, &site, &service).await.or_page(&f)?;
    let app = &state.app;
    let (lang, client) = (f.lang.code(), client.as_str());
    let phone = fields.proof.phone.clone();
    let outcome = (fields.proof)
        .run(about.verify, app, &f, client, |otp| async move {
            let request = JoinRequest {
                service: service.clone(),
                phone: Phone::parse(&phone)?,
                lang,
            };
            let via = Via::Web {
                client: client.to_owned(),
                otp,
            };
            remote_queue::join(app, &site, request, via).await
        })
        .await?;
    let done = |ticket: remote_queue::RemoteTicket| format!("/t/{}/joined", ticket.id);
    Ok(JoinPage::answer(f, about, fields, outcome, done))
}
