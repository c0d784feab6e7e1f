//! The monthly report of an office as a PDF (docs/statistics.md, "The
//! monthly report as a PDF"): the figures of the printable report page
//! (`app::stats` over one month), put in words by `content` and drawn by
//! `crate::report`. Supervisors of the office and admins download it;
//! `mailing` sends last month's to the addresses admins set
//! (`recipients`) on the office's first working day of the month;
//! `province_mailing` does the same for a province's month
//! (`province_pdf`) to its own addresses (`province_recipients`).

mod content;
pub mod mailing;
mod province;
pub mod province_mailing;
pub mod province_recipients;
pub mod recipients;

use super::auth::Principal;
use super::sites::SiteContext;
use super::stats::{self, StatsQuery};
use super::supervision::month_days;
use super::{App, AppError, AppResult};
use crate::domain::role::Role;
use crate::domain::time::local_day;
use crate::report::{self, Report};

pub use province::province_pdf;

/// The words a report is written with, in one language: lent by the
/// caller (the screens' words, `http::pages::i18n`), since this layer has
/// none of its own.
pub trait Words: Sync {
    /// `fr`, `ar` or `en`.
    fn lang(&self) -> &'static str;
    /// Written from the right.
    fn rtl(&self) -> bool;
    /// The text of a key of `displays/i18n`.
    fn text(&self, key: &str) -> String;
    /// A figure as the language writes it (`Lang::number`).
    fn number(&self, value: f64) -> String;
}

/// A PDF and the name it is saved under.
pub struct Pdf {
    /// `rapport-SITE-YYYY-MM-LANG.pdf`.
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// The report of `site` for `month` (`YYYY-MM`; last month when `None`) in
/// the language of `words`: for the office's supervisors and admins.
pub async fn office_pdf(
    app: &App,
    who: &Principal,
    site: &str,
    month: Option<&str>,
    words: &dyn Words,
) -> AppResult<Pdf> {
    who.require_staff(site, &[Role::Supervisor])?;
    let context = SiteContext::load(app, site).await?;
    let today = local_day(app.clock.now(), &context.zone);
    let (first, _) = month_days(month, today)?;
    let report = office_report(app, &context, first, words).await?;
    let bytes = render(vec![report]).await?;
    Ok(Pdf {
        file_name: file_name(site, first, words.lang()),
        bytes,
    })
}

/// The report of the office of `context` for the month starting `first`.
async fn office_report(
    app: &App,
    context: &SiteContext,
    first: jiff::civil::Date,
    words: &dyn Words,
) -> AppResult<Report> {
    let query = StatsQuery {
        from: Some(first.to_string()),
        to: Some(first.last_of_month().to_string()),
        format: None,
    };
    let figures = stats::figures(app, &context.row.id, &query).await?;
    Ok(content::office(&figures, &context.row, first, words))
}

fn file_name(site: &str, first: jiff::civil::Date, lang: &str) -> String {
    format!("rapport-{site}-{}-{lang}.pdf", first.strftime("%Y-%m"))
}

/// The PDF of `reports`, drawn off the async threads.
async fn render(reports: Vec<Report>) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || report::pdf(&reports))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(e.into()))
}
