//! Setting provinces up: admins create and rename them and give them
//! sites; a province account reads its own province, an admin every one.

use super::{MAX_SITES, require_reader};
use crate::app::auth::Principal;
use crate::app::{App, AppError, AppResult};
use crate::domain::{Invalid, slug::Slug};
use crate::store::{self, provinces::ProvinceRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The longest name of a province, in characters.
const MAX_NAME: usize = 100;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProvinceView {
    pub id: String,
    pub name: String,
    pub name_ar: Option<String>,
    /// Its sites' ids, in order.
    pub sites: Vec<String>,
}

/// A province's names, to create it or rename it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvinceInput {
    pub name: String,
    pub name_ar: Option<String>,
}

fn name(field: &'static str, value: &str) -> Result<String, Invalid> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > MAX_NAME {
        return Err(Invalid::new(field, format!("1 to {MAX_NAME} characters")));
    }
    Ok(value.to_owned())
}

/// Creates the province `id` (lowercase letters, digits and dashes) or
/// renames it.
pub async fn save(
    app: &App,
    who: &Principal,
    id: &str,
    input: &ProvinceInput,
) -> AppResult<ProvinceView> {
    who.require_admin()?;
    let id = Slug::parse("province", id)?.to_string();
    let row = ProvinceRow {
        name: name("name", &input.name)?,
        name_ar: match input.name_ar.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(ar) => Some(name("name_ar", ar)?),
        },
        created_at: app.clock.now_ms(),
        id,
    };
    let mut tx = app.db.begin().await?;
    store::provinces::upsert(&mut tx, &row).await?;
    tx.commit().await?;
    get(app, who, &row.id).await
}

/// The provinces the caller may read: every one for an admin, its own for
/// a province account.
pub async fn list(app: &App, who: &Principal) -> AppResult<Vec<ProvinceView>> {
    if let Principal::Province { province, .. } = who {
        return Ok(vec![get(app, who, province).await?]);
    }
    who.require_admin()?;
    let rows = store::provinces::list(&app.db).await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let sites = store::provinces::site_ids(&app.db, &row.id).await?;
        views.push(view(row, sites));
    }
    Ok(views)
}

pub async fn get(app: &App, who: &Principal, id: &str) -> AppResult<ProvinceView> {
    require_reader(who, id)?;
    let row = store::provinces::get(&app.db, id)
        .await?
        .ok_or(AppError::NotFound("province"))?;
    let sites = store::provinces::site_ids(&app.db, id).await?;
    Ok(view(row, sites))
}

fn view(row: ProvinceRow, sites: Vec<String>) -> ProvinceView {
    ProvinceView {
        id: row.id,
        name: row.name,
        name_ar: row.name_ar,
        sites,
    }
}

/// Puts a site in the province (out of any other it was in).
pub async fn add_site(app: &App, who: &Principal, id: &str, site: &str) -> AppResult<ProvinceView> {
    who.require_admin()?;
    store::provinces::get(&app.db, id)
        .await?
        .ok_or(AppError::NotFound("province"))?;
    store::sites::get(&app.db, site)
        .await?
        .ok_or(AppError::NotFound("site"))?;
    let mut tx = app.db.begin().await?;
    if store::provinces::count_sites_in(&mut tx, id).await? >= MAX_SITES {
        return Err(AppError::conflict(
            "province_full",
            format!("a province has at most {MAX_SITES} sites"),
        ));
    }
    store::provinces::add_site(&mut tx, id, site, app.clock.now_ms()).await?;
    tx.commit().await?;
    get(app, who, id).await
}

pub async fn remove_site(
    app: &App,
    who: &Principal,
    id: &str,
    site: &str,
) -> AppResult<ProvinceView> {
    who.require_admin()?;
    let mut tx = app.db.begin().await?;
    let removed = store::provinces::remove_site(&mut tx, id, site).await?;
    tx.commit().await?;
    if !removed {
        return Err(AppError::NotFound("site in this province"));
    }
    get(app, who, id).await
}
