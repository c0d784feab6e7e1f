//! What a site's statistics page shows, the office's
//! (`/admin/stats/{site}`) and the province's view of it alike: the range
//! of days as shown, the figures over it with their charts and the
//! requests' processing, or why the range was refused; and the helpers
//! their shared tables (`supervision_stats_figures.html`) format figures
//! with. Each page keeps this in its own struct, beside what only it shows,
//! and reaches it through `Deref`, so the templates name its fields as
//! their own.

use super::super::FormError;
use super::figures::{Chart, channel, minutes, percent};
use super::processing::{self, ProcessingView};
use super::stats::{draw, read};
use crate::app::auth::Principal;
use crate::app::stats::{self, SiteStats};
use crate::app::{App, AppError, AppResult};
use crate::http::pages::frame::Frame;
use axum::http::StatusCode;

pub struct RangeFigures {
    pub f: Frame,
    pub from: String,
    pub to: String,
    pub error: Option<FormError>,
    pub s: Option<SiteStats>,
    pub charts: Vec<Chart>,
    pub processing: Option<ProcessingView>,
}

impl RangeFigures {
    /// Reads the figures of `site` for the range of the page's query (`raw`)
    /// as `who`: the range as typed, to show until the figures say theirs,
    /// and the figures or why there are none.
    pub async fn read(
        app: &App,
        f: Frame,
        who: &Principal,
        site: &str,
        raw: Option<&str>,
    ) -> (Self, AppResult<SiteStats>) {
        let (form, query) = read(raw);
        let figures = match query {
            Ok(query) => stats::site_stats(app, who, site, &query).await,
            Err(error) => Err(error),
        };
        let shown = Self {
            from: form.from.trim().to_owned(),
            to: form.to.trim().to_owned(),
            f,
            error: None,
            s: None,
            charts: Vec::new(),
            processing: None,
        };
        (shown, figures)
    }

    /// Shows `s`, over the range it covers.
    pub fn show(&mut self, s: SiteStats) {
        self.from.clone_from(&s.from);
        self.to.clone_from(&s.to);
        self.charts = draw(&self.f, &s);
        self.processing = Some(processing::view(&self.f, &s.processing));
        self.s = Some(s);
    }

    /// Shows why there are no figures, in place of them; the status the
    /// page answers with.
    pub fn refuse(&mut self, error: &AppError) -> StatusCode {
        let error = FormError::new(self.f.tr, error);
        let status = error.status;
        self.error = Some(error);
        status
    }

    pub fn minutes(&self, seconds: &Option<f64>) -> String {
        minutes(self.f.lang, *seconds)
    }

    pub fn percent(&self, share: &Option<f64>) -> String {
        percent(self.f.lang, *share)
    }

    pub fn channel(&self, name: &str) -> String {
        channel(&self.f, name)
    }
}
