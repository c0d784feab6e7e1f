//! Following a file of another administration at the kiosk (a passport,
//! a permit): the citizen types its reference and the identifier the
//! partner knows them by (the national ID number), and sees its status,
//! in both office languages. Anything wrong is one plain "not found". Only
//! the files of partners that chose this site are found; the form is
//! posted, so the identifier never sits in the kiosk's address bar.

use super::{Kiosk, Names};
use crate::app::AppError;
use crate::app::partner_files::{self, Asker, FileView};
use crate::http::client_ip::ClientIp;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The keys of the on-screen keypad: partners' references use every
/// letter and digit.
const KEYS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/";

#[derive(Template)]
#[template(path = "kiosk_files.html")]
struct FilesPage {
    f: Frame,
    home: String,
    site: String,
    keys: Vec<char>,
    found: Option<Found>,
    error: Option<Names>,
}

/// A file as the kiosk shows it: nothing of its holder.
struct Found {
    reference: String,
    partner: Names,
    label: Names,
    /// `kiosk.files.status.<status>`.
    status_key: String,
    state: String,
    ready_on: Option<String>,
}

impl Found {
    fn of(lang: crate::http::pages::i18n::Lang, v: FileView) -> Self {
        Found {
            partner: Names::of(lang, &v.partner, v.partner_ar.as_deref()),
            label: Names::of(lang, &v.label_fr, Some(&v.label_ar)),
            status_key: format!("kiosk.files.status.{}", v.status),
            ready_on: v.ready_on,
            state: v.status,
            reference: v.reference,
        }
    }
}

fn page(k: &Kiosk) -> FilesPage {
    FilesPage {
        f: k.f.clone(),
        home: k.home(),
        site: k.site.id.clone(),
        keys: KEYS.chars().collect(),
        found: None,
        error: None,
    }
}

pub async fn form(k: Kiosk) -> Response {
    render(&page(&k))
}

#[derive(Debug, Deserialize)]
pub struct FollowForm {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    holder_id: String,
}

pub async fn follow(
    k: Kiosk,
    ClientIp(client): ClientIp,
    CsrfForm(form): CsrfForm<FollowForm>,
) -> Response {
    let mut shown = page(&k);
    let asker = Asker::Kiosk(&k.who);
    match partner_files::follow(&k.app, asker, &client, &form.reference, &form.holder_id).await {
        Ok(view) => {
            shown.found = Some(Found::of(k.f.lang, view));
            render(&shown)
        }
        Err(error @ (AppError::NotFound(_) | AppError::RateLimited { .. })) => {
            let key = match error {
                AppError::NotFound(_) => "kiosk.files.not_found",
                _ => "kiosk.files.later",
            };
            shown.error = Some(Names::said(k.f.tr, k.f.other(), key, ""));
            let status = crate::http::error::status_of(&error);
            (status, render(&shown)).into_response()
        }
        Err(error) => PageError::new(&k.f, error).into_response(),
    }
}
