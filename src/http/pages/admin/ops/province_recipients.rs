//! `/admin/provinces`: every province, its sites and the addresses its
//! monthly report is mailed to; `/admin/provinces/{province}/report-recipients`
//! sets them, one per line, in one `monthly_report::province_recipients::set`
//! (admins only, as the API).

use super::super::{Admin, FormError, Nav};
use super::Flash;
use crate::app::AppError;
use crate::app::monthly_report::province_recipients;
use crate::app::monthly_report::recipients::{MAX, Recipients};
use crate::app::province::admin::{self, ProvinceView};
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/provinces", get(list)).route(
        "/admin/provinces/{province}/report-recipients",
        get(page).post(save),
    )
}

#[derive(Template)]
#[template(path = "admin_ops_provinces.html")]
struct ListPage {
    f: Frame,
    nav: Nav,
    /// Each province and its report's addresses.
    provinces: Vec<(ProvinceView, Vec<String>)>,
}

async fn list(page: Admin) -> Result<Response, PageError> {
    page.admin_only()?;
    let Admin { state, staff, .. } = &page;
    let read = async {
        let mut all = Vec::new();
        for p in admin::list(&state.app, &staff.who).await? {
            let to = province_recipients::get(&state.app, &staff.who, &p.id).await?;
            all.push((p, to.addresses));
        }
        Ok(all)
    };
    let (nav, provinces) = page.read(read).await?;
    Ok(render(&ListPage {
        f: page.frame,
        nav,
        provinces,
    }))
}

#[derive(Template)]
#[template(path = "admin_ops_report_recipients.html")]
struct RecipientsPage {
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

fn recipients_page(nav: Nav, f: Frame, province: &str, addresses: String) -> RecipientsPage {
    RecipientsPage {
        f,
        nav,
        action: format!("/admin/provinces/{province}/report-recipients"),
        back: ("/admin/provinces".to_owned(), "province.list.title"),
        addresses,
        max: MAX,
        error: None,
        flash: None,
    }
}

async fn page(
    page: Admin,
    Path(province): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let read = province_recipients::get(&page.state.app, &page.staff.who, &province);
    let (nav, list) = page.read(read).await?;
    let mut shown = recipients_page(nav, page.frame, &province, list.addresses.join("\n"));
    shown.flash = flash.key(&[("saved", "admin.saved")]);
    Ok(render(&shown))
}

#[derive(Debug, serde::Deserialize)]
struct Form {
    #[serde(default)]
    addresses: String,
}

async fn save(
    page: Admin,
    Path(province): Path<String>,
    CsrfForm(form): CsrfForm<Form>,
) -> Result<Response, PageError> {
    let (nav, ()) = page.read(async { Ok(()) }).await?;
    let (state, frame, staff) = page.into_parts();
    let typed = Recipients {
        addresses: form
            .addresses
            .split(['\n', ',', ';'])
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    match province_recipients::set(&state.app, &staff.who, &province, &typed).await {
        Ok(_) => {
            let to = format!("/admin/provinces/{province}/report-recipients?done=saved");
            Ok(Redirect::to(&to).into_response())
        }
        Err(error @ (AppError::Forbidden(_) | AppError::NotFound(_))) => {
            Err(PageError::new(&frame, error))
        }
        Err(error) => {
            let error = FormError::new(frame.tr, &error);
            let status = error.status;
            let mut shown = recipients_page(nav, frame, &province, form.addresses);
            shown.error = Some(error);
            let mut response = render(&shown);
            *response.status_mut() = status;
            Ok(response)
        }
    }
}
