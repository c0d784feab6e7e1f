//! What the kiosk answers without issuing anything: where a document
//! request stands (by its reference; status and expected date, nothing
//! personal) and the documents each service requires.

use super::{Kiosk, Names, Service, explain};
use crate::app::receipts::day_month_year;
use crate::app::requests;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "kiosk_request.html")]
struct RequestPage {
    f: Frame,
    home: String,
    site: String,
    reference: String,
    keys: Vec<char>,
    found: Option<Found>,
    error: Option<Names>,
}

/// A request as the kiosk shows it.
struct Found {
    reference: String,
    service: Names,
    /// `kiosk.request.<status>`.
    status_key: String,
    ready_on: String,
}

#[derive(Debug, Deserialize)]
pub struct Lookup {
    reference: Option<String>,
}

pub async fn request(k: Kiosk, Query(query): Query<Lookup>) -> Response {
    let reference: String = query
        .reference
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .take(64)
        .collect();
    let mut page = RequestPage {
        f: k.f.clone(),
        home: k.home(),
        site: k.site.id.clone(),
        reference: reference.clone(),
        keys: super::checkin::KEYS.chars().collect(),
        found: None,
        error: None,
    };
    if reference.is_empty() {
        return render(&page);
    }
    match requests::status_at_kiosk(&k.app, &k.who, &reference).await {
        Ok(view) => {
            page.found = Some(Found {
                service: k.service(&view.service).map_or_else(
                    || Names::of(k.f.lang, &view.service, None),
                    |s| k.service_of(s).names,
                ),
                status_key: format!("kiosk.request.{}", view.status),
                ready_on: day_month_year(&view.expected_ready_on),
                reference: view.reference,
            });
            render(&page)
        }
        Err(error) => match explain(&k, &error) {
            Some(_) => {
                page.error = Some(Names::said(
                    k.f.tr,
                    k.f.other(),
                    "kiosk.error.unknown_request",
                    "",
                ));
                let status = crate::http::error::status_of(&error);
                (status, render(&page)).into_response()
            }
            None => PageError::new(&k.f, error).into_response(),
        },
    }
}

#[derive(Template)]
#[template(path = "kiosk_documents.html")]
struct Documents {
    f: Frame,
    home: String,
    services: Vec<Service>,
}

pub async fn documents(k: Kiosk) -> Response {
    let services = k.services();
    render(&Documents {
        home: k.home(),
        services,
        f: k.f,
    })
}
