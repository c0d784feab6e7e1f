//! Mailing a province's last month: on the first working day of the month
//! of the province's first site (by id: its timezone, opening hours and
//! closures, the rule of an office's mailing), the province's report of
//! the month before (`province_report`, its offices side by side) goes to
//! the addresses admins set, one e-mail each with the PDF attached (French,
//! then Arabic), through the outbox.
//!
//! Once per province and month, whatever the number of instances running
//! the sweep: the e-mails are queued in the transaction that inserts the
//! month's `province_report_mailings` row, which its primary key allows
//! once (and each e-mail's idempotency key once more). A province without
//! sites is not mailed.

use super::mailing::{Mail, message, month_due};
use super::province::province_report;
use super::{Words, render};
use crate::app::sites::SiteContext;
use crate::app::{App, AppResult};
use crate::store;
use crate::store::report_mailings::PROVINCES;

/// Provinces looked at in one sweep at most.
const MAX_PROVINCES: i64 = 1_000;

/// Mails the provinces' reports due now, in the languages of `words`;
/// returns how many provinces were mailed.
pub async fn sweep(app: &App, words: &[&dyn Words]) -> AppResult<usize> {
    let mut mailed = 0;
    let provinces = PROVINCES.with_recipients(&app.db, MAX_PROVINCES).await?;
    for province in provinces {
        if mail_province(app, &province, words).await? {
            mailed += 1;
        }
    }
    Ok(mailed)
}

/// Mails the report of `province` if today is its first working day of
/// the month and it was not mailed yet.
async fn mail_province(app: &App, province: &str, words: &[&dyn Words]) -> AppResult<bool> {
    let Some(row) = store::provinces::get(&app.db, province).await? else {
        return Ok(false);
    };
    let sites = store::provinces::site_ids(&app.db, province).await?;
    let Some(first_site) = sites.first() else {
        return Ok(false);
    };
    let context = SiteContext::load(app, first_site).await?;
    let Some((first, month)) = month_due(app, &context) else {
        return Ok(false);
    };
    if PROVINCES.mailed(&app.db, province, &month).await? {
        return Ok(false);
    }
    let addresses = PROVINCES.recipients(&app.db, province).await?;
    if addresses.is_empty() {
        return Ok(false);
    }
    let mut reports = Vec::new();
    for w in words {
        reports.push(province_report(app, province, first, *w).await?);
    }
    let mail = Mail {
        site: None,
        kind: "province_report",
        key: format!("province-report:{province}:{month}"),
        file_name: format!("rapport-province-{province}-{month}.pdf"),
        message: message(&row.name, &reports),
        pdf: render(reports).await?,
    };
    let now_ms = app.clock.now_ms();
    let Some(messages) = mail.to(&addresses, now_ms) else {
        return Ok(false);
    };
    let mut tx = app.db.begin().await?;
    let claimed =
        PROVINCES.claim_mailing(&mut tx, province, &month, addresses.len() as i64, now_ms);
    if !claimed.await? {
        // Another instance queued it meanwhile.
        return Ok(false);
    }
    for message in &messages {
        store::outbox::enqueue(&mut tx, message).await?;
    }
    tx.commit().await?;
    tracing::info!(%province, %month, recipients = addresses.len(),
        "province's monthly report queued");
    Ok(true)
}
