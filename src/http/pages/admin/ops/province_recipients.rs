//! `/admin/provinces`: every province, its sites and the addresses its
//! monthly report is mailed to; `/admin/provinces/{province}/report-recipients`
//! sets them, one per line, in one `monthly_report::province_recipients::set`
//! (admins only, as the API).

use super::super::{Admin, Nav};
use super::Flash;
use super::recipients_form::{Form, RecipientsPage};
use crate::app::monthly_report::province_recipients;
use crate::app::province::admin::{self, ProvinceView};
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
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

/// The province's form, showing `addresses`.
fn form_of(f: Frame, nav: Nav, province: &str, addresses: String) -> RecipientsPage {
    let action = format!("/admin/provinces/{province}/report-recipients");
    let back = ("/admin/provinces".to_owned(), "province.list.title");
    RecipientsPage::new(f, nav, action, back, addresses)
}

async fn page(
    page: Admin,
    Path(province): Path<String>,
    Query(flash): Query<Flash>,
) -> Result<Response, PageError> {
    let read = province_recipients::get(&page.state.app, &page.staff.who, &province);
    let (nav, list) = page.read(read).await?;
    let addresses = list.addresses.join("\n");
    Ok(form_of(page.frame, nav, &province, addresses).show(&flash))
}

async fn save(
    page: Admin,
    Path(province): Path<String>,
    CsrfForm(form): CsrfForm<Form>,
) -> Result<Response, PageError> {
    let (nav, ()) = page.read(async { Ok(()) }).await?;
    let (state, frame, staff) = page.into_parts();
    let saved = province_recipients::set(&state.app, &staff.who, &province, &form.typed()).await;
    form_of(frame, nav, &province, form.addresses).saved(saved)
}
