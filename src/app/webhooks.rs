//! Registering the endpoints of other administrations' systems (admins).

use super::auth::Principal;
use super::sites::json;
use super::{App, AppError, AppResult};
use crate::domain::Invalid;
use crate::notify::webhooks::EVENTS;
use crate::secrets::{new_id, new_token};
use crate::store::{self, webhooks::WebhookRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// `https://…` to a public address, without user name or password.
    /// Internal addresses (loopback, private, link-local, …), and plain
    /// `http://`, only to hosts the operator allows
    /// (`GUICHET_WEBHOOK_ALLOW`), for a receiver beside the service.
    pub url: String,
    pub events: Vec<String>,
    /// Only this site's events; all sites when left out.
    pub site: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub site: Option<String>,
    /// Shown once, at registration: the receiver checks signatures with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

pub async fn register(app: &App, who: &Principal, input: NewWebhook) -> AppResult<WebhookView> {
    who.require_admin()?;
    let url = app
        .messaging
        .transports
        .http
        .check(&input.url)
        .map_err(|why| Invalid::new("url", why))?
        .to_string();
    if input.events.is_empty() {
        return Err(Invalid::new("events", format!("one or more of {}", EVENTS.join(", "))).into());
    }
    let mut events = Vec::new();
    for event in &input.events {
        let known = EVENTS.iter().find(|e| **e == event).ok_or_else(|| {
            Invalid::new(
                "events",
                format!("unknown event {event:?}; use {}", EVENTS.join(", ")),
            )
        })?;
        if !events.contains(known) {
            events.push(*known);
        }
    }
    if let Some(site) = &input.site {
        super::sites::require(app, site).await?;
    }
    let row = WebhookRow {
        id: new_id(),
        url,
        events: json(&events),
        site_id: input.site,
        secret: new_token(),
        created_at: app.clock.now_ms(),
        revoked_at: None,
    };
    let mut tx = app.db.begin().await?;
    store::webhooks::insert(&mut tx, &row).await?;
    tx.commit().await?;
    let secret = row.secret.clone();
    let mut view = view(row);
    view.secret = Some(secret);
    Ok(view)
}

pub async fn list(app: &App, who: &Principal) -> AppResult<Vec<WebhookView>> {
    who.require_admin()?;
    Ok(store::webhooks::list(&app.db)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

pub async fn revoke(app: &App, who: &Principal, id: &str) -> AppResult<()> {
    who.require_admin()?;
    let mut tx = app.db.begin().await?;
    if !store::webhooks::revoke(&mut tx, id, app.clock.now_ms()).await? {
        return Err(AppError::NotFound("webhook"));
    }
    tx.commit().await?;
    Ok(())
}

fn view(row: WebhookRow) -> WebhookView {
    WebhookView {
        events: serde_json::from_str(&row.events).unwrap_or_default(),
        id: row.id,
        url: row.url,
        site: row.site_id,
        secret: None,
    }
}
