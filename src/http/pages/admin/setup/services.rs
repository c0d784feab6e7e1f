//! `/admin/sites/{site}/services` (+ `/new`, `/{service}`): the services a
//! site offers and their settings, with the documents a citizen must bring
//! in both languages. Only an admin changes them (as the API); a
//! supervisor sees the list.

use super::fields::Fields;
use super::service_draft::{Draft, input_of, stored, typed};
use super::{May, admin_form, flash_of, submit_thing, thing_pages};
use crate::app::services::{self, NewService, ServiceView};
use crate::app::{AppError, sites};
use crate::http::AppState;
use crate::http::pages::admin::{FormError, Nav, Office, Staff};
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::get;

/// Blank document rows offered below the filled ones, so that no script
/// is needed to add some.
const BLANK_ROWS: usize = 3;

pub fn router() -> Router<AppState> {
    let (new, one) = (get(new_form).post(create), get(edit_form).post(update));
    thing_pages("services/{service}", get(list), new, one)
}

#[derive(Template)]
#[template(path = "admin_setup_services.html")]
struct ListPage {
    f: Frame,
    nav: Nav,
    site: String,
    services: Vec<ServiceView>,
    editable: bool,
    flash: Option<&'static str>,
}

impl ListPage {
    fn name(&self, service: &ServiceView) -> String {
        match (self.f.lang.code(), &service.name_ar) {
            ("ar", Some(ar)) => ar.clone(),
            _ => service.name.clone(),
        }
    }

    fn mode_name(&self, mode: &str) -> String {
        self.f
            .tr
            .s(&format!("admin.setup.service.mode_{mode}"))
            .to_owned()
    }
}

#[derive(Template)]
#[template(path = "admin_setup_service.html")]
struct FormPage {
    f: Frame,
    nav: Nav,
    site: String,
    new: bool,
    draft: Draft,
    error: Option<FormError>,
    flash: Option<&'static str>,
}

impl FormPage {
    fn label(&self, key: &str) -> String {
        self.f.tr.under("admin.setup.service", key)
    }
}

async fn list(office: Office) -> Result<Response, PageError> {
    let nav = office.nav().await?;
    let (state, frame, staff, site) = office.into_parts();
    let view = sites::get(&state.app, &site).await;
    Ok(render(&ListPage {
        services: view.or_page(&frame)?.services,
        flash: flash_of(&frame),
        f: frame,
        nav,
        site,
        editable: staff.is_admin,
    }))
}

async fn new_form(office: Office) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    let defaults = ServiceView {
        id: String::new(),
        prefix: String::new(),
        name: String::new(),
        name_ar: None,
        name_en: None,
        kind: None,
        name_zgh: None,
        walk_in: true,
        appointment_modes: Vec::new(),
        slot_minutes: 15,
        slot_capacity: 1,
        service_minutes: 10,
        required_documents: Vec::new(),
        processing_days: 0,
        min_notice_minutes: 120,
        horizon_days: 60,
        target_wait_minutes: 30,
        remote_share_percent: 50,
    };
    form_page(&state, frame, &staff, &site, None, stored(defaults), None).await
}

async fn edit_form(
    office: Office,
    Path((_, service)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (state, frame, staff, site) = office.into_parts();
    let found = sites::get(&state.app, &site).await.and_then(|view| {
        view.services
            .into_iter()
            .find(|s| s.id == service)
            .ok_or(AppError::NotFound("service"))
    });
    let view = found.or_page(&frame)?;
    let id = Some(service.as_str());
    Ok(form_page(&state, frame, &staff, &site, id, stored(view), None).await)
}

async fn create(office: Office, CsrfForm(form): CsrfForm<Fields>) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    let draft = typed(&form);
    let act = async {
        let patch = input_of(&draft)?;
        let input = NewService {
            id: draft.id.trim().to_owned(),
            prefix: patch.prefix.unwrap_or_default(),
            name: patch.name.unwrap_or_default(),
            name_ar: patch.name_ar,
            name_en: patch.name_en,
            kind: patch.kind,
            name_zgh: patch.name_zgh,
            walk_in: draft.walk_in,
            appointment_modes: patch.appointment_modes.unwrap_or_default(),
            slot_minutes: patch.slot_minutes.unwrap_or_default(),
            slot_capacity: patch.slot_capacity.unwrap_or_default(),
            service_minutes: patch.service_minutes.unwrap_or_default(),
            required_documents: patch.required_documents.unwrap_or_default(),
            processing_days: patch.processing_days.unwrap_or_default(),
            min_notice_minutes: patch.min_notice_minutes,
            horizon_days: patch.horizon_days,
            target_wait_minutes: patch.target_wait_minutes,
            remote_share_percent: patch.remote_share_percent,
        };
        services::create(&state.app, &staff.who, &site, input).await
    };
    let again = |frame, error| {
        form_page(
            &state,
            frame,
            &staff,
            &site,
            None,
            draft.clone(),
            Some(error),
        )
    };
    submit_thing(frame, May::admin(&staff, &site), None, act, again).await
}

async fn update(
    office: Office,
    Path((_, service)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    let mut draft = typed(&form);
    draft.id.clone_from(&service);
    let act = async {
        let patch = input_of(&draft)?;
        services::update(&state.app, &staff.who, &site, &service, patch).await
    };
    let id = Some(service.as_str());
    let again =
        |frame, error| form_page(&state, frame, &staff, &site, id, draft.clone(), Some(error));
    submit_thing(frame, May::admin(&staff, &site), id, act, again).await
}

/// The form, for an admin only: the API lets nobody else change services.
async fn form_page(
    state: &AppState,
    frame: Frame,
    staff: &Staff,
    site: &str,
    service: Option<&str>,
    mut draft: Draft,
    error: Option<FormError>,
) -> Response {
    draft
        .documents
        .retain(|(fr, ar)| !fr.is_empty() || !ar.is_empty());
    draft.documents.extend(std::iter::repeat_n(
        (String::new(), String::new()),
        BLANK_ROWS,
    ));
    let shown = error.clone();
    admin_form(state, frame, staff, site, &shown, |f, nav, flash| {
        FormPage {
            f,
            nav,
            flash,
            site: site.to_owned(),
            new: service.is_none(),
            draft,
            error,
        }
    })
    .await
}
