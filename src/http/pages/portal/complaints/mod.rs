//! Complaints (réclamations) on the citizen portal: `/complaints` (file
//! one, or follow one) and a complaint's own pages (`follow`).

mod follow;

use super::citizen::{self, CodeStep, Proof, filed_at, local_name};
use super::follow::Find;
use crate::app::complaints::{self, ComplaintView, NewComplaint};
use crate::app::sites::SiteView;
use crate::domain::Invalid;
use crate::http::AppState;
use crate::http::client_ip::ClientIp;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(page).post(submit))
        .route("/complaints/follow", get(find))
        .route("/complaints/{reference}", get(follow::status))
        .route("/complaints/{reference}/filed", get(follow::filed))
}

/// The form's fields, as typed. `service` is `site:service`, or empty.
#[derive(Debug, Default, Deserialize)]
pub struct Fields {
    #[serde(default)]
    site: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(flatten)]
    pub proof: Proof,
}

struct ServiceChoice {
    value: String,
    name: String,
}

struct OfficeChoice {
    id: String,
    name: String,
    services: Vec<ServiceChoice>,
}

#[derive(Template)]
#[template(path = "portal_complaint_new.html")]
struct FormPage {
    f: Frame,
    offices: Vec<OfficeChoice>,
    values: Fields,
    code: CodeStep,
    notice: Option<String>,
    error: Option<String>,
}

impl FormPage {
    /// The chosen office's name, for the code step's summary.
    fn office_name(&self) -> &str {
        self.offices
            .iter()
            .find(|o| o.id == self.values.site)
            .map_or("", |o| o.name.as_str())
    }

    fn service_name(&self) -> &str {
        self.offices
            .iter()
            .flat_map(|o| &o.services)
            .find(|s| s.value == self.values.service)
            .map_or("", |s| s.name.as_str())
    }
}

fn choices(f: &Frame, all: &[SiteView]) -> Vec<OfficeChoice> {
    all.iter()
        .map(|site| OfficeChoice {
            id: site.id.clone(),
            name: local_name(f.lang, &site.name, site.name_ar.as_deref()),
            services: site
                .services
                .iter()
                .map(|s| ServiceChoice {
                    value: format!("{}:{}", site.id, s.id),
                    name: local_name(f.lang, &s.name, s.name_ar.as_deref()),
                })
                .collect(),
        })
        .collect()
}

async fn page(State(state): State<AppState>, f: Frame) -> Result<Response, PageError> {
    let all = citizen::offices(&state.app).await.or_page(&f)?;
    let mut values = Fields::default();
    if let [only] = all.as_slice() {
        values.site = only.id.clone();
    }
    let code = CodeStep::first(all.iter().any(|s| s.verify_phone));
    let offices = choices(&f, &all);
    Ok(render(&FormPage {
        f,
        offices,
        values,
        code,
        notice: None,
        error: None,
    }))
}

async fn submit(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    f: Frame,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Result<Response, PageError> {
    let app = &state.app;
    let all = citizen::offices(app).await.or_page(&f)?;
    let site = all.iter().find(|s| s.id == fields.site);
    let (typed, lang, client) = (&fields, f.lang.code(), client.as_str());
    let verify = site.is_none_or(|s| s.verify_phone);
    let outcome = (typed.proof)
        .run(verify, app, &f, client, |otp| async move {
            let site = site.ok_or_else(|| Invalid::new("site", "choose an office"))?;
            let input = NewComplaint {
                subject: typed.subject.clone(),
                body: typed.body.clone(),
                phone: typed.proof.phone.clone(),
                service: service_of(typed)?,
                otp,
                lang: Some(lang.to_owned()),
            };
            complaints::file(app, client, &site.id, input).await
        })
        .await?;
    let done = |view: ComplaintView| filed_at("/complaints", &view.reference, view.token);
    Ok(outcome.answer(done, |code, notice, error| {
        let offices = choices(&f, &all);
        render(&FormPage {
            f,
            offices,
            values: fields,
            code,
            notice,
            error,
        })
    }))
}

/// The service chosen, which must be one of the chosen office's.
fn service_of(fields: &Fields) -> Result<Option<String>, Invalid> {
    match fields.service.split_once(':') {
        _ if fields.service.is_empty() => Ok(None),
        Some((site, service)) if site == fields.site => Ok(Some(service.to_owned())),
        _ => Err(Invalid::new("service", "not a service of this office")),
    }
}

/// The "follow a complaint" form: to its page, which says 404 unless the
/// code is its own.
async fn find(f: Frame, Query(find): Query<Find>) -> Response {
    match find.reference() {
        Some(reference) => citizen::again("/complaints", &reference, "", &find.token),
        None => PageError::new(&f, crate::app::AppError::NotFound("complaint")).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_belongs_to_the_chosen_office() {
        let mut fields = Fields {
            site: "anfa".into(),
            service: "anfa:residence".into(),
            ..Fields::default()
        };
        assert_eq!(service_of(&fields), Ok(Some("residence".into())));
        fields.service = "agdal:residence".into();
        assert!(service_of(&fields).is_err());
        fields.service.clear();
        assert_eq!(service_of(&fields), Ok(None));
    }
}
