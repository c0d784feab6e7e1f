//! Registering the other administrations that push the status of their
//! files (admins): their name, the sites whose kiosks show their files, and
//! the secret that signs their pushes, shown once when it is made (at
//! registration and at each rotation).
//!
//! The secret is kept as given, as webhooks' secrets are: checking an
//! HMAC needs the key itself. A leaked table would let someone push files
//! in the partners' names until their secrets are rotated (see SECURITY.md).

use super::auth::Principal;
use super::sites::json;
use super::{App, AppError, AppResult};
use crate::domain::{Invalid, optional_label, parse_label, slug::Slug};
use crate::secrets::new_token;
use crate::store::{self, partners::PartnerRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most sites one partner's files are shown on.
const MAX_SITES: usize = 50;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPartner {
    /// Its slug in push URLs: `a-z`, `0-9` and `-`, 1 to 40.
    pub id: String,
    pub name: String,
    pub name_ar: Option<String>,
    /// The sites whose kiosks show its files (and whose citizens may follow
    /// them on the portal).
    #[serde(default)]
    pub sites: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartnerChange {
    pub name: String,
    pub name_ar: Option<String>,
    pub sites: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PartnerView {
    pub id: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub sites: Vec<String>,
    /// RFC 3339, in UTC.
    pub created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_rotated_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<String>,
    /// Shown once, when it is made (registration, rotation): the partner
    /// signs its pushes with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// A partner's secret, prefixed so that it is recognised where it leaks.
fn new_secret() -> String {
    format!("gps_{}", new_token())
}

pub async fn register(app: &App, who: &Principal, input: NewPartner) -> AppResult<PartnerView> {
    who.require_admin()?;
    let id = Slug::parse("id", &input.id)?;
    let name = parse_label("name", &input.name, 120)?;
    let name_ar = optional_label("name_ar", input.name_ar.as_deref().unwrap_or(""), 120)?;
    let sites = checked_sites(app, &input.sites).await?;
    let row = PartnerRow {
        id: id.as_str().to_owned(),
        name,
        name_ar,
        sites: json(&sites),
        secret: new_secret(),
        holder_key: new_token(),
        created_at: app.clock.now_ms(),
        secret_rotated_at: None,
        disabled_at: None,
    };
    let mut tx = app.db.begin().await?;
    store::partners::insert(&mut tx, &row).await.map_err(|e| {
        AppError::unless_conflict(e, || {
            AppError::conflict("partner_exists", "a partner has this id")
        })
    })?;
    tx.commit().await?;
    let secret = row.secret.clone();
    let mut view = view(row);
    view.secret = Some(secret);
    Ok(view)
}

pub async fn list(app: &App, who: &Principal) -> AppResult<Vec<PartnerView>> {
    who.require_admin()?;
    let rows = store::partners::list(&app.db).await?;
    Ok(rows.into_iter().map(view).collect())
}

/// Renames a partner and chooses its sites again.
pub async fn change(
    app: &App,
    who: &Principal,
    id: &str,
    input: PartnerChange,
) -> AppResult<PartnerView> {
    who.require_admin()?;
    let name = parse_label("name", &input.name, 120)?;
    let name_ar = optional_label("name_ar", input.name_ar.as_deref().unwrap_or(""), 120)?;
    let sites = json(&checked_sites(app, &input.sites).await?);
    let mut tx = app.db.begin().await?;
    if !store::partners::update(&mut tx, id, &name, name_ar.as_deref(), &sites).await? {
        return Err(AppError::NotFound("partner"));
    }
    tx.commit().await?;
    get(app, id).await
}

/// Gives a live partner a new secret (shown once); the old one stops at once.
pub async fn rotate(app: &App, who: &Principal, id: &str) -> AppResult<PartnerView> {
    who.require_admin()?;
    let secret = new_secret();
    let mut tx = app.db.begin().await?;
    if !store::partners::set_secret(&mut tx, id, &secret, app.clock.now_ms()).await? {
        return Err(AppError::NotFound("partner"));
    }
    tx.commit().await?;
    let mut view = get(app, id).await?;
    view.secret = Some(secret);
    Ok(view)
}

/// Refuses the partner's pushes from now on and hides its files.
pub async fn disable(app: &App, who: &Principal, id: &str) -> AppResult<()> {
    who.require_admin()?;
    let mut tx = app.db.begin().await?;
    if !store::partners::disable(&mut tx, id, app.clock.now_ms()).await? {
        return Err(AppError::NotFound("partner"));
    }
    tx.commit().await?;
    Ok(())
}

async fn get(app: &App, id: &str) -> AppResult<PartnerView> {
    let row = store::partners::get(&app.db, id)
        .await?
        .ok_or(AppError::NotFound("partner"))?;
    Ok(view(row))
}

/// Each site named exists; repeats dropped, order kept.
async fn checked_sites(app: &App, sites: &[String]) -> AppResult<Vec<String>> {
    if sites.len() > MAX_SITES {
        return Err(Invalid::new("sites", format!("at most {MAX_SITES}")).into());
    }
    let mut checked: Vec<String> = Vec::new();
    for site in sites {
        let known = super::sites::require(app, site).await;
        if matches!(known, Err(AppError::NotFound(_))) {
            return Err(Invalid::new("sites", format!("no site {site:?}")).into());
        }
        let row = known?;
        if !checked.contains(&row.id) {
            checked.push(row.id);
        }
    }
    Ok(checked)
}

/// The sites a partner's row names.
pub(crate) fn sites_of(row: &PartnerRow) -> Vec<String> {
    serde_json::from_str(&row.sites).unwrap_or_default()
}

fn view(row: PartnerRow) -> PartnerView {
    PartnerView {
        sites: sites_of(&row),
        id: row.id,
        name: row.name,
        name_ar: row.name_ar,
        created_at: utc(row.created_at),
        secret_rotated_at: row.secret_rotated_at.map(utc),
        disabled_at: row.disabled_at.map(utc),
        secret: None,
    }
}

/// An instant in RFC 3339, in UTC.
fn utc(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map_or_else(|_| ms.to_string(), |t| t.to_string())
}
