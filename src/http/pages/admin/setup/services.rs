//! `/admin/sites/{site}/services` (+ `/new`, `/{service}`): the services a
//! site offers and their settings, with the documents a citizen must bring
//! in both languages. Only an admin changes them (as the API); a
//! supervisor sees the list.

use super::fields::{Fields, number};
use super::{flash_of, may_change, refused, saved, with_status};
use crate::app::services::{self, NewService, RequiredDocument, ServicePatch, ServiceView};
use crate::app::{AppError, sites};
use crate::domain::Invalid;
use crate::http::AppState;
use crate::http::pages::admin::{FormError, Nav, Staff};
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Blank document rows offered below the filled ones, so that no script
/// is needed to add some.
const BLANK_ROWS: usize = 3;

/// The numbered settings, in the order the form shows them.
const NUMBERS: [&str; 5] = [
    "slot_minutes",
    "slot_capacity",
    "service_minutes",
    "target_wait_minutes",
    "processing_days",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sites/{site}/services", get(list))
        .route(
            "/admin/sites/{site}/services/new",
            get(new_form).post(create),
        )
        .route(
            "/admin/sites/{site}/services/{service}",
            get(edit_form).post(update),
        )
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

/// The form's values: a service's, or what was typed.
#[derive(Debug, Default)]
struct Draft {
    id: String,
    prefix: String,
    name: String,
    name_ar: String,
    walk_in: bool,
    in_person: bool,
    video: bool,
    numbers: Vec<(&'static str, String)>,
    /// Name in French and in Arabic of each document row.
    documents: Vec<(String, String)>,
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
        self.f
            .tr
            .s(&format!("admin.setup.service.{key}"))
            .to_owned()
    }
}

async fn list(
    State(state): State<AppState>,
    frame: Frame,
    staff: Staff,
    Path(site): Path<String>,
) -> Response {
    let frame = frame.for_office();
    let nav = match staff.nav(&state, &frame, Some(&site)).await {
        Ok(nav) => nav,
        Err(error) => return PageError::new(&frame, error).into_response(),
    };
    let view = match sites::get(&state.app, &site).await {
        Ok(view) => view,
        Err(error) => return PageError::new(&frame, error).into_response(),
    };
    render(&ListPage {
        flash: flash_of(&frame),
        f: frame,
        nav,
        site,
        services: view.services,
        editable: staff.is_admin,
    })
}

async fn new_form(
    State(state): State<AppState>,
    frame: Frame,
    staff: Staff,
    Path(site): Path<String>,
) -> Response {
    let defaults = ServiceView {
        id: String::new(),
        prefix: String::new(),
        name: String::new(),
        name_ar: None,
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
    };
    form_page(
        &state,
        frame.for_office(),
        &staff,
        &site,
        None,
        stored(defaults),
        None,
    )
    .await
}

async fn edit_form(
    State(state): State<AppState>,
    frame: Frame,
    staff: Staff,
    Path((site, service)): Path<(String, String)>,
) -> Response {
    let frame = frame.for_office();
    let found = sites::get(&state.app, &site).await.and_then(|view| {
        view.services
            .into_iter()
            .find(|s| s.id == service)
            .ok_or(AppError::NotFound("service"))
    });
    match found {
        Ok(view) => {
            form_page(
                &state,
                frame,
                &staff,
                &site,
                Some(&service),
                stored(view),
                None,
            )
            .await
        }
        Err(error) => PageError::new(&frame, error).into_response(),
    }
}

async fn create(
    State(state): State<AppState>,
    frame: Frame,
    staff: Staff,
    Path(site): Path<String>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Response {
    let frame = frame.for_office();
    if let Err(page) = may_change(&frame, &staff, &site, true) {
        return page.into_response();
    }
    let draft = typed(&form);
    let result = match input_of(&draft) {
        Ok(patch) => {
            let input = NewService {
                id: draft.id.trim().to_owned(),
                prefix: patch.prefix.unwrap_or_default(),
                name: patch.name.unwrap_or_default(),
                name_ar: patch.name_ar,
                walk_in: draft.walk_in,
                appointment_modes: patch.appointment_modes.unwrap_or_default(),
                slot_minutes: patch.slot_minutes.unwrap_or_default(),
                slot_capacity: patch.slot_capacity.unwrap_or_default(),
                service_minutes: patch.service_minutes.unwrap_or_default(),
                required_documents: patch.required_documents.unwrap_or_default(),
                processing_days: patch.processing_days.unwrap_or_default(),
                min_notice_minutes: None,
                horizon_days: None,
                target_wait_minutes: patch.target_wait_minutes,
            };
            services::create(&state.app, &staff.who, &site, input).await
        }
        Err(invalid) => Err(invalid.into()),
    };
    answer(state, frame, staff, site, None, draft, result).await
}

async fn update(
    State(state): State<AppState>,
    frame: Frame,
    staff: Staff,
    Path((site, service)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Response {
    let frame = frame.for_office();
    if let Err(page) = may_change(&frame, &staff, &site, true) {
        return page.into_response();
    }
    let mut draft = typed(&form);
    draft.id.clone_from(&service);
    let result = match input_of(&draft) {
        Ok(patch) => services::update(&state.app, &staff.who, &site, &service, patch).await,
        Err(invalid) => Err(invalid.into()),
    };
    answer(state, frame, staff, site, Some(service), draft, result).await
}

async fn answer(
    state: AppState,
    frame: Frame,
    staff: Staff,
    site: String,
    service: Option<String>,
    draft: Draft,
    result: Result<ServiceView, AppError>,
) -> Response {
    match result {
        Ok(view) => {
            let flash = if service.is_some() {
                "saved"
            } else {
                "created"
            };
            saved(&format!("/admin/sites/{site}/services/{}", view.id), flash)
        }
        Err(error) => match refused(&frame, error) {
            Ok(error) => {
                let service = service.as_deref();
                form_page(&state, frame, &staff, &site, service, draft, Some(error)).await
            }
            Err(page) => page.into_response(),
        },
    }
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
    let checked = match staff.require_admin() {
        Ok(()) => staff.nav(state, &frame, Some(site)).await,
        Err(error) => Err(error),
    };
    let nav = match checked {
        Ok(nav) => nav,
        Err(error) => return PageError::new(&frame, error).into_response(),
    };
    draft
        .documents
        .retain(|(fr, ar)| !fr.is_empty() || !ar.is_empty());
    draft.documents.extend(std::iter::repeat_n(
        (String::new(), String::new()),
        BLANK_ROWS,
    ));
    let page = FormPage {
        flash: flash_of(&frame),
        f: frame,
        nav,
        site: site.to_owned(),
        new: service.is_none(),
        draft,
        error: error.clone(),
    };
    with_status(render(&page), &error)
}

fn stored(view: ServiceView) -> Draft {
    let values = [
        view.slot_minutes,
        view.slot_capacity,
        view.service_minutes,
        view.target_wait_minutes,
        view.processing_days,
    ];
    Draft {
        in_person: view.appointment_modes.iter().any(|m| m == "in_person"),
        video: view.appointment_modes.iter().any(|m| m == "video"),
        id: view.id,
        prefix: view.prefix,
        name: view.name,
        name_ar: view.name_ar.unwrap_or_default(),
        walk_in: view.walk_in,
        numbers: NUMBERS
            .into_iter()
            .zip(values)
            .map(|(k, v)| (k, v.to_string()))
            .collect(),
        documents: view
            .required_documents
            .into_iter()
            .map(|d| (d.name, d.name_ar.unwrap_or_default()))
            .collect(),
    }
}

fn typed(form: &Fields) -> Draft {
    let mut documents = Vec::new();
    for (name, value) in form.pairs() {
        if let Some(row) = name.strip_prefix("doc_fr_") {
            let ar = form.get(&format!("doc_ar_{row}"));
            documents.push((value.trim().to_owned(), ar.trim().to_owned()));
        }
    }
    Draft {
        id: form.get("id").to_owned(),
        prefix: form.get("prefix").to_owned(),
        name: form.get("name").to_owned(),
        name_ar: form.get("name_ar").to_owned(),
        walk_in: form.ticked("walk_in"),
        in_person: form.ticked("in_person"),
        video: form.ticked("video"),
        numbers: NUMBERS
            .into_iter()
            .map(|k| (k, form.get(k).to_owned()))
            .collect(),
        documents,
    }
}

/// Every field of the form as a full patch; empty document rows are left
/// out, and a row needs its French name.
fn input_of(draft: &Draft) -> Result<ServicePatch, Invalid> {
    let value = |field: &'static str| -> Result<Option<i64>, Invalid> {
        let typed = draft.numbers.iter().find(|(k, _)| *k == field);
        typed.map(|(_, v)| number(field, v)).transpose()
    };
    let modes = [("in_person", draft.in_person), ("video", draft.video)]
        .into_iter()
        .filter(|(_, on)| *on)
        .map(|(mode, _)| mode.to_owned())
        .collect();
    let documents = draft
        .documents
        .iter()
        .filter(|(fr, ar)| !fr.is_empty() || !ar.is_empty())
        .map(|(fr, ar)| RequiredDocument {
            name: fr.clone(),
            name_ar: Some(ar.clone()).filter(|a| !a.is_empty()),
        })
        .collect();
    Ok(ServicePatch {
        prefix: Some(draft.prefix.trim().to_owned()),
        name: Some(draft.name.clone()),
        name_ar: Some(draft.name_ar.clone()).filter(|n| !n.trim().is_empty()),
        walk_in: Some(draft.walk_in),
        appointment_modes: Some(modes),
        slot_minutes: value("slot_minutes")?,
        slot_capacity: value("slot_capacity")?,
        service_minutes: value("service_minutes")?,
        required_documents: Some(documents),
        processing_days: value("processing_days")?,
        min_notice_minutes: None,
        horizon_days: None,
        target_wait_minutes: value("target_wait_minutes")?,
    })
}
