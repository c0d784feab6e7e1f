//! The earliest slot anywhere: for a kind of procedure, the offices that
//! offer it with their first free slots, nearest or earliest first, each in
//! the office's own local time. Public.
//!
//! It answers from two reads whatever the number of offices: the bookable
//! services with a kind and their sites (kept 2 s, `offerings`), and the
//! places taken in that kind's slots; slots are cut in memory from hours.

pub mod offerings;

pub use offerings::ALL;

use super::rate_limit::EARLIEST_PER_IP;
use super::reads::from_replica;
use super::{App, AppResult};
use crate::domain::Invalid;
use crate::domain::place::{Kind, Near, Position};
use crate::domain::time::local_rfc3339;
use crate::store;
use jiff::SignedDuration;
use offerings::Offering;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

/// Free slots listed per office.
pub const SLOTS_PER_OFFICE: usize = 3;
/// Offices listed when `limit` is not given, and at most.
pub const DEFAULT_OFFICES: i64 = 5;
pub const MAX_OFFICES: i64 = 20;
/// Local days ahead the search looks, at most (less where a service's
/// horizon is shorter).
pub const SEARCH_DAYS: i64 = 31;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EarliestQuery {
    /// The kind of procedure, e.g. `certificat-residence`.
    pub service: String,
    /// A city (matched case- and accent-insensitively against the offices'
    /// cities) or `lat,lon` in degrees.
    pub near: Option<String>,
    /// `in_person` (default) or `video`.
    pub mode: Option<String>,
    /// `nearest` (the default with `near`; needs it) or `earliest` (the
    /// default without `near`).
    pub order: Option<String>,
    /// Offices listed, 1 to 20 (default 5).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EarliestList {
    /// The kind searched.
    pub service: String,
    pub mode: String,
    /// `nearest` or `earliest`.
    pub order: String,
    pub offices: Vec<OfficeSlots>,
}

/// One office offering the kind, with its first free slots.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfficeSlots {
    pub site: String,
    pub site_name: String,
    pub site_name_ar: Option<String>,
    pub city: Option<String>,
    /// The office's service of that kind.
    pub service: String,
    pub service_name: String,
    pub service_name_ar: Option<String>,
    pub service_name_en: Option<String>,
    /// The office's IANA timezone; slot times carry its offset.
    pub timezone: String,
    /// From `near`, rounded to 0.1 km; absent without `near` or when the
    /// office has no position.
    pub distance_km: Option<f64>,
    /// Up to 3, earliest first.
    pub slots: Vec<EarliestSlot>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EarliestSlot {
    /// RFC 3339 with the office's offset on that date.
    pub start: String,
    pub end: String,
    /// Places left (at least 1).
    pub available: i64,
}

/// A kind offered somewhere, named as one of its services is.
#[derive(Debug, Clone)]
pub struct KindChoice {
    pub kind: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Nearest,
    Earliest,
}

/// The search, for a client at `client` (rate-limited per address).
pub async fn search(app: &App, client: &str, query: &EarliestQuery) -> AppResult<EarliestList> {
    let kind = Kind::parse("service", query.service.trim())?;
    let mode = match query.mode.as_deref().map(str::trim) {
        None | Some("") | Some("in_person") => "in_person",
        Some("video") => "video",
        Some(_) => return Err(Invalid::new("mode", "in_person or video").into()),
    };
    let near = match query.near.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(near) => Some(Near::parse(near)?),
    };
    let order = match (query.order.as_deref().map(str::trim), &near) {
        (None | Some(""), Some(_)) | (Some("nearest"), Some(_)) => Order::Nearest,
        (None | Some(""), None) | (Some("earliest"), _) => Order::Earliest,
        (Some("nearest"), None) => {
            return Err(Invalid::new("order", "nearest needs near (a city or lat,lon)").into());
        }
        (Some(_), _) => return Err(Invalid::new("order", "nearest or earliest").into()),
    };
    let limit = crate::domain::parse_within(
        "limit",
        query.limit.unwrap_or(DEFAULT_OFFICES),
        1..=MAX_OFFICES,
    )? as usize;
    let now = app.clock.now();
    app.guards
        .limits
        .hit(EARLIEST_PER_IP, client, now.as_millisecond())
        .await?;

    let all = offerings::all(app).await?;
    let origin = near.map(|near| Origin::of(near, &all)).transpose()?;
    let candidates: Vec<&Offering> = all
        .iter()
        .filter(|o| o.row.kind == kind.as_str() && o.modes.iter().any(|m| m == mode))
        .collect();
    let mut offices = Vec::new();
    if !candidates.is_empty() {
        let days = candidates
            .iter()
            .map(|o| o.row.horizon_days.min(SEARCH_DAYS))
            .max()
            .unwrap_or(SEARCH_DAYS);
        // A local day ahead may end up to a day later in UTC than `days` days of 24 h.
        let until = now
            .checked_add(SignedDuration::from_hours(24 * (days + 2)))
            .unwrap_or(now);
        let taken = taken_of(app, kind.as_str(), now.as_millisecond(), until).await?;
        for offering in candidates {
            let key = (
                offering.row.site_id.clone(),
                offering.row.service_id.clone(),
            );
            let free = offering.first_free(now, days, SLOTS_PER_OFFICE, taken.get(&key));
            if free.is_empty() {
                continue;
            }
            let distance = origin.as_ref().and_then(|o| o.distance(offering));
            offices.push((free[0].0.start, view(offering, distance, &free)));
        }
    }
    offices.sort_by(|(a_start, a), (b_start, b)| {
        let far = |o: &OfficeSlots| o.distance_km.unwrap_or(f64::INFINITY);
        let by_time = a_start.cmp(b_start);
        let by_distance = far(a).total_cmp(&far(b));
        let first = match order {
            Order::Nearest => by_distance.then(by_time),
            Order::Earliest => by_time.then(by_distance),
        };
        first.then_with(|| a.site.cmp(&b.site))
    });
    offices.truncate(limit);
    Ok(EarliestList {
        service: kind.as_str().to_owned(),
        mode: mode.to_owned(),
        order: match order {
            Order::Nearest => "nearest",
            Order::Earliest => "earliest",
        }
        .to_owned(),
        offices: offices.into_iter().map(|(_, office)| office).collect(),
    })
}

