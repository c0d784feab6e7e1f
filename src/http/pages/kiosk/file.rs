//! Filing a document request at the kiosk: "Demander un document" on the
//! home leads to the procedures to choose from (`/kiosk/{site}/file`);
//! each has its form (`/kiosk/{site}/file/{service}`): the documents it
//! needs, a name, and optionally a phone (proved by a code sent by SMS
//! where the office verifies phones, through the portal forms' code step)
//! or an e-mail. The filing form's answer is the receipt itself, printed
//! at once (`receipt`); with "take a ticket too", the ticket's number is
//! printed on the same paper.
//!
//! No personal data outlives the filing on the kiosk: the pages are
//! `no-store` with `autocomplete="off"`, the details travel in POST bodies
//! only, the receipt names no one, and the kiosk goes back to its home
//! with `location.replace`.

use super::receipt::{Paper, no_store, print};
use super::{Kiosk, Names, Service};
use crate::app::receipts;
use crate::app::requests::{self, NewRequest, RequestView};
use crate::app::tickets::{self, NewTicket};
use crate::app::{AppError, AppResult};
use crate::http::client_ip::ClientIp;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use crate::http::pages::portal::citizen::{CodeStep, Outcome, Proof};
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// What the phone field holds before anyone types (see `take`).
const PHONE_PREFIX: &str = "+212";

/// A procedure the kiosk files: a service prepared in working days.
struct Procedure {
    service: Service,
    days: i64,
}

#[derive(Template)]
#[template(path = "kiosk_file_choose.html")]
struct Choose {
    f: Frame,
    home: String,
    site: String,
    procedures: Vec<Procedure>,
}

pub async fn choose(k: Kiosk) -> Response {
    let procedures = k
        .site
        .services
        .iter()
        .filter(|s| s.processing_days > 0)
        .map(|s| Procedure {
            service: k.service_of(s),
            days: s.processing_days,
        })
        .collect();
    no_store(render(&Choose {
        home: k.home(),
        site: k.site.id.clone(),
        procedures,
        f: k.f,
    }))
}

/// The form's fields, as typed.
#[derive(Debug, Default, Deserialize)]
pub struct Fields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    otp: String,
    /// The button pressed (see `portal::citizen::Proof`).
    #[serde(default)]
    step: String,
    /// "Take a ticket too", for services served without appointment.
    ticket: Option<String>,
}

impl Fields {
    /// The phone typed, if more than the prefix the field starts with.
    fn phone(&self) -> String {
        let typed: String = self.phone.chars().filter(|c| !c.is_whitespace()).collect();
        match typed.as_str() {
            "" | "+" | PHONE_PREFIX => String::new(),
            _ => typed,
        }
    }
}

#[derive(Template)]
#[template(path = "kiosk_file_form.html")]
struct Form {
    f: Frame,
    home: String,
    site: String,
    procedure: Procedure,
    walk_in: bool,
    values: Fields,
    code: CodeStep,
    keys: Vec<char>,
    notice: Option<String>,
    error: Option<String>,
}

fn form(k: &Kiosk, service: &str, values: Fields, code: CodeStep) -> AppResult<Form> {
    let found = k
        .service(service)
        .filter(|s| s.processing_days > 0)
        .ok_or(AppError::NotFound("service"))?;
    Ok(Form {
        f: k.f.clone(),
        home: k.home(),
        site: k.site.id.clone(),
        procedure: Procedure {
            service: k.service_of(found),
            days: found.processing_days,
        },
        walk_in: found.walk_in,
        values,
        code,
        keys: "123456789+0".chars().collect(),
        notice: None,
        error: None,
    })
}

pub async fn page(k: Kiosk, Path((_, service)): Path<(String, String)>) -> Response {
    let values = Fields {
        phone: PHONE_PREFIX.to_owned(),
        ..Fields::default()
    };
    match form(&k, &service, values, CodeStep::first(k.site.verify_phone)) {
        Ok(page) => no_store(render(&page)),
        Err(error) => PageError::new(&k.f, error).into_response(),
    }
}

pub async fn submit(
    k: Kiosk,
    ClientIp(client): ClientIp,
    Path((_, service)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Fields>,
) -> Response {
    let phone = fields.phone();
    let verify = k.site.verify_phone && !phone.is_empty();
    let proof = Proof {
        phone: phone.clone(),
        otp: fields.otp.clone(),
        step: fields.step.clone(),
    };
    let (app, who, site) = (&k.app, &k.who, k.site.id.as_str());
    let outcome = proof
        .run(verify, app, &k.f, &client, |otp| {
            let input = NewRequest {
                service: service.clone(),
                name: fields.name.clone(),
                phone: Some(phone.clone()).filter(|p| !p.is_empty()),
                email: Some(fields.email.trim().to_owned()).filter(|e| !e.is_empty()),
                otp,
                lang: Some(k.f.lang.code().to_owned()),
            };
            requests::create(app, Some(who), &client, site, input)
        })
        .await;
    match outcome {
        Ok(Outcome::Done(view)) => receipt(&k, view, &fields, &phone).await,
        Ok(Outcome::Again {
            code,
            notice,
            error,
            status,
        }) => match form(&k, &service, fields, code) {
            Ok(mut page) => {
                page.notice = notice;
                page.error = error;
                (status, no_store(render(&page))).into_response()
            }
            Err(error) => PageError::new(&k.f, error).into_response(),
        },
        Err(page) => page.into_response(),
    }
}

/// The receipt of a request just filed, with the ticket asked for with it.
async fn receipt(k: &Kiosk, view: RequestView, fields: &Fields, phone: &str) -> Response {
    let token = view.token.clone().unwrap_or_default();
    let url = receipts::url(&k.app, &view.reference, &token);
    let mut paper = Paper::of(k.f.lang, &k.site, &view, url);
    let walk_in = k.service(&view.service).is_some_and(|s| s.walk_in);
    if fields.ticket.is_some() && walk_in {
        let input = NewTicket {
            service: view.service.clone(),
            priority: None,
            phone: Some(phone.to_owned()).filter(|p| !p.is_empty()),
            lang: Some(k.f.lang.code().to_owned()),
        };
        // A closed office gives no ticket: the receipt still prints.
        paper.ticket = tickets::issue(&k.app, &k.who, &k.site.id, input)
            .await
            .ok()
            .map(|t| t.number);
    }
    print(k, paper)
}

/// The procedure's documents as the form shows them; the guide of
/// procedures may fill `kiosk_procedure.html` with more.
impl Procedure {
    pub fn documents(&self) -> &[Names] {
        &self.service.documents
    }
}
