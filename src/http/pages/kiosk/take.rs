//! Taking a ticket at the kiosk: the chosen service's page (an optional
//! phone for "your turn is near", then a normal or a priority ticket), and
//! the form that issues it. The form is a plain POST with its CSRF field,
//! so a ticket comes out even where the page's script does not run.

use super::{Kiosk, Names, Service, explain};
use crate::app::tickets::{self, NewTicket};
use crate::app::{AppError, AppResult};
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// What the phone field holds before anyone types: Morocco's prefix, as
/// numbers are stored in international form.
const PHONE_PREFIX: &str = "+212";

#[derive(Template)]
#[template(path = "kiosk_service.html")]
struct Choose {
    f: Frame,
    home: String,
    site: String,
    service: Service,
    phone: String,
    keys: Vec<char>,
    error: Option<Names>,
}

pub async fn choose(k: Kiosk, Path((_, service)): Path<(String, String)>) -> Response {
    match page(&k, &service, PHONE_PREFIX, None) {
        Ok(page) => render(&page),
        Err(error) => PageError::new(&k.f, error).into_response(),
    }
}

fn page(k: &Kiosk, service: &str, phone: &str, error: Option<Names>) -> AppResult<Choose> {
    let service = k
        .service(service)
        .filter(|s| s.walk_in)
        .ok_or(AppError::NotFound("service"))?;
    Ok(Choose {
        f: k.f.clone(),
        home: k.home(),
        site: k.site.id.clone(),
        service: k.service_of(service),
        phone: phone.to_owned(),
        keys: "123456789+0".chars().collect(),
        error,
    })
}

#[derive(Debug, Deserialize)]
pub struct IssueForm {
    service: String,
    priority: Option<String>,
    #[serde(default)]
    phone: String,
}

pub async fn issue(k: Kiosk, CsrfForm(form): CsrfForm<IssueForm>) -> Response {
    let typed: String = form.phone.chars().filter(|c| !c.is_whitespace()).collect();
    // The prefix alone, as the field starts, is no phone.
    let phone = (!typed.is_empty() && typed != PHONE_PREFIX && typed != "+").then_some(typed);
    let input = NewTicket {
        service: form.service.clone(),
        priority: form.priority,
        phone,
        lang: Some(k.f.lang.code().to_owned()),
    };
    match tickets::issue(&k.app, &k.who, &k.site.id, input).await {
        Ok(ticket) => {
            Redirect::to(&format!("/kiosk/{}/tickets/{}", k.site.id, ticket.id)).into_response()
        }
        Err(error) => {
            let Some(said) = explain(&k, &error) else {
                return PageError::new(&k.f, error).into_response();
            };
            let status = crate::http::error::status_of(&error);
            match page(&k, &form.service, &form.phone, Some(said)) {
                Ok(page) => (status, render(&page)).into_response(),
                Err(error) => PageError::new(&k.f, error).into_response(),
            }
        }
    }
}
