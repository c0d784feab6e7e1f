//! `/admin/sites/{site}/report-recipients`: the addresses the office's
//! monthly report is mailed to, one per line, saved in one
//! `monthly_report::recipients::set` (admins only, as the API).

use super::super::{FormError, Nav, Office};
use super::Flash;
use crate::app::AppError;
use crate::app::monthly_report::recipients::{self, MAX, Recipients};
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/admin/sites/{site}/report-recipients",
        get(page).post(save),
    )
}

#[derive(Template)]
#[template(path = "admin_ops_report_recipients.html")]
struct RecipientsPage {
    f: Frame,
    nav: Nav,
    /// Where the form is posted.
    action: String,
    /// The page the form's link goes back to, and its words' key.
    back: (String, &'static str),
    /// One address a line, as saved or typed.
    addresses: String,
    max: usize,
    error: Option<FormError>,
    flash: Option<&'static str>,
}

async fn page(office: Office, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let (state, frame, staff, site) = office.into_parts();
    let fail = |e| PageError::new(&frame, e);
    let list = recipients::get(&state.app, &staff.who, &site)
        .await
        .map_err(fail)?;
    Ok(render(&RecipientsPage {
        f: frame,
        nav,
        action: format!("/admin/sites/{site}/report-recipients"),
        back: (format!("/admin/report/{site}"), "admin.nav.report"),
        addresses: list.addresses.join("\n"),
        max: MAX,
        error: None,
        flash: flash.key(&[("saved", "admin.saved")]),
    }))
}

#[derive(Debug, serde::Deserialize)]
struct Form {
    #[serde(default)]
    addresses: String,
}

async fn save(office: Office, CsrfForm(form): CsrfForm<Form>) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let (state, frame, staff, site) = office.into_parts();
    let typed = Recipients {
        addresses: form
            .addresses
            .split(['\n', ',', ';'])
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    match recipients::set(&state.app, &staff.who, &site, &typed).await {
        Ok(_) => {
            let to = format!("/admin/sites/{site}/report-recipients?done=saved");
            Ok(Redirect::to(&to).into_response())
        }
        Err(error @ (AppError::Forbidden(_) | AppError::NotFound(_))) => {
            Err(PageError::new(&frame, error))
        }
        Err(error) => {
            let error = FormError::new(frame.tr, &error);
            let status = error.status;
            let mut response = render(&RecipientsPage {
                f: frame,
                nav,
                action: format!("/admin/sites/{site}/report-recipients"),
                back: (format!("/admin/report/{site}"), "admin.nav.report"),
                addresses: form.addresses,
                max: MAX,
                error: Some(error),
                flash: None,
            });
            *response.status_mut() = status;
            Ok(response)
        }
    }
}
