//! `/admin/sites/new` and `/admin/sites/{site}`: creating a site and its
//! settings. Only an admin changes them (as `PATCH /api/v1/sites/{site}`);
//! a supervisor sees them read-only.

use super::fields::{Fields, number};
use super::{May, created, flash_of, saved, submit, with_status};
use crate::app::AppResult;
use crate::app::sites::{self, NewSite, SitePatch, SiteView};
use crate::domain::Invalid;
use crate::http::AppState;
use crate::http::created::Named;
use crate::http::pages::admin::{Admin, FormError, Nav, Office, Staff};
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Timezones offered while typing; any IANA name is accepted.
const ZONES: [&str; 12] = [
    "Africa/Casablanca",
    "Africa/El_Aaiun",
    "Africa/Algiers",
    "Africa/Tunis",
    "Africa/Cairo",
    "Africa/Dakar",
    "Africa/Abidjan",
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Madrid",
    "Europe/London",
    "UTC",
];

/// The site's numbered settings, in the order the page shows them.
const SETTINGS: [&str; 8] = [
    "priority_streak_max",
    "min_recalls",
    "near_turn_ahead",
    "checkin_early_minutes",
    "checkin_late_minutes",
    "complaint_answer_days",
    "travel_margin_minutes",
    "remote_grace_minutes",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sites/new", get(new_form).post(create))
        .route("/admin/sites/{site}", get(settings).post(update))
}

/// The form's values: a site's, or what was typed.
#[derive(Debug, Default)]
struct Draft {
    id: String,
    name: String,
    name_ar: String,
    address: String,
    address_ar: String,
    city: String,
    latitude: String,
    longitude: String,
    timezone: String,
    verify_phone: bool,
    tamazight: bool,
    settings: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "admin_setup_site.html")]
struct SitePage {
    f: Frame,
    nav: Nav,
    /// Creating a site rather than changing one.
    new: bool,
    editable: bool,
    draft: Draft,
    zones: &'static [&'static str],
    error: Option<FormError>,
    flash: Option<&'static str>,
}

async fn new_form(admin: Admin) -> Response {
    let (state, frame, staff) = admin.into_parts();
    let draft = Draft {
        timezone: ZONES[0].to_owned(),
        verify_phone: true,
        ..Draft::default()
    };
    page(&state, frame, &staff, None, draft, None).await
}

async fn create(admin: Admin, CsrfForm(form): CsrfForm<Fields>) -> Response {
    let (state, frame, staff) = admin.into_parts();
    let draft = typed(&form, true);
    let position = position_of(&draft);
    let city = Some(draft.city.clone());
    let mut input = NewSite {
        id: draft.id.trim().to_owned(),
        name: draft.name.clone(),
        name_ar: Some(draft.name_ar.clone()),
        timezone: draft.timezone.trim().to_owned(),
        opening_hours: Default::default(),
        closures: Vec::new(),
        verify_phone: Some(draft.verify_phone),
        tamazight: Some(draft.tamazight),
        address: Some(draft.address.clone()),
        address_ar: Some(draft.address_ar.clone()),
        city,
        latitude: None,
        longitude: None,
    };
    let act = async {
        (input.latitude, input.longitude) = position?;
        sites::create(&state.app, &staff.who, input).await
    };
    let done = |site: SiteView| {
        let to = format!("/admin/sites/{}/hours", site.id);
        created(&to, site.audit_name())
    };
    let again = |frame, error| page(&state, frame, &staff, None, draft, Some(error));
    submit(frame, None, act, done, again).await
}

async fn settings(office: Office) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    match sites::get(&state.app, &site).await {
        Ok(view) => page(&state, frame, &staff, Some(&site), stored(view), None).await,
        Err(error) => PageError::new(&frame, error).into_response(),
    }
}

async fn update(office: Office, CsrfForm(form): CsrfForm<Fields>) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    let mut draft = typed(&form, false);
    draft.id.clone_from(&site);
    let patch = patch_of(&draft);
    let act = async { sites::update(&state.app, &staff.who, &site, patch?).await };
    let may = May::admin(&staff, &site);
    let done = |_| saved(&format!("/admin/sites/{site}"), "saved");
    let again = |frame, error| page(&state, frame, &staff, Some(&site), draft, Some(error));
    submit(frame, Some(may), act, done, again).await
}

/// The page, after checking the caller may see it: a new site needs an
/// admin, an existing one its admin or supervisor.
async fn page(
    state: &AppState,
    frame: Frame,
    staff: &Staff,
    site: Option<&str>,
    draft: Draft,
    error: Option<FormError>,
) -> Response {
    let checked: AppResult<Nav> = async {
        if site.is_none() {
            staff.require_admin()?;
        }
        staff.nav(state, &frame, site).await
    }
    .await;
    let nav = match checked {
        Ok(nav) => nav,
        Err(error) => {
            return PageError::new(&frame, error).into_response();
        }
    };
    let page = SitePage {
        flash: flash_of(&frame),
        new: site.is_none(),
        editable: staff.is_admin,
        f: frame,
        nav,
        draft,
        zones: &ZONES,
        error: error.clone(),
    };
    with_status(render(&page), &error)
}

