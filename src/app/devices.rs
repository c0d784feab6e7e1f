//! Kiosk and display devices and their tokens.

use super::auth::Principal;
use super::{App, AppError, AppResult};
use crate::domain::parse_label;
use crate::domain::role::{DeviceKind, Role};
use crate::secrets::{hash_token, new_id, new_token};
use crate::store::{self, devices::DeviceRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    pub kind: DeviceKind,
    pub label: String,
}

/// The device's token is shown here once and never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedDevice {
    pub id: String,
    pub token: String,
    pub site: String,
    pub kind: DeviceKind,
    pub label: String,
}

pub async fn create(
    app: &App,
    who: &Principal,
    site: &str,
    input: NewDevice,
) -> AppResult<IssuedDevice> {
    who.require_staff(site, &[Role::Supervisor])?;
    let label = parse_label("label", &input.label, 80)?;
    super::sites::require(app, site).await?;
    let now = app.clock.now_ms();
    let row = DeviceRow {
        id: new_id(),
        site_id: site.to_owned(),
        kind: input.kind,
        label,
        created_by: who.actor(),
        created_at: now,
        revoked_at: None,
        last_seen_at: None,
    };
    let token = new_token();
    let mut tx = app.db.begin().await?;
    store::devices::insert(&mut tx, &row).await?;
    store::accounts::insert_token(&mut tx, &hash_token(&token), "device", &row.id, now, None)
        .await?;
    tx.commit().await?;
    Ok(IssuedDevice {
        id: row.id,
        token,
        site: row.site_id,
        kind: input.kind,
        label: row.label,
    })
}

/// Revokes a device: its token stops working at once on this instance
/// (on others within the second they remember it), and its live sockets
/// on this instance close (on others within `live::sessions::RECHECK`).
/// Revoking twice is harmless.
pub async fn revoke(app: &App, who: &Principal, id: &str) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let device = store::devices::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("device"))?;
    who.require_staff(&device.site_id, &[Role::Supervisor])?;
    if device.revoked_at.is_none() {
        store::devices::mark_revoked(&mut tx, id, app.clock.now_ms()).await?;
        store::accounts::revoke_subject(&mut tx, "device", id).await?;
    }
    tx.commit().await?;
    super::auth::sessions_ended(app, format!("device:{id}"));
    Ok(())
}

/// Gives a device a new token (admin, or supervisor of its site): the old
/// one stops working at once, the new one is shown here once. How a device
/// whose token expired unused (`GUICHET_DEVICE_IDLE_DAYS`) comes back.
pub async fn rotate(app: &App, who: &Principal, id: &str) -> AppResult<IssuedDevice> {
    let now = app.clock.now_ms();
    let token = new_token();
    let mut tx = app.db.begin().await?;
    let device = store::devices::get_for_update(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("device"))?;
    who.require_staff(&device.site_id, &[Role::Supervisor])?;
    if device.revoked_at.is_some() {
        return Err(AppError::Conflict {
            code: "device_revoked",
            message: "a revoked device gets no new token: add a new device".to_owned(),
        });
    }
    let kind = device.kind;
    store::accounts::revoke_subject(&mut tx, "device", id).await?;
    store::accounts::insert_token(&mut tx, &hash_token(&token), "device", id, now, None).await?;
    tx.commit().await?;
    super::auth::sessions_ended(app, format!("device:{id}"));
    Ok(IssuedDevice {
        id: device.id,
        token,
        site: device.site_id,
        kind,
        label: device.label,
    })
}

/// A device as its site's list shows it: never its token (only its hash
/// is kept anyway).
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceView {
    pub id: String,
    pub kind: String,
    pub label: String,
    pub created_by: String,
    /// The site's local time, RFC 3339.
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// Its last request or live connection (to about a minute), if any.
    pub last_seen_at: Option<String>,
}

/// The devices of a site, working ones first (admin, or supervisor of
/// the site).
pub async fn list(app: &App, who: &Principal, site: &str) -> AppResult<Vec<DeviceView>> {
    who.require_staff(site, &[Role::Supervisor])?;
    let context = super::sites::SiteContext::load(app, site).await?;
    Ok(store::devices::of_site(&app.db, site)
        .await?
        .into_iter()
        .map(|d| DeviceView {
            created_at: context.local(d.created_at),
            revoked_at: d.revoked_at.map(|at| context.local(at)),
            last_seen_at: d.last_seen_at.map(|at| context.local(at)),
            id: d.id,
            kind: d.kind.as_str().to_owned(),
            label: d.label,
            created_by: d.created_by,
        })
        .collect())
}

/// Notes that device `id` is in use now (at most once a minute is
/// written, by one request or socket of this instance). Seeing is no
/// reason to refuse a request: a failure is logged.
pub async fn seen(app: &App, id: &str) {
    let now = app.clock.now_ms();
    if !app.caches.seen_devices.claim(id, now) {
        return;
    }
    let written = async {
        let mut tx = app.db.begin().await?;
        store::devices::seen(&mut tx, id, now).await?;
        tx.commit().await
    };
    if let Err(error) = written.await {
        app.caches.seen_devices.release(id);
        tracing::warn!(device = %id, %error, "could not note that a device was seen");
    }
}

/// Notes a device as seen every `SEEN_EVERY_MS` while its live socket
/// lasts; never returns.
pub async fn keep_seen(app: &App, id: &str) {
    let every = std::time::Duration::from_millis(store::devices::SEEN_EVERY_MS as u64);
    loop {
        tokio::time::sleep(every).await;
        seen(app, id).await;
    }
}
