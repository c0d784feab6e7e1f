//! `/admin/sites/{site}/counters` (+ `/new`, `/{counter}`): the counters
//! of a site and the services each handles in order of preference (a
//! checkbox and an order number per service). Admins and the site's
//! supervisor, as the API.

use super::fields::{Fields, number};
use super::{May, flash_of, submit_thing, thing_pages, with_status};
use crate::app::counters::{self, CounterPatch, CounterView, NewCounter};
use crate::app::services::ServiceView;
use crate::app::{AppResult, setup, sites};
use crate::domain::Invalid;
use crate::http::AppState;
use crate::http::pages::admin::{FormError, Nav, Office, Staff};
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, OrPage, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn router() -> Router<AppState> {
    let (new, one) = (get(new_form).post(create), get(edit_form).post(update));
    thing_pages("counters/{counter}", get(list), new, one)
}

#[derive(Template)]
#[template(path = "admin_setup_counters.html")]
struct ListPage {
    f: Frame,
    nav: Nav,
    site: String,
    counters: Vec<CounterView>,
    services: Vec<ServiceView>,
    flash: Option<&'static str>,
}

impl ListPage {
    /// The counter's services by name, most preferred first.
    fn names(&self, counter: &CounterView) -> String {
        counter
            .services
            .iter()
            .map(|id| name_in(&self.f, &self.services, id))
            .collect::<Vec<_>>()
            .join(" › ")
    }

    fn state_name(&self, state: &str) -> String {
        self.f
            .tr
            .s(&format!("admin.setup.counter.{state}"))
            .to_owned()
    }
}

/// One service's line in the form.
#[derive(Debug, Clone)]
struct Choice {
    id: String,
    name: String,
    ticked: bool,
    /// The order number, as typed.
    rank: String,
}

#[derive(Template)]
#[template(path = "admin_setup_counter.html")]
struct FormPage {
    f: Frame,
    nav: Nav,
    site: String,
    new: bool,
    id: String,
    label: String,
    choices: Vec<Choice>,
    error: Option<FormError>,
    flash: Option<&'static str>,
}

async fn list(office: Office) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    let read = async {
        let nav = staff.nav(&state, &frame, Some(&site)).await?;
        let counters = setup::counters(&state.app, &staff.who, &site).await?;
        let services = sites::get(&state.app, &site).await?.services;
        AppResult::Ok((nav, counters, services))
    };
    match read.await {
        Ok((nav, counters, services)) => render(&ListPage {
            flash: flash_of(&frame),
            f: frame,
            nav,
            site,
            counters,
            services,
        }),
        Err(error) => PageError::new(&frame, error).into_response(),
    }
}

async fn new_form(office: Office) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    let form = Fields::default();
    form_page(&state, frame, &staff, &site, None, &form, None).await
}

async fn edit_form(
    office: Office,
    Path((_, counter)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (state, frame, staff, site) = office.into_parts();
    let view = setup::counter(&state.app, &staff.who, &site, &counter).await;
    let form = stored(&view.or_page(&frame)?);
    Ok(form_page(&state, frame, &staff, &site, Some(&counter), &form, None).await)
}

async fn create(office: Office, CsrfForm(form): CsrfForm<Fields>) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    let act = async {
        let input = NewCounter {
            id: form.get("id").trim().to_owned(),
            label: form.get("label").to_owned(),
            services: chosen(&form)?,
        };
        counters::create(&state.app, &staff.who, &site, input).await
    };
    let again = |frame, error| form_page(&state, frame, &staff, &site, None, &form, Some(error));
    submit_thing(frame, May::supervisor(&staff, &site), None, act, again).await
}

async fn update(
    office: Office,
    Path((_, counter)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<Fields>,
) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    let act = async {
        let patch = CounterPatch {
            label: Some(form.get("label").to_owned()),
            services: Some(chosen(&form)?),
        };
        counters::update(&state.app, &staff.who, &site, &counter, patch).await
    };
    let id = Some(counter.as_str());
    let again = |frame, error| form_page(&state, frame, &staff, &site, id, &form, Some(error));
    submit_thing(frame, May::supervisor(&staff, &site), id, act, again).await
}

async fn form_page(
    state: &AppState,
    frame: Frame,
    staff: &Staff,
    site: &str,
    counter: Option<&str>,
    form: &Fields,
    error: Option<FormError>,
) -> Response {
    let read = async {
        let nav = staff.nav(state, &frame, Some(site)).await?;
        staff
            .who
            .require_staff(site, &[crate::domain::role::Role::Supervisor])?;
        let services = sites::get(&state.app, site).await?.services;
        AppResult::Ok((nav, services))
    };
    let (nav, services) = match read.await {
        Ok(found) => found,
        Err(error) => return PageError::new(&frame, error).into_response(),
    };
    let choices = services
        .iter()
        .map(|s| Choice {
            id: s.id.clone(),
            name: name_in(&frame, &services, &s.id),
            ticked: form.ticked(&format!("svc_{}", s.id)),
            rank: form.get(&format!("rank_{}", s.id)).to_owned(),
        })
        .collect();
    let page = FormPage {
        flash: flash_of(&frame),
        f: frame,
        nav,
        site: site.to_owned(),
        new: counter.is_none(),
        id: counter.map_or_else(|| form.get("id").to_owned(), str::to_owned),
        label: form.get("label").to_owned(),
        choices,
        error: error.clone(),
    };
    with_status(render(&page), &error)
}

/// The ticked services, by order number (ties and blanks keep the form's
/// order, blanks last). Every `svc_*` field counts, so a service the site
/// does not have reaches the use case and is refused there.
fn chosen(form: &Fields) -> Result<Vec<String>, Invalid> {
    let mut ranked = Vec::new();
    for (position, (name, _)) in form.pairs().enumerate() {
        let Some(id) = name.strip_prefix("svc_") else {
            continue;
        };
        let rank = match form.get(&format!("rank_{id}")).trim() {
            "" => i64::MAX,
            typed => number("services", typed)?,
        };
        ranked.push((rank, position, id.to_owned()));
    }
    ranked.sort();
    Ok(ranked.into_iter().map(|(_, _, id)| id).collect())
}

/// A counter as if its form had been sent: ticked services numbered in
/// their order.
fn stored(view: &CounterView) -> Fields {
    let mut pairs = vec![
        ("id".to_owned(), view.id.clone()),
        ("label".to_owned(), view.label.clone()),
    ];
    for (rank, id) in view.services.iter().enumerate() {
        pairs.push((format!("svc_{id}"), "1".to_owned()));
        pairs.push((format!("rank_{id}"), (rank + 1).to_string()));
    }
    Fields::from(pairs)
}

fn name_in(frame: &Frame, services: &[ServiceView], id: &str) -> String {
    let service = services.iter().find(|s| s.id == id);
    match (frame.lang.code(), service) {
        (
            "ar",
            Some(ServiceView {
                name_ar: Some(ar), ..
            }),
        ) => ar.clone(),
        (_, Some(s)) => s.name.clone(),
        (_, None) => id.to_owned(),
    }
}