fn stored(view: SiteView) -> Draft {
    let values = [
        view.priority_streak_max,
        view.min_recalls,
        view.near_turn_ahead,
        view.checkin_early_minutes,
        view.checkin_late_minutes,
        view.complaint_answer_days,
        view.travel_margin_minutes,
        view.remote_grace_minutes,
    ];
    Draft {
        id: view.id,
        name: view.name,
        name_ar: view.name_ar.unwrap_or_default(),
        address: view.address.unwrap_or_default(),
        address_ar: view.address_ar.unwrap_or_default(),
        city: view.city.unwrap_or_default(),
        latitude: view.latitude.map(|v| v.to_string()).unwrap_or_default(),
        longitude: view.longitude.map(|v| v.to_string()).unwrap_or_default(),
        timezone: view.timezone,
        verify_phone: view.verify_phone,
        tamazight: view.tamazight,
        settings: SETTINGS
            .into_iter()
            .zip(values)
            .map(|(k, v)| (k, v.to_string()))
            .collect(),
    }
}

fn typed(form: &Fields, new: bool) -> Draft {
    Draft {
        id: form.get("id").to_owned(),
        name: form.get("name").to_owned(),
        name_ar: form.get("name_ar").to_owned(),
        address: form.get("address").to_owned(),
        address_ar: form.get("address_ar").to_owned(),
        city: form.get("city").to_owned(),
        latitude: form.get("latitude").to_owned(),
        longitude: form.get("longitude").to_owned(),
        timezone: form.get("timezone").to_owned(),
        verify_phone: form.ticked("verify_phone"),
        tamazight: form.ticked("tamazight"),
        settings: if new {
            Vec::new()
        } else {
            SETTINGS
                .into_iter()
                .map(|k| (k, form.get(k).to_owned()))
                .collect()
        },
    }
}

fn patch_of(draft: &Draft) -> Result<SitePatch, Invalid> {
    let value = |field: &'static str| -> Result<Option<i64>, Invalid> {
        let typed = draft.settings.iter().find(|(k, _)| *k == field);
        match typed {
            // Left out (a form of before the remote queue): kept as it is.
            Some((k, v)) if k.starts_with("travel_") || k.starts_with("remote_") => {
                match v.trim() {
                    "" => Ok(None),
                    v => number(field, v).map(Some),
                }
            }
            _ => typed.map(|(_, v)| number(field, v)).transpose(),
        }
    };
    let (latitude, longitude) = position_of(draft)?;
    Ok(SitePatch {
        // Blank clears the city, and both blank the position.
        city: Some(draft.city.clone()),
        clear_position: Some(latitude.is_none() && longitude.is_none()),
        latitude,
        longitude,
        name: Some(draft.name.clone()),
        // Blank clears the Arabic name.
        name_ar: Some(draft.name_ar.clone()),
        // Blank clears an address too.
        address: Some(draft.address.clone()),
        address_ar: Some(draft.address_ar.clone()),
        timezone: Some(draft.timezone.trim().to_owned()),
        verify_phone: Some(draft.verify_phone),
        tamazight: Some(draft.tamazight),
        priority_streak_max: value("priority_streak_max")?,
        min_recalls: value("min_recalls")?,
        near_turn_ahead: value("near_turn_ahead")?,
        checkin_early_minutes: value("checkin_early_minutes")?,
        checkin_late_minutes: value("checkin_late_minutes")?,
        complaint_answer_days: value("complaint_answer_days")?,
        travel_margin_minutes: value("travel_margin_minutes")?,
        remote_grace_minutes: value("remote_grace_minutes")?,
        ..SitePatch::default()
    })
}

/// The position typed, in degrees (`33.59` or `33,59`); blank is none.
fn position_of(draft: &Draft) -> Result<(Option<f64>, Option<f64>), Invalid> {
    let degrees = |field: &'static str, typed: &str| match typed.trim() {
        "" => Ok(None),
        typed => typed
            .replace(',', ".")
            .parse::<f64>()
            .map(Some)
            .map_err(|_| Invalid::new(field, "a number of degrees, e.g. 33.59")),
    };
    Ok((
        degrees("latitude", &draft.latitude)?,
        degrees("longitude", &draft.longitude)?,
    ))
}

impl SitePage {
    /// The words naming a setting.
    fn label(&self, key: &str) -> String {
        self.f.tr.under("admin.setup.site", key)
    }
}
