//! `/admin/sites/{site}/devices`: the site's kiosks and displays, issuing
//! one (its token shown once, with the address that sets the device up),
//! giving one a new token the same way (the old one stops at once: a
//! token unused for `GUICHET_DEVICE_IDLE_DAYS` has expired) and revoking
//! one. Through `app::devices`, like the API.

use super::super::{FormError, Nav, Office, Staff};
use super::{Flash, never_stored, short_time};
use crate::app::AppError;
use crate::app::devices::{self, DeviceView, IssuedDevice, NewDevice};
use crate::domain::role::DeviceKind;
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, OrPage, PageError, render, render_at};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sites/{site}/devices", get(page).post(issue))
        .route("/admin/sites/{site}/devices/{id}/revoke", post(revoke))
        .route("/admin/sites/{site}/devices/{id}/token", post(rotate))
}

#[derive(Template)]
#[template(path = "admin_ops_devices.html")]
struct DevicesPage {
    f: Frame,
    nav: Nav,
    site: String,
    devices: Vec<DeviceView>,
    /// The issue form as typed.
    kind: String,
    label: String,
    error: Option<FormError>,
    flash: Option<&'static str>,
}

impl DevicesPage {
    fn when(&self, rfc3339: &str) -> String {
        short_time(rfc3339)
    }
}

#[derive(Template)]
#[template(path = "admin_ops_device_issued.html")]
struct IssuedPage {
    f: Frame,
    nav: Nav,
    site: String,
    /// `admin.ops.devices.issued` or `admin.ops.devices.rotated`.
    title: &'static str,
    issued: IssuedDevice,
    /// Where to open the device's browser once: `(what, address)`.
    addresses: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct Issue {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    label: String,
}

async fn page(office: Office, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let (state, frame, staff, site) = office.into_parts();
    let flash = flash.key(&[("revoked", "admin.ops.devices.revoked")]);
    show(
        &state,
        frame,
        &staff,
        site,
        Issue {
            kind: "kiosk".into(),
            label: String::new(),
        },
        None,
        flash,
    )
    .await
}

async fn show(
    state: &AppState,
    frame: Frame,
    staff: &Staff,
    site: String,
    typed: Issue,
    error: Option<FormError>,
    flash: Option<&'static str>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(&frame, e);
    let nav = staff.nav(state, &frame, Some(&site)).await.map_err(fail)?;
    let devices = devices::list(&state.app, &staff.who, &site)
        .await
        .map_err(fail)?;
    let status = error.as_ref().map(|e| e.status);
    let page = DevicesPage {
        f: frame,
        nav,
        site,
        devices,
        kind: typed.kind,
        label: typed.label,
        error,
        flash,
    };
    Ok(render_at(&page, status))
}

async fn issue(office: Office, CsrfForm(typed): CsrfForm<Issue>) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let (state, frame, staff, site) = office.into_parts();
    let fail = |e| PageError::new(&frame, e);
    let issued = match DeviceKind::parse(typed.kind.trim()) {
        Ok(kind) => {
            let input = NewDevice {
                kind,
                label: typed.label.clone(),
            };
            devices::create(&state.app, &staff.who, &site, input).await
        }
        Err(invalid) => Err(invalid.into()),
    };
    let issued = match issued {
        Ok(issued) => issued,
        Err(error @ (AppError::Forbidden(_) | AppError::NotFound(_))) => return Err(fail(error)),
        Err(error) => {
            let error = FormError::new(frame.tr, &error);
            return show(&state, frame, &staff, site, typed, Some(error), None).await;
        }
    };
    let addresses = addresses(&state, &staff, &issued).await.map_err(fail)?;
    Ok(never_stored(render(&IssuedPage {
        f: frame,
        nav,
        site,
        title: "admin.ops.devices.issued",
        issued,
        addresses,
    })))
}

/// The page a new device opens once to take its token: the site's kiosk,
/// or the display of one of the site's counters.
async fn addresses(
    state: &AppState,
    staff: &Staff,
    issued: &IssuedDevice,
) -> Result<Vec<(String, String)>, AppError> {
    let base = state.app.links.public_url.trim_end_matches('/');
    let token = &issued.token;
    Ok(match issued.kind {
        DeviceKind::Kiosk => vec![(
            issued.site.clone(),
            format!("{base}/kiosk/{}?device={token}", issued.site),
        )],
        DeviceKind::Display => crate::app::console::counters(&state.app, &staff.who, &issued.site)
            .await?
            .into_iter()
            .map(|c| {
                let address = format!("{base}/counter-display/{}?device={token}", c.id);
                (c.label, address)
            })
            .collect(),
    })
}

/// The page's menu, once the caller may see the site and the device is
/// one of the page's site (404 otherwise), so that a form cannot act
/// elsewhere than the page it was on.
async fn device_of_site(office: &Office, id: &str) -> Result<Nav, PageError> {
    let nav = office.nav().await?;
    let devices = devices::list(&office.state.app, &office.staff.who, &office.site).await;
    match devices
        .map_err(|e| office.fail(e))?
        .iter()
        .any(|d| d.id == id)
    {
        true => Ok(nav),
        false => Err(office.fail(AppError::NotFound("device"))),
    }
}

async fn revoke(
    office: Office,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    device_of_site(&office, &id).await?;
    let (state, frame, staff, site) = office.into_parts();
    devices::revoke(&state.app, &staff.who, &id)
        .await
        .or_page(&frame)?;
    let to = format!("/admin/sites/{site}/devices?done=revoked");
    Ok(Redirect::to(&to).into_response())
}

/// A new token for a device of the site, shown once like a new device's.
async fn rotate(
    office: Office,
    Path((_, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let nav = device_of_site(&office, &id).await?;
    let (state, frame, staff, site) = office.into_parts();
    let fail = |e| PageError::new(&frame, e);
    let issued = devices::rotate(&state.app, &staff.who, &id)
        .await
        .map_err(fail)?;
    let addresses = addresses(&state, &staff, &issued).await.map_err(fail)?;
    Ok(never_stored(render(&IssuedPage {
        f: frame,
        nav,
        site,
        title: "admin.ops.devices.rotated",
        issued,
        addresses,
    })))
}
