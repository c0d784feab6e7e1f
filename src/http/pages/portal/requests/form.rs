//! The request form `/requests/new/{site}/{service}`: the certificate's
//! documents to bring and its delay, then name, phone, optional e-mail and,
//! where the office verifies phones, the code sent by SMS.

use super::super::citizen::{CodeStep, Proof, filed_at, local_name};
use crate::app::requests::{self, NewRequest, RequestView};
use crate::app::sites;
use crate::app::{AppError, AppResult};
use crate::http::AppState;
use crate::http::client_ip::ClientIp;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

/// The form's fields, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct Fields {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(flatten)]
    pub proof: Proof,
}

#[derive(Template)]
#[template(path = "portal_request_new.html")]
struct FormPage {
    f: Frame,
    office: String,
    service: String,
    documents: Vec<String>,
    days: i64,
    values: Fields,
    code: CodeStep,
    notice: Option<String>,
    error: Option<String>,
}

/// What the form shows of the office and the certificate.
struct About {
    office: String,
    service: String,
    documents: Vec<String>,
    days: i64,
    verify: bool,
}

async fn about(state: &AppState, f: &Frame, site: &str, service: &str) -> AppResult<About> {
    let view = sites::get(&state.app, site).await?;
    let found = view
        .services
        .iter()
        .find(|s| s.id == service && s.processing_days > 0)
        .ok_or(AppError::NotFound("service"))?;
    Ok(About {
        office: local_name(f.lang, &view.name, view.name_ar.as_deref()),
        service: local_name(f.lang, &found.name, found.name_ar.as_deref()),
        documents: found
            .required_documents
            .iter()
            .map(|d| local_name(f.lang, &d.name, d.name_ar.as_deref()))
            .collect(),
        days: found.processing_days,
        verify: view.verify_phone,
    })
}

fn page_of(f: Frame, about: About, values: Fields, code: CodeStep) -> FormPage {
    FormPage {
        f,
        office: about.office,
        service: about.service,
        documents: about.documents,
        days: about.days,
        values,
        code,
        notice: None,
        error: None,
    }
}

pub async fn page(
    State(state): State<AppState>,
    f: Frame,
    Path((site, service)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let about = about(&state, &f, &site, &service).await.or_page(&f)?;
    let code = CodeStep::first(about.verify);
    Ok(render(&page_of(f, about, Fields::default(), code)))
}

pub async fn submit(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    f: Frame,
    Path((site, service)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let about = about(&state, &f, &site, &service).await.or_page(&f)?;
    let app = &state.app;
    let (typed, lang, client) = (&fields, f.lang.code(), client.as_str());
    let verify = about.verify;
    let outcome = (typed.proof)
        .run(verify, app, &f, client, |otp| {
            let input = NewRequest {
                service: service.clone(),
                name: typed.name.clone(),
                phone: Some(typed.proof.phone.clone()),
                email: Some(typed.email.trim().to_owned()).filter(|e| !e.is_empty()),
                otp,
                lang: Some(lang.to_owned()),
            };
            requests::create(app, None, client, &site, input)
        })
        .await?;
    let done = |view: RequestView| filed_at("/requests", &view.reference, view.token);
    Ok(outcome.answer(done, |code, notice, error| {
        let mut page = page_of(f, about, fields, code);
        page.notice = notice;
        page.error = error;
        render(&page)
    }))
}
