//! `/admin/sites/{site}/hours`: the weekly opening hours (each weekday up
//! to two intervals, or closed) and the closures (local dates), changed
//! through `sites::update` like `PATCH /api/v1/sites/{site}`.

use super::fields::Fields;
use super::{May, flash_of, saved, submit, with_status};
use crate::app::AppResult;
use crate::app::sites::{self, SitePatch, SiteView};
use crate::domain::Invalid;
use crate::domain::opening_hours::WeeklyHoursInput;
use crate::http::AppState;
use crate::http::pages::admin::{FormError, Nav, Office, Staff};
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/sites/{site}/hours", get(show).post(save_week))
        .route("/admin/sites/{site}/closures", post(add_closure))
        .route("/admin/sites/{site}/closures/remove", post(remove_closure))
}

/// One weekday as the form shows it: two intervals' ends, as typed.
#[derive(Debug, Clone)]
struct Day {
    key: &'static str,
    /// From and to of the first, then of the second interval.
    times: [String; 4],
    closed: bool,
}

#[derive(Template)]
#[template(path = "admin_setup_hours.html")]
struct HoursPage {
    f: Frame,
    nav: Nav,
    site: String,
    editable: bool,
    days: Vec<Day>,
    closures: Vec<String>,
    /// The date typed in the closure form, kept when refused.
    new_closure: String,
    error: Option<FormError>,
    flash: Option<&'static str>,
}

impl HoursPage {
    fn day_name(&self, key: &str) -> String {
        self.f.tr.s(&format!("admin.setup.day.{key}")).to_owned()
    }
}

async fn show(office: Office) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    page(&state, frame, &staff, &site, None, String::new(), None).await
}

async fn save_week(office: Office, CsrfForm(form): CsrfForm<Fields>) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    let days = typed(&form);
    let week = week_of(&days);
    let act = async {
        let patch = SitePatch {
            opening_hours: Some(week?),
            ..SitePatch::default()
        };
        sites::update(&state.app, &staff.who, &site, patch).await
    };
    let days = Some(days);
    answer(&state, frame, &staff, &site, act, days, String::new()).await
}

async fn add_closure(office: Office, CsrfForm(form): CsrfForm<Fields>) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    let date = form.get("date").trim().to_owned();
    change_closures(state, frame, staff, site, date.clone(), |list| {
        list.push(date);
    })
    .await
}

async fn remove_closure(office: Office, CsrfForm(form): CsrfForm<Fields>) -> Response {
    let (state, frame, staff, site) = office.into_parts();
    let date = form.get("date").trim().to_owned();
    change_closures(state, frame, staff, site, String::new(), |list| {
        list.retain(|d| *d != date);
    })
    .await
}

/// Reads the closures, changes them and writes them all back; the API
/// checks every date.
async fn change_closures(
    state: AppState,
    frame: Frame,
    staff: Staff,
    site: String,
    typed: String,
    change: impl FnOnce(&mut Vec<String>),
) -> Response {
    let act = async {
        let mut closures = sites::get(&state.app, &site).await?.closures;
        change(&mut closures);
        let patch = SitePatch {
            closures: Some(closures),
            ..SitePatch::default()
        };
        sites::update(&state.app, &staff.who, &site, patch).await
    };
    answer(&state, frame, &staff, &site, act, None, typed).await
}

/// A posted form of the hours page (only an admin changes them): back to
/// the page, or the page again with the week or the date as typed.
async fn answer(
    state: &AppState,
    frame: Frame,
    staff: &Staff,
    site: &str,
    act: impl Future<Output = AppResult<SiteView>>,
    days: Option<Vec<Day>>,
    new_closure: String,
) -> Response {
    let may = May::admin(staff, site);
    let done = |_| saved(&format!("/admin/sites/{site}/hours"), "saved");
    let again = |frame, error| page(state, frame, staff, site, days, new_closure, Some(error));
    submit(frame, Some(may), act, done, again).await
}

async fn page(
    state: &AppState,
    frame: Frame,
    staff: &Staff,
    site: &str,
    days: Option<Vec<Day>>,
    new_closure: String,
    error: Option<FormError>,
) -> Response {
    let nav = match staff.nav(state, &frame, Some(site)).await {
        Ok(nav) => nav,
        Err(error) => return PageError::new(&frame, error).into_response(),
    };
    let view = match sites::get(&state.app, site).await {
        Ok(view) => view,
        Err(error) => return PageError::new(&frame, error).into_response(),
    };
    let page = HoursPage {
        flash: flash_of(&frame),
        editable: staff.is_admin,
        days: days.unwrap_or_else(|| stored(&view.opening_hours)),
        closures: view.closures,
        site: view.id,
        new_closure,
        f: frame,
        nav,
        error: error.clone(),
    };
    with_status(render(&page), &error)
}

fn stored(hours: &WeeklyHoursInput) -> Vec<Day> {
    DAYS.into_iter()
        .map(|key| {
            let intervals = hours.get(key).map(Vec::as_slice).unwrap_or_default();
            let mut times: [String; 4] = Default::default();
            for (i, [from, to]) in intervals.iter().take(2).enumerate() {
                times[2 * i].clone_from(from);
                times[2 * i + 1].clone_from(to);
            }
            Day {
                key,
                times,
                closed: intervals.is_empty(),
            }
        })
        .collect()
}

fn typed(form: &Fields) -> Vec<Day> {
    DAYS.into_iter()
        .map(|key| Day {
            key,
            times: [
                format!("{key}_from1"),
                format!("{key}_to1"),
                format!("{key}_from2"),
                format!("{key}_to2"),
            ]
            .map(|name| form.get(&name).trim().to_owned()),
            closed: form.ticked(&format!("{key}_closed")),
        })
        .collect()
}

/// The week as the API takes it: a closed day or one left blank has no
/// intervals; half an interval is refused.
fn week_of(days: &[Day]) -> Result<WeeklyHoursInput, Invalid> {
    let mut week = WeeklyHoursInput::new();
    for day in days.iter().filter(|d| !d.closed) {
        let mut intervals = Vec::new();
        for pair in day.times.chunks(2) {
            match (pair[0].as_str(), pair[1].as_str()) {
                ("", "") => {}
                (from, to) if !from.is_empty() && !to.is_empty() => {
                    intervals.push([from.to_owned(), to.to_owned()]);
                }
                _ => {
                    return Err(Invalid::new(
                        "opening_hours",
                        format!("{}: an interval needs a start and an end", day.key),
                    ));
                }
            }
        }
        if !intervals.is_empty() {
            week.insert(day.key.to_owned(), intervals);
        }
    }
    Ok(week)
}
