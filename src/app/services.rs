//! Services a site offers: what a citizen comes for.

use super::auth::Principal;
use super::sites::{from_json, json};
use super::{App, AppError, AppResult};
use crate::domain::{
    Invalid, parse_label, parse_within,
    place::Kind,
    slug::{Prefix, Slug},
};
use crate::store::{self, services::ServiceRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One of the documents a citizen must bring, in both languages.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RequiredDocument {
    pub name: String,
    pub name_ar: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewService {
    pub id: String,
    /// One capital letter that starts its ticket numbers.
    pub prefix: String,
    pub name: String,
    pub name_ar: Option<String>,
    /// For the citizen pages in English; without it they show `name`.
    pub name_en: Option<String>,
    /// In Tifinagh, for the screens of a site that shows Tamazight
    /// (at most 120 characters).
    pub name_zgh: Option<String>,
    #[serde(default = "yes")]
    pub walk_in: bool,
    /// A subset of `["in_person", "video"]`.
    #[serde(default)]
    pub appointment_modes: Vec<String>,
    #[serde(default = "default_slot_minutes")]
    pub slot_minutes: i64,
    #[serde(default = "one")]
    pub slot_capacity: i64,
    #[serde(default = "default_service_minutes")]
    pub service_minutes: i64,
    #[serde(default)]
    pub required_documents: Vec<RequiredDocument>,
    #[serde(default)]
    pub processing_days: i64,
    pub min_notice_minutes: Option<i64>,
    pub horizon_days: Option<i64>,
    pub target_wait_minutes: Option<i64>,
    /// The procedure it is, shared by the services meaning the same one in
    /// other offices (`certificat-residence`): the earliest-slot search
    /// looks for it.
    pub kind: Option<String>,
    /// Remote tickets' greatest share of those waiting, in percent
    /// (default 50; 0: no remote joining, 100: no cap).
    pub remote_share_percent: Option<i64>,
}

fn yes() -> bool {
    true
}
fn one() -> i64 {
    1
}
fn default_slot_minutes() -> i64 {
    15
}
fn default_service_minutes() -> i64 {
    10
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePatch {
    pub prefix: Option<String>,
    pub name: Option<String>,
    pub name_ar: Option<String>,
    /// Blank clears it.
    pub name_en: Option<String>,
    /// In Tifinagh; blank clears it.
    pub name_zgh: Option<String>,
    pub walk_in: Option<bool>,
    pub appointment_modes: Option<Vec<String>>,
    pub slot_minutes: Option<i64>,
    pub slot_capacity: Option<i64>,
    pub service_minutes: Option<i64>,
    pub required_documents: Option<Vec<RequiredDocument>>,
    pub processing_days: Option<i64>,
    pub min_notice_minutes: Option<i64>,
    pub horizon_days: Option<i64>,
    pub target_wait_minutes: Option<i64>,
    /// Blank clears it.
    pub kind: Option<String>,
    /// Remote tickets' greatest share of those waiting, in percent (0 to
    /// 100; 0: no remote joining, 100: no cap).
    pub remote_share_percent: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceView {
    pub id: String,
    pub prefix: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub name_en: Option<String>,
    pub name_zgh: Option<String>,
    pub walk_in: bool,
    pub appointment_modes: Vec<String>,
    pub slot_minutes: i64,
    pub slot_capacity: i64,
    pub service_minutes: i64,
    pub required_documents: Vec<RequiredDocument>,
    pub processing_days: i64,
    pub min_notice_minutes: i64,
    pub horizon_days: i64,
    pub target_wait_minutes: i64,
    pub kind: Option<String>,
    pub remote_share_percent: i64,
}

impl TryFrom<ServiceRow> for ServiceView {
    type Error = AppError;

    fn try_from(row: ServiceRow) -> AppResult<Self> {
        Ok(Self {
            appointment_modes: from_json(&row.appointment_modes)?,
            required_documents: from_json(&row.required_documents)?,
            id: row.id,
            prefix: row.prefix,
            name: row.name,
            name_ar: row.name_ar,
            name_en: row.name_en,
            name_zgh: row.name_zgh,
            walk_in: row.walk_in,
            slot_minutes: row.slot_minutes,
            slot_capacity: row.slot_capacity,
            service_minutes: row.service_minutes,
            processing_days: row.processing_days,
            min_notice_minutes: row.min_notice_minutes,
            horizon_days: row.horizon_days,
            target_wait_minutes: row.target_wait_minutes,
            kind: row.kind,
            remote_share_percent: row.remote_share_percent,
        })
    }
}

pub async fn create(
    app: &App,
    who: &Principal,
    site: &str,
    input: NewService,
) -> AppResult<ServiceView> {
    who.require_admin()?;
    let now = app.clock.now_ms();
    let mut row = ServiceRow {
        site_id: site.to_owned(),
        id: Slug::parse("id", &input.id)?.to_string(),
        prefix: String::new(),
        name: String::new(),
        name_ar: None,
        name_en: None,
        name_zgh: None,
        walk_in: input.walk_in,
        appointment_modes: String::new(),
        slot_minutes: 0,
        slot_capacity: 0,
        service_minutes: 0,
        required_documents: String::new(),
        processing_days: 0,
        min_notice_minutes: 120,
        horizon_days: 60,
        target_wait_minutes: 30,
        kind: None,
        remote_share_percent: 50,
        created_at: now,
        updated_at: now,
    };
    let patch = ServicePatch {
        prefix: Some(input.prefix),
        name: Some(input.name),
        name_ar: input.name_ar,
        name_en: input.name_en,
        name_zgh: input.name_zgh,
        walk_in: Some(input.walk_in),
        appointment_modes: Some(input.appointment_modes),
        slot_minutes: Some(input.slot_minutes),
        slot_capacity: Some(input.slot_capacity),
        service_minutes: Some(input.service_minutes),
        required_documents: Some(input.required_documents),
        processing_days: Some(input.processing_days),
        min_notice_minutes: input.min_notice_minutes,
        horizon_days: input.horizon_days,
        target_wait_minutes: input.target_wait_minutes,
        kind: input.kind,
        remote_share_percent: input.remote_share_percent,
    };
    apply(&mut row, patch)?;
    super::sites::require(app, site).await?;
    let mut tx = app.db.begin().await?;
    if store::services::get_for_update(&mut tx, site, &row.id)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "service_exists",
            format!("service {} already exists", row.id),
        ));
    }
    ensure_prefix_free(&mut tx, &row).await?;
    store::services::insert(&mut tx, &row)
        .await
        .map_err(prefix_conflict)?;
    tx.commit().await?;
    app.caches.site_contexts.forget(site);
    app.caches.offerings.forget(super::earliest::ALL);
    row.try_into()
}

pub async fn update(
    app: &App,
    who: &Principal,
    site: &str,
    id: &str,
    patch: ServicePatch,
) -> AppResult<ServiceView> {
    who.require_admin()?;
    let mut tx = app.db.begin().await?;
    let mut row = store::services::get_for_update(&mut tx, site, id)
        .await?
        .ok_or(AppError::NotFound("service"))?;
    let prefix_changes = patch.prefix.as_ref().is_some_and(|p| *p != row.prefix);
    apply(&mut row, patch)?;
    if prefix_changes {
        ensure_prefix_free(&mut tx, &row).await?;
    }
    row.updated_at = app.clock.now_ms();
    store::services::update(&mut tx, &row)
        .await
        .map_err(prefix_conflict)?;
    tx.commit().await?;
    app.caches.site_contexts.forget(site);
    app.caches.offerings.forget(super::earliest::ALL);
    row.try_into()
}

async fn ensure_prefix_free(tx: &mut store::Tx, row: &ServiceRow) -> AppResult<()> {
    let taken = store::services::prefix_owner(tx, &row.site_id, &row.prefix).await?;
    match taken {
        Some(owner) if owner != row.id => Err(prefix_taken(&row.prefix, &owner)),
        _ => Ok(()),
    }
}

fn prefix_taken(prefix: &str, owner: &str) -> AppError {
    AppError::conflict(
        "prefix_taken",
        format!("prefix {prefix} is already used by service {owner}"),
    )
}

fn prefix_conflict(error: store::StoreError) -> AppError {
    AppError::unless_conflict(error, || {
        AppError::conflict("prefix_taken", "prefix or id already used at this site")
    })
}

fn apply(row: &mut ServiceRow, patch: ServicePatch) -> Result<(), Invalid> {
    if let Some(prefix) = patch.prefix {
        row.prefix = Prefix::parse(&prefix)?.to_string();
    }
    if let Some(name) = patch.name {
        row.name = parse_label("name", &name, 120)?;
    }
    if let Some(name_ar) = patch.name_ar {
        // Blank clears it: the service is then named in French only.
        row.name_ar = crate::domain::optional_label("name_ar", &name_ar, 120)?;
    }
    if let Some(name_en) = patch.name_en {
        row.name_en = crate::domain::optional_label("name_en", &name_en, 120)?;
    }
    if let Some(kind) = patch.kind {
        row.kind = match kind.trim() {
            "" => None,
            kind => Some(Kind::parse("kind", kind)?.as_str().to_owned()),
        };
    }
    if let Some(name_zgh) = patch.name_zgh {
        row.name_zgh = crate::domain::optional_label("name_zgh", &name_zgh, 120)?;
    }
    if let Some(walk_in) = patch.walk_in {
        row.walk_in = walk_in;
    }
    if let Some(modes) = patch.appointment_modes {
        row.appointment_modes = json(&parse_modes(&modes)?);
    }
    if let Some(documents) = patch.required_documents {
        row.required_documents = json(&parse_documents(documents)?);
    }
    let settings = [
        (
            patch.slot_minutes,
            "slot_minutes",
            5..=240,
            &mut row.slot_minutes,
        ),
        (
            patch.slot_capacity,
            "slot_capacity",
            0..=100,
            &mut row.slot_capacity,
        ),
        (
            patch.service_minutes,
            "service_minutes",
            1..=240,
            &mut row.service_minutes,
        ),
        (
            patch.processing_days,
            "processing_days",
            0..=365,
            &mut row.processing_days,
        ),
        (
            patch.min_notice_minutes,
            "min_notice_minutes",
            0..=10_080,
            &mut row.min_notice_minutes,
        ),
        (
            patch.horizon_days,
            "horizon_days",
            1..=366,
            &mut row.horizon_days,
        ),
        (
            patch.remote_share_percent,
            "remote_share_percent",
            0..=100,
            &mut row.remote_share_percent,
        ),
        (
            patch.target_wait_minutes,
            "target_wait_minutes",
            1..=480,
            &mut row.target_wait_minutes,
        ),
    ];
    for (value, field, range, target) in settings {
        if let Some(value) = value {
            *target = parse_within(field, value, range)?;
        }
    }
    let bookable = row.appointment_modes != "[]";
    if bookable && row.slot_capacity == 0 {
        return Err(Invalid::new(
            "slot_capacity",
            "a service with appointments needs a capacity of at least 1",
        ));
    }
    Ok(())
}

fn parse_modes(modes: &[String]) -> Result<Vec<&'static str>, Invalid> {
    let mut parsed = Vec::new();
    for mode in modes {
        let known = match mode.as_str() {
            "in_person" => "in_person",
            "video" => "video",
            other => {
                return Err(Invalid::new(
                    "appointment_modes",
                    format!("unknown mode {other:?}; use in_person or video"),
                ));
            }
        };
        if parsed.contains(&known) {
            return Err(Invalid::new(
                "appointment_modes",
                format!("{known} listed twice"),
            ));
        }
        parsed.push(known);
    }
    Ok(parsed)
}

fn parse_documents(documents: Vec<RequiredDocument>) -> Result<Vec<RequiredDocument>, Invalid> {
    if documents.len() > 30 {
        return Err(Invalid::new("required_documents", "at most 30 documents"));
    }
    documents
        .into_iter()
        .map(|d| {
            Ok(RequiredDocument {
                name: parse_label("required_documents", &d.name, 200)?,
                name_ar: d
                    .name_ar
                    .map(|n| parse_label("required_documents", &n, 200))
                    .transpose()?,
            })
        })
        .collect()
}
