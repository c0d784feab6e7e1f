//! The form of a monthly report's addresses, one a line, as the office's
//! report and the province's report both show it
//! (`admin_ops_report_recipients.html`): drawn, read and answered alike,
//! whichever use case saves it.

use super::super::{FormError, Nav};
use super::Flash;
use crate::app::monthly_report::recipients::{MAX, Recipients};
use crate::app::{AppError, AppResult};
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "admin_ops_report_recipients.html")]
pub(super) struct RecipientsPage {
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

impl RecipientsPage {
    /// The form posted to `action`, with its link back, showing `addresses`.
    pub(super) fn new(
        f: Frame,
        nav: Nav,
        action: String,
        back: (String, &'static str),
        addresses: String,
    ) -> Self {
        Self {
            f,
            nav,
            action,
            back,
            addresses,
            max: MAX,
            error: None,
            flash: None,
        }
    }

    /// The form as saved, with the flash of a save just made.
    pub(super) fn show(mut self, flash: &Flash) -> Response {
        self.flash = flash.key(&[("saved", "admin.saved")]);
        render(&self)
    }

    /// The answer to a save (the form showing what was typed): back to the
    /// form saying so, the error page for a caller who may not save, or
    /// the form again with the reason in place.
    pub(super) fn saved<T>(mut self, result: AppResult<T>) -> Result<Response, PageError> {
        match result {
            Ok(_) => {
                let to = format!("{}?done=saved", self.action);
                Ok(Redirect::to(&to).into_response())
            }
            Err(error @ (AppError::Forbidden(_) | AppError::NotFound(_))) => {
                Err(PageError::new(&self.f, error))
            }
            Err(error) => {
                let error = FormError::new(self.f.tr, &error);
                let status = error.status;
                self.error = Some(error);
                let mut response = render(&self);
                *response.status_mut() = status;
                Ok(response)
            }
        }
    }
}

/// The form as posted.
#[derive(Debug, serde::Deserialize)]
pub(super) struct Form {
    #[serde(default)]
    pub(super) addresses: String,
}

impl Form {
    /// The addresses typed, one a line (or between commas or semicolons).
    pub(super) fn typed(&self) -> Recipients {
        Recipients {
            addresses: self
                .addresses
                .split(['\n', ',', ';'])
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}
