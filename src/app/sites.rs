//! Creating, reading and changing sites (offices).

use super::auth::Principal;
use super::services::ServiceView;
use super::{App, AppError, AppResult};
use crate::domain::opening_hours::{OpeningHours, WeeklyHoursInput, parse_closures};
use crate::domain::place::{CITY_MAX, Position};
use crate::domain::{Invalid, parse_label, parse_within, slug::Slug, time::parse_timezone};
use crate::store::{self, sites::SiteRow};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSite {
    pub id: String,
    pub name: String,
    pub name_ar: Option<String>,
    /// IANA name, e.g. `Africa/Casablanca`.
    pub timezone: String,
    /// `{"mon": [["08:30","16:30"]], …}` in local time.
    #[schema(value_type = Object)]
    pub opening_hours: WeeklyHoursInput,
    #[serde(default)]
    pub closures: Vec<String>,
    pub verify_phone: Option<bool>,
    /// The office's address, as e-mails show it (at most 200 characters).
    pub address: Option<String>,
    pub address_ar: Option<String>,
    /// The city the office is in (at most 80 characters), for the
    /// earliest-slot search's `near=CITY`.
    pub city: Option<String>,
    /// Its position in degrees (both or neither), for distances.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// The lobby, counter display and kiosk show Tamazight (Tifinagh) too.
    pub tamazight: Option<bool>,
}

/// A partial update: fields left out keep their value.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SitePatch {
    pub name: Option<String>,
    pub name_ar: Option<String>,
    pub timezone: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub opening_hours: Option<WeeklyHoursInput>,
    pub closures: Option<Vec<String>>,
    pub verify_phone: Option<bool>,
    /// Consecutive priority calls after which a longer-waiting normal ticket goes first.
    pub priority_streak_max: Option<i64>,
    /// Recalls needed before a ticket may be marked as a no-show.
    pub min_recalls: Option<i64>,
    /// Tickets left ahead when "your turn is near" is sent.
    pub near_turn_ahead: Option<i64>,
    pub checkin_early_minutes: Option<i64>,
    pub checkin_late_minutes: Option<i64>,
    pub complaint_answer_days: Option<i64>,
    /// Blank clears it.
    pub address: Option<String>,
    pub address_ar: Option<String>,
    /// Blank clears it.
    pub city: Option<String>,
    /// Set with `longitude`; a position is both or neither.
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// `true` forgets the position.
    pub clear_position: Option<bool>,
    /// The lobby, counter display and kiosk show Tamazight (Tifinagh) beside
    /// Arabic and French, and the lobby says calls in Tamazight when the
    /// office has uploaded its clips.
    pub tamazight: Option<bool>,
    /// Remote queue: the "leave now" SMS goes when the estimated wait is
    /// this many minutes or less (5 to 180).
    pub travel_margin_minutes: Option<i64>,
    /// Remote queue: minutes a held remote ticket keeps its place once its
    /// turn has come (1 to 120).
    pub remote_grace_minutes: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SiteView {
    pub id: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub timezone: String,
    #[schema(value_type = Object)]
    pub opening_hours: WeeklyHoursInput,
    pub closures: Vec<String>,
    pub verify_phone: bool,
    pub priority_streak_max: i64,
    pub min_recalls: i64,
    pub near_turn_ahead: i64,
    pub checkin_early_minutes: i64,
    pub checkin_late_minutes: i64,
    pub complaint_answer_days: i64,
    pub address: Option<String>,
    pub address_ar: Option<String>,
    pub city: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub tamazight: bool,
    pub travel_margin_minutes: i64,
    pub remote_grace_minutes: i64,
    pub services: Vec<ServiceView>,
}

