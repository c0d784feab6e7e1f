//! Mailing last month's report: on an office's first working day of the
//! month (its local day; a working day has opening hours and is no
//! closure), the report of the month before goes to the addresses admins
//! set, as one e-mail each with the PDF attached (French, then Arabic),
//! through the outbox.
//!
//! Once per office and month, whatever the number of instances running
//! the sweep: the e-mails are queued in the transaction that inserts the
//! month's `report_mailings` row, which its primary key allows once (and
//! each e-mail's idempotency key once more). An office that is not
//! reached on that day (the service down all day) is not mailed that
//! month; its report stays downloadable.

use super::{Words, office_report, render};
use crate::app::sites::SiteContext;
use crate::app::{App, AppResult};
use crate::domain::time::local_day;
use crate::notify;
use crate::store;
use crate::store::outbox::NewMessage;
use crate::store::report_mailings::OFFICES;
use jiff::civil::Date;

/// Offices looked at in one sweep at most.
const MAX_SITES: i64 = 1_000;

/// Mails the reports due now, in the languages of `words` (one PDF with
/// each language's report in turn); returns how many offices were mailed.
pub async fn sweep(app: &App, words: &[&dyn Words]) -> AppResult<usize> {
    let mut mailed = 0;
    for site in OFFICES.with_recipients(&app.db, MAX_SITES).await? {
        if mail_office(app, &site, words).await? {
            mailed += 1;
        }
    }
    Ok(mailed)
}

/// Mails the report of `site` if today is its first working day of the
/// month and it was not mailed yet.
async fn mail_office(app: &App, site: &str, words: &[&dyn Words]) -> AppResult<bool> {
    let context = SiteContext::load(app, site).await?;
    let Some((first, month)) = month_due(app, &context) else {
        return Ok(false);
    };
    if OFFICES.mailed(&app.db, site, &month).await? {
        return Ok(false);
    }
    let addresses = OFFICES.recipients(&app.db, site).await?;
    if addresses.is_empty() {
        return Ok(false);
    }
    let mut reports = Vec::new();
    for w in words {
        reports.push(office_report(app, &context, first, *w).await?);
    }
    let mail = Mail {
        site: Some(site),
        kind: "monthly_report",
        key: format!("monthly-report:{site}:{month}"),
        file_name: format!("rapport-{site}-{month}.pdf"),
        message: message(&context.row.name, &reports),
        pdf: render(reports).await?,
    };
    let now_ms = app.clock.now_ms();
    let Some(messages) = mail.to(&addresses, now_ms) else {
        return Ok(false);
    };
    let mut tx = app.db.begin().await?;
    if !OFFICES
        .claim_mailing(&mut tx, site, &month, addresses.len() as i64, now_ms)
        .await?
    {
        // Another instance queued it meanwhile.
        return Ok(false);
    }
    for message in &messages {
        store::outbox::enqueue(&mut tx, message).await?;
    }
    tx.commit().await?;
    tracing::info!(%site, %month, recipients = addresses.len(), "monthly report queued");
    Ok(true)
}

/// The month whose report goes out today, as its first day and
/// `YYYY-MM`, if today is `context`'s first working day of the month (its
/// local day; a working day has opening hours and is no closure).
pub(super) fn month_due(app: &App, context: &SiteContext) -> Option<(Date, String)> {
    let today = local_day(app.clock.now(), &context.zone);
    let first_working =
        context
            .hours
            .working_days_after(today.first_of_month(), 0, &context.closures);
    if first_working != Some(today) {
        return None;
    }
    let first = today.first_of_month().yesterday().ok()?.first_of_month();
    Some((first, first.strftime("%Y-%m").to_string()))
}

/// A month's report as e-mails: the same message and PDF to each address.
pub(super) struct Mail<'a> {
    pub site: Option<&'a str>,
    pub kind: &'static str,
    /// Each e-mail's idempotency key is this, then `:` and its address.
    pub key: String,
    pub file_name: String,
    /// Subject and text (`message`).
    pub message: (String, String),
    pub pdf: Vec<u8>,
}

impl Mail<'_> {
    /// One outbox message per address; `None` (logged) when the PDF is too
    /// big to attach.
    pub fn to(&self, addresses: &[String], now_ms: i64) -> Option<Vec<NewMessage>> {
        let mut messages = Vec::new();
        for address in addresses {
            let message = notify::email_with_file(
                self.site,
                self.kind,
                address,
                self.message.clone(),
                (self.file_name.clone(), self.pdf.clone()),
                format!("{}:{address}", self.key),
                now_ms,
            );
            let Some(message) = message else {
                tracing::error!(key = %self.key, size = self.pdf.len(),
                    "the monthly report is too big to mail");
                return None;
            };
            messages.push(message);
        }
        Some(messages)
    }
}

/// The e-mail's subject and text: each report's title and office, in its
/// language, and where to find the figures.
pub(super) fn message(office: &str, reports: &[crate::report::Report]) -> (String, String) {
    let titles: Vec<&str> = reports.iter().map(|r| r.title.as_str()).collect();
    let subject = format!(
        "{} — {office}",
        titles.first().copied().unwrap_or("Guichet")
    );
    let mut text = String::new();
    for report in reports {
        text.push_str(&report.title);
        text.push('\n');
        for line in &report.lines {
            text.push_str(line);
            text.push('\n');
        }
        text.push('\n');
    }
    text.push_str("PDF : en pièce jointe / مرفق");
    (subject, text)
}