/// The kinds offered by at least one office, in the order of their codes,
/// each named as its first office names it.
pub async fn kinds(app: &App) -> AppResult<Vec<KindChoice>> {
    let all = offerings::all(app).await?;
    let mut kinds: Vec<KindChoice> = Vec::new();
    for o in all.iter() {
        if kinds.iter().any(|k| k.kind == o.row.kind) {
            continue;
        }
        kinds.push(KindChoice {
            kind: o.row.kind.clone(),
            name: o.row.service_name.clone(),
            name_ar: o.row.service_name_ar.clone(),
            name_en: o.row.service_name_en.clone(),
        });
    }
    kinds.sort_by(|a, b| a.kind.cmp(&b.kind));
    Ok(kinds)
}

/// The places taken in the kind's slots, by office and service.
async fn taken_of(
    app: &App,
    kind: &str,
    from: i64,
    until: jiff::Timestamp,
) -> AppResult<HashMap<(String, String), HashMap<i64, i64>>> {
    let until = until.as_millisecond();
    let rows = from_replica!(app, |db| {
        store::earliest::taken_of_kind(db, kind, from, until).await
    })?;
    let mut taken: HashMap<(String, String), HashMap<i64, i64>> = HashMap::new();
    for (site, service, start, places) in rows {
        taken
            .entry((site, service))
            .or_default()
            .insert(start, places);
    }
    Ok(taken)
}

/// Where distances are measured from.
enum Origin {
    At(Position),
    /// A city: the mean position of its offices that have one, if any.
    City {
        key: String,
        centre: Option<Position>,
    },
}

impl Origin {
    fn of(near: Near, all: &[Offering]) -> Result<Self, Invalid> {
        let key = match near {
            Near::At(at) => return Ok(Self::At(at)),
            Near::City(key) => key,
        };
        let mut sites: Vec<(&str, Option<Position>)> = all
            .iter()
            .filter(|o| o.city_key.as_deref() == Some(key.as_str()))
            .map(|o| (o.row.site_id.as_str(), o.position))
            .collect();
        if sites.is_empty() {
            return Err(Invalid::new(
                "near",
                "no office is in that city; give lat,lon instead",
            ));
        }
        sites.dedup_by_key(|(site, _)| *site);
        let known: Vec<Position> = sites.iter().filter_map(|(_, p)| *p).collect();
        let n = known.len() as f64;
        let centre = (!known.is_empty()).then(|| Position {
            latitude: known.iter().map(|p| p.latitude).sum::<f64>() / n,
            longitude: known.iter().map(|p| p.longitude).sum::<f64>() / n,
        });
        Ok(Self::City { key, centre })
    }

    /// How far an office is, in km rounded to 0.1; an office of the city
    /// searched whose position is not known counts as 0.
    fn distance(&self, offering: &Offering) -> Option<f64> {
        let km = match (self, offering.position) {
            (Self::At(from), Some(at)) => from.km_to(&at),
            (
                Self::City {
                    centre: Some(c), ..
                },
                Some(at),
            ) => c.km_to(&at),
            (Self::City { key, .. }, _) if offering.city_key.as_ref() == Some(key) => 0.0,
            _ => return None,
        };
        Some((km * 10.0).round() / 10.0)
    }
}

fn view(
    offering: &Offering,
    distance_km: Option<f64>,
    free: &[(crate::domain::slots::Slot, i64)],
) -> OfficeSlots {
    let row = &offering.row;
    OfficeSlots {
        site: row.site_id.clone(),
        site_name: row.site_name.clone(),
        site_name_ar: row.site_name_ar.clone(),
        city: row.city.clone(),
        service: row.service_id.clone(),
        service_name: row.service_name.clone(),
        service_name_ar: row.service_name_ar.clone(),
        service_name_en: row.service_name_en.clone(),
        timezone: row.timezone.clone(),
        distance_km,
        slots: free
            .iter()
            .map(|(slot, left)| EarliestSlot {
                start: local_rfc3339(slot.start.as_millisecond(), &offering.zone),
                end: local_rfc3339(slot.end.as_millisecond(), &offering.zone),
                available: *left,
            })
            .collect(),
    }
}