pub async fn create(app: &App, who: &Principal, input: NewSite) -> AppResult<SiteView> {
    who.require_admin()?;
    let now = app.clock.now_ms();
    let mut row = SiteRow {
        id: Slug::parse("id", &input.id)?.to_string(),
        name: String::new(),
        name_ar: None,
        timezone: String::new(),
        opening_hours: String::new(),
        closures: String::new(),
        verify_phone: input.verify_phone.unwrap_or(true),
        priority_streak_max: 3,
        min_recalls: 1,
        near_turn_ahead: 3,
        checkin_early_minutes: 15,
        checkin_late_minutes: 30,
        complaint_answer_days: 60,
        address: None,
        address_ar: None,
        city: None,
        latitude: None,
        longitude: None,
        tamazight: input.tamazight.unwrap_or(false),
        travel_margin_minutes: 20,
        remote_grace_minutes: 15,
        created_at: now,
        updated_at: now,
    };
    let patch = SitePatch {
        name: Some(input.name),
        name_ar: input.name_ar,
        timezone: Some(input.timezone),
        opening_hours: Some(input.opening_hours),
        closures: Some(input.closures),
        address: input.address,
        address_ar: input.address_ar,
        city: input.city,
        latitude: input.latitude,
        longitude: input.longitude,
        ..SitePatch::default()
    };
    apply(&mut row, patch)?;
    let mut tx = app.db.begin().await?;
    if store::sites::get_for_update(&mut tx, &row.id)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "site_exists",
            format!("site {} already exists", row.id),
        ));
    }
    store::sites::insert(&mut tx, &row)
        .await
        .map_err(|e| unique_to_conflict(e, &row.id))?;
    tx.commit().await?;
    view(row, Vec::new())
}

pub async fn update(app: &App, who: &Principal, id: &str, patch: SitePatch) -> AppResult<SiteView> {
    who.require_admin()?;
    let mut tx = app.db.begin().await?;
    let mut row = store::sites::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("site"))?;
    apply(&mut row, patch)?;
    row.updated_at = app.clock.now_ms();
    store::sites::update(&mut tx, &row).await?;
    tx.commit().await?;
    app.caches.site_contexts.forget(id);
    app.caches.site_zones.forget(id);
    app.caches.offerings.forget(super::earliest::ALL);
    get(app, id).await
}

/// The public description of a site with its services.
pub async fn get(app: &App, id: &str) -> AppResult<SiteView> {
    let row = store::sites::get(&app.db, id)
        .await?
        .ok_or(AppError::NotFound("site"))?;
    let services = store::services::list(&app.db, id).await?;
    let services = services
        .into_iter()
        .map(ServiceView::try_from)
        .collect::<Result<_, _>>()?;
    view(row, services)
}

/// Loads a site or answers 404.
pub async fn require(app: &App, id: &str) -> AppResult<SiteRow> {
    store::sites::get(&app.db, id)
        .await?
        .ok_or(AppError::NotFound("site"))
}

