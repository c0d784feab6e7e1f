//! `/admin/sites/{site}/report-recipients`: the addresses the office's
//! monthly report is mailed to, one per line, saved in one
//! `monthly_report::recipients::set` (admins only, as the API).

use super::super::{Nav, Office};
use super::Flash;
use super::recipients_form::{Form, RecipientsPage};
use crate::app::monthly_report::recipients;
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError};
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/admin/sites/{site}/report-recipients",
        get(page).post(save),
    )
}

/// The office's form, showing `addresses`.
fn form_of(f: Frame, nav: Nav, site: &str, addresses: String) -> RecipientsPage {
    let action = format!("/admin/sites/{site}/report-recipients");
    let back = (format!("/admin/report/{site}"), "admin.nav.report");
    RecipientsPage::new(f, nav, action, back, addresses)
}

async fn page(office: Office, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let (state, frame, staff, site) = office.into_parts();
    let fail = |e| PageError::new(&frame, e);
    let list = recipients::get(&state.app, &staff.who, &site)
        .await
        .map_err(fail)?;
    let addresses = list.addresses.join("\n");
    Ok(form_of(frame, nav, &site, addresses).show(&flash))
}

async fn save(office: Office, CsrfForm(form): CsrfForm<Form>) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let (state, frame, staff, site) = office.into_parts();
    let saved = recipients::set(&state.app, &staff.who, &site, &form.typed()).await;
    form_of(frame, nav, &site, form.addresses).saved(saved)
}
