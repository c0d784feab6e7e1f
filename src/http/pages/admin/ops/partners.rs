//! `/admin/partners` (admins): the other administrations that push the
//! status of their files, registering one (its signing secret shown once),
//! giving one a new secret (shown once too) and disabling one. Through
//! `app::partners`, like the API.

use super::super::{Admin, FormError, Nav, Staff};
use super::{Flash, all_of, never_stored, one_of, pressed, registry};
use crate::app::AppError;
use crate::app::partners::{self, NewPartner, PartnerView};
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, OrPage, PageError, render, render_at};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/partners", get(page).post(register))
        .route("/admin/partners/{id}/secret", post(rotate))
        .route("/admin/partners/{id}/disable", post(disable))
}

#[derive(Template)]
#[template(path = "admin_ops_partners.html")]
struct PartnersPage {
    f: Frame,
    nav: Nav,
    partners: Vec<PartnerView>,
    /// Every site, `(id, name)`, to choose where a partner's files show.
    sites: Vec<(String, String)>,
    /// The form as typed.
    typed: NewPartner,
    error: Option<FormError>,
    flash: Option<&'static str>,
}

impl PartnersPage {
    fn is_chosen(&self, site: &str) -> bool {
        self.typed.sites.iter().any(|s| s == site)
    }

    fn name_ar(&self) -> &str {
        self.typed.name_ar.as_deref().unwrap_or("")
    }
}

#[derive(Template)]
#[template(path = "admin_ops_partner_secret.html")]
struct SecretPage {
    f: Frame,
    nav: Nav,
    partner: PartnerView,
    secret: String,
}

fn blank() -> NewPartner {
    NewPartner {
        id: String::new(),
        name: String::new(),
        name_ar: None,
        sites: Vec::new(),
    }
}

async fn page(admin: Admin, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let (state, frame, staff) = admin.into_parts();
    let flash = flash.key(&[("disabled", "admin.ops.partners.disabled")]);
    show(&state, frame, &staff, blank(), None, flash).await
}

async fn show(
    state: &AppState,
    frame: Frame,
    staff: &Staff,
    typed: NewPartner,
    error: Option<FormError>,
    flash: Option<&'static str>,
) -> Result<Response, PageError> {
    let list = partners::list(&state.app, &staff.who);
    let (nav, partners, sites) = registry(state, &frame, staff, list).await?;
    let status = error.as_ref().map(|e| e.status);
    let page = PartnersPage {
        f: frame,
        nav,
        partners,
        sites,
        typed,
        error,
        flash,
    };
    Ok(render_at(&page, status))
}

/// The page that shows a secret once.
async fn secret_shown(
    state: &AppState,
    frame: Frame,
    staff: &Staff,
    mut partner: PartnerView,
) -> Result<Response, PageError> {
    let nav = staff.nav(state, &frame, None).await.or_page(&frame)?;
    let secret = partner.secret.take().unwrap_or_default();
    Ok(never_stored(render(&SecretPage {
        f: frame,
        nav,
        partner,
        secret,
    })))
}

async fn register(
    admin: Admin,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (state, frame, staff) = admin.into_parts();
    let fail = |e| PageError::new(&frame, e);
    staff.require_admin().map_err(fail)?;
    let typed = || NewPartner {
        id: one_of(&form, "id").trim().to_owned(),
        name: one_of(&form, "name"),
        name_ar: Some(one_of(&form, "name_ar")),
        sites: all_of(&form, "sites"),
    };
    match partners::register(&state.app, &staff.who, typed()).await {
        Ok(partner) => secret_shown(&state, frame, &staff, partner).await,
        Err(error @ AppError::Forbidden(_)) => Err(fail(error)),
        Err(error) => {
            let error = FormError::new(frame.tr, &error);
            show(&state, frame, &staff, typed(), Some(error), None).await
        }
    }
}

async fn rotate(
    admin: Admin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let (state, frame, staff) = admin.into_parts();
    match partners::rotate(&state.app, &staff.who, &id).await {
        Ok(partner) => secret_shown(&state, frame, &staff, partner).await,
        Err(error) => Err(PageError::new(&frame, error)),
    }
}

async fn disable(
    admin: Admin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let (state, frame, staff) = admin.into_parts();
    let act = partners::disable(&state.app, &staff.who, &id);
    pressed(frame, act, "/admin/partners?done=disabled").await
}