/// Applies and validates every present field; an error leaves `row` unusable
/// and nothing is written.
fn apply(row: &mut SiteRow, patch: SitePatch) -> Result<(), Invalid> {
    if let Some(name) = patch.name {
        row.name = parse_label("name", &name, 120)?;
    }
    if let Some(name_ar) = patch.name_ar {
        // Blank clears it: the site is then named in French only.
        row.name_ar = crate::domain::optional_label("name_ar", &name_ar, 120)?;
    }
    if let Some(address) = patch.address {
        row.address = crate::domain::optional_label("address", &address, 200)?;
    }
    if let Some(address) = patch.address_ar {
        row.address_ar = crate::domain::optional_label("address_ar", &address, 200)?;
    }
    if let Some(city) = patch.city {
        row.city = crate::domain::optional_label("city", &city, CITY_MAX)?;
    }
    match (patch.latitude, patch.longitude) {
        (Some(latitude), Some(longitude)) => {
            let at = Position::parse(latitude, longitude)?;
            (row.latitude, row.longitude) = (Some(at.latitude), Some(at.longitude));
        }
        (None, None) if patch.clear_position == Some(true) => {
            (row.latitude, row.longitude) = (None, None);
        }
        (None, None) => {}
        (Some(_), None) => return Err(Invalid::new("longitude", "give it with latitude")),
        (None, Some(_)) => return Err(Invalid::new("latitude", "give it with longitude")),
    }
    if let Some(timezone) = patch.timezone {
        parse_timezone(&timezone)?;
        row.timezone = timezone;
    }
    if let Some(hours) = patch.opening_hours {
        row.opening_hours = json(&OpeningHours::parse(&hours)?.to_input());
    }
    if let Some(closures) = patch.closures {
        let dates: Vec<String> = parse_closures(&closures)?
            .iter()
            .map(ToString::to_string)
            .collect();
        row.closures = json(&dates);
    }
    if let Some(verify) = patch.verify_phone {
        row.verify_phone = verify;
    }
    if let Some(tamazight) = patch.tamazight {
        row.tamazight = tamazight;
    }
    let settings = [
        (
            patch.priority_streak_max,
            "priority_streak_max",
            1..=20,
            &mut row.priority_streak_max,
        ),
        (
            patch.min_recalls,
            "min_recalls",
            0..=5,
            &mut row.min_recalls,
        ),
        (
            patch.near_turn_ahead,
            "near_turn_ahead",
            0..=20,
            &mut row.near_turn_ahead,
        ),
        (
            patch.checkin_early_minutes,
            "checkin_early_minutes",
            0..=120,
            &mut row.checkin_early_minutes,
        ),
        (
            patch.checkin_late_minutes,
            "checkin_late_minutes",
            0..=120,
            &mut row.checkin_late_minutes,
        ),
        (
            patch.complaint_answer_days,
            "complaint_answer_days",
            1..=365,
            &mut row.complaint_answer_days,
        ),
        (
            patch.travel_margin_minutes,
            "travel_margin_minutes",
            5..=180,
            &mut row.travel_margin_minutes,
        ),
        (
            patch.remote_grace_minutes,
            "remote_grace_minutes",
            1..=120,
            &mut row.remote_grace_minutes,
        ),
    ];
    for (value, field, range, target) in settings {
        if let Some(value) = value {
            *target = parse_within(field, value, range)?;
        }
    }
    Ok(())
}

fn view(row: SiteRow, services: Vec<ServiceView>) -> AppResult<SiteView> {
    Ok(SiteView {
        opening_hours: from_json(&row.opening_hours)?,
        closures: from_json(&row.closures)?,
        id: row.id,
        name: row.name,
        name_ar: row.name_ar,
        timezone: row.timezone,
        verify_phone: row.verify_phone,
        priority_streak_max: row.priority_streak_max,
        min_recalls: row.min_recalls,
        near_turn_ahead: row.near_turn_ahead,
        checkin_early_minutes: row.checkin_early_minutes,
        checkin_late_minutes: row.checkin_late_minutes,
        complaint_answer_days: row.complaint_answer_days,
        address: row.address,
        address_ar: row.address_ar,
        city: row.city,
        latitude: row.latitude,
        longitude: row.longitude,
        tamazight: row.tamazight,
        travel_margin_minutes: row.travel_margin_minutes,
        remote_grace_minutes: row.remote_grace_minutes,
        services,
    })
}

fn unique_to_conflict(error: store::StoreError, id: &str) -> AppError {
    AppError::unless_conflict(error, || {
        AppError::conflict("site_exists", format!("site {id} already exists"))
    })
}

/// JSON text of a value this program built itself.
pub(crate) fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// Reads JSON text that this program wrote; a failure means a corrupt row.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> AppResult<T> {
    serde_json::from_str(text)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored JSON unreadable: {e}")))
}

/// A site's settings, parsed once for a use case.
#[derive(Debug, Clone)]
pub struct SiteContext {
    pub row: SiteRow,
    pub zone: jiff::tz::TimeZone,
    pub hours: OpeningHours,
    pub closures: Vec<jiff::civil::Date>,
    /// The site's services, read with it: use cases look them up here
    /// instead of asking the database again inside their transaction.
    pub services: Vec<store::services::ServiceRow>,
    pub counters: Vec<store::counters::CounterRow>,
    /// `(counter, service)` pairs, each counter's services in rank order.
    pub counter_services: Vec<(String, String)>,
}

