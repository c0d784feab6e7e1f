//! `/admin/sites/{site}/announcements`: the lobby announcements of a site,
//! edited as one table (French and Arabic text and an order per row, a few
//! blank rows to add more) and saved in one `announcements::replace`.
//! Rows left blank in both languages are dropped.

use super::super::{FormError, Nav, Office};
use super::Flash;
use crate::app::AppError;
use crate::app::announcements::{self, Announcement, Announcements, MAX_CHARS};
use crate::domain::Invalid;
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

/// Blank rows offered under the list, to add announcements.
const BLANK_ROWS: usize = 3;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/sites/{site}/announcements", get(page).post(save))
}

/// One row of the table, as shown or as typed.
struct Row {
    text_fr: String,
    text_ar: String,
    order: String,
    /// The refused field of this row, to mark it.
    bad: Option<&'static str>,
}

impl Row {
    /// Whether `field` of this row is the refused one.
    fn bad_is(&self, field: &str) -> bool {
        self.bad == Some(field)
    }
}

#[derive(Template)]
#[template(path = "admin_ops_announcements.html")]
struct AnnouncementsPage {
    f: Frame,
    nav: Nav,
    site: String,
    rows: Vec<Row>,
    max_chars: usize,
    error: Option<FormError>,
    flash: Option<&'static str>,
}

async fn page(office: Office, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let (state, frame, _, site) = office.into_parts();
    let fail = |e| PageError::new(&frame, e);
    let list = announcements::list(&state.app, &site).await.map_err(fail)?;
    let mut rows: Vec<Row> = list
        .announcements
        .into_iter()
        .map(|a| Row {
            text_fr: a.text_fr,
            text_ar: a.text_ar,
            order: String::new(),
            bad: None,
        })
        .collect();
    rows.extend((0..BLANK_ROWS).map(|_| Row {
        text_fr: String::new(),
        text_ar: String::new(),
        order: String::new(),
        bad: None,
    }));
    for (i, row) in rows.iter_mut().enumerate() {
        row.order = (i + 1).to_string();
    }
    Ok(render(&AnnouncementsPage {
        f: frame,
        nav,
        site,
        rows,
        max_chars: MAX_CHARS,
        error: None,
        flash: flash.key(&[("saved", "admin.saved")]),
    }))
}

async fn save(
    office: Office,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let (state, frame, staff, site) = office.into_parts();
    let fail = |e| PageError::new(&frame, e);
    let mut rows = typed_rows(&form);
    let outcome = match in_order(&rows) {
        Ok(list) => announcements::replace(&state.app, &staff.who, &site, list)
            .await
            .map(|_| ()),
        Err(invalid) => Err(invalid.into()),
    };
    match outcome {
        Ok(()) => {
            let to = format!("/admin/sites/{site}/announcements?done=saved");
            Ok(Redirect::to(&to).into_response())
        }
        Err(error @ (AppError::Forbidden(_) | AppError::NotFound(_))) => Err(fail(error)),
        Err(error) => {
            let error = FormError::new(frame.tr, &error);
            mark(&mut rows, &error);
            let status = error.status;
            let mut response = render(&AnnouncementsPage {
                f: frame,
                nav,
                site,
                rows,
                max_chars: MAX_CHARS,
                error: Some(error),
                flash: None,
            });
            *response.status_mut() = status;
            Ok(response)
        }
    }
}

/// The rows as typed (`fr_N`, `ar_N`, `order_N`), in the form's order.
fn typed_rows(form: &[(String, String)]) -> Vec<Row> {
    let mut indexes: Vec<usize> = form
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("fr_").and_then(|n| n.parse().ok()))
        .collect();
    indexes.sort_unstable();
    indexes.dedup();
    let value = |name: String| super::one_of(form, &name);
    indexes
        .into_iter()
        .take(200)
        .map(|i| Row {
            text_fr: value(format!("fr_{i}")),
            text_ar: value(format!("ar_{i}")),
            order: value(format!("order_{i}")).trim().to_owned(),
            bad: None,
        })
        .collect()
}

fn is_blank(row: &Row) -> bool {
    row.text_fr.trim().is_empty() && row.text_ar.trim().is_empty()
}

/// The filled rows sorted by their order (then as typed); an order that
/// is not a number is refused.
fn in_order(rows: &[Row]) -> Result<Announcements, Invalid> {
    let mut filled = Vec::new();
    for (i, row) in rows.iter().enumerate().filter(|(_, r)| !is_blank(r)) {
        let order: i64 = match row.order.as_str() {
            "" => i64::MAX,
            typed => typed
                .parse()
                .map_err(|_| Invalid::new("order", "the order is a whole number"))?,
        };
        filled.push((order, i, row));
    }
    filled.sort_by_key(|(order, i, _)| (*order, *i));
    Ok(Announcements {
        announcements: filled
            .into_iter()
            .map(|(_, _, r)| Announcement {
                text_fr: r.text_fr.clone(),
                text_ar: r.text_ar.clone(),
            })
            .collect(),
    })
}

/// Marks the rows whose refused field is empty, too long or not a number.
fn mark(rows: &mut [Row], error: &FormError) {
    for row in rows.iter_mut().filter(|r| !is_blank(r)) {
        let wrong = |text: &str| text.trim().is_empty() || text.trim().chars().count() > MAX_CHARS;
        row.bad = if error.is("text_fr") && wrong(&row.text_fr) {
            Some("text_fr")
        } else if error.is("text_ar") && wrong(&row.text_ar) {
            Some("text_ar")
        } else if error.is("order") && !row.order.is_empty() && row.order.parse::<i64>().is_err() {
            Some("order")
        } else {
            None
        };
    }
}