/// A site's timezone alone, kept for minutes: what live events need to show
/// their time, without reading the site for every event.
pub async fn zone_of(app: &App, id: &str) -> AppResult<Arc<TimeZone>> {
    if let Some(zone) = app.caches.site_zones.get(id) {
        return Ok(zone);
    }
    // The change that made the event has usually just read the site.
    if let Some(context) = app.caches.site_contexts.get(id) {
        let zone = Arc::new(context.zone.clone());
        app.caches.site_zones.put(id, zone.clone());
        return Ok(zone);
    }
    // Otherwise every site's at once: an instance that only relays other
    // instances' events meets its sites one event at a time.
    for (site, name) in store::sites::timezones(&app.db).await? {
        if let Ok(zone) = parse_timezone(&name) {
            app.caches.site_zones.put(&site, Arc::new(zone));
        }
    }
    app.caches
        .site_zones
        .get(id)
        .ok_or(AppError::NotFound("site"))
}

impl SiteContext {
    /// The site's settings, from the cache when they are fresh enough;
    /// read once for all who ask meanwhile.
    pub async fn load(app: &App, id: &str) -> AppResult<Arc<Self>> {
        let caches = &app.caches.site_contexts;
        Ok(caches.get_or_make(id, || Self::read(app, id)).await?.value)
    }

    async fn read(app: &App, id: &str) -> AppResult<Self> {
        let row = require(app, id).await?;
        let zone = parse_timezone(&row.timezone).map_err(|e| AppError::Internal(e.into()))?;
        let hours_input: WeeklyHoursInput = from_json(&row.opening_hours)?;
        let hours = OpeningHours::parse(&hours_input).map_err(|e| AppError::Internal(e.into()))?;
        let closures: Vec<String> = from_json(&row.closures)?;
        let closures = parse_closures(&closures).map_err(|e| AppError::Internal(e.into()))?;
        let services = store::services::list(&app.db, id).await?;
        let counters = store::counters::list(&app.db, id).await?;
        let counter_services = store::counters::services_of_site(&app.db, id).await?;
        Ok(Self {
            row,
            zone,
            hours,
            closures,
            services,
            counters,
            counter_services,
        })
    }

    pub fn service(&self, id: &str) -> Option<&store::services::ServiceRow> {
        self.services.iter().find(|s| s.id == id)
    }

    /// The services a counter of the site handles, most preferred first.
    pub fn services_of(&self, counter: &str) -> Vec<String> {
        self.counter_services
            .iter()
            .filter(|(c, _)| c == counter)
            .map(|(_, s)| s.clone())
            .collect()
    }

    /// `{id, label}` of a counter of the site, as tickets show it.
    pub fn counter_ref(&self, id: Option<&str>) -> Option<serde_json::Value> {
        let counter = self.counter(id)?;
        Some(serde_json::json!({"id": counter.id, "label": counter.label}))
    }

    /// The site's counter `id`, if it is one.
    pub fn counter(&self, id: Option<&str>) -> Option<&store::counters::CounterRow> {
        self.counters.iter().find(|c| Some(c.id.as_str()) == id)
    }

    /// The site's local day of an instant, as stored (`YYYY-MM-DD`).
    pub fn day_of(&self, ms: i64) -> String {
        let at = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        crate::domain::time::local_day(at, &self.zone).to_string()
    }

    /// An instant in the site's local time, RFC 3339 with its offset.
    pub fn local(&self, ms: i64) -> String {
        crate::domain::time::local_rfc3339(ms, &self.zone)
    }

    /// What an e-mail's HTML part says of this office, in `lang`.
    pub fn email_card<'a>(
        &'a self,
        lang: &'a str,
        reference: &'a str,
    ) -> crate::notify::email_html::EmailCard<'a> {
        let row = &self.row;
        let arabic = |ar: &'a Option<String>| ar.as_deref().filter(|_| lang == "ar");
        crate::notify::email_html::EmailCard {
            lang,
            office: arabic(&row.name_ar).unwrap_or(&row.name),
            address: arabic(&row.address_ar).or(row.address.as_deref()),
            reference,
        }
    }
}
