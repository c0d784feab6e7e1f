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
    /// `https://…`; plain `http://` only to this machine (`localhost`,
    /// `127.0.0.1`), for a receiver beside the service.
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
    let url = parse_url(&input.url)?;
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

fn parse_url(value: &str) -> Result<String, Invalid> {
    let invalid = || Invalid::new("url", "an https:// address (http:// only to localhost)");
    let (scheme, rest) = value.split_once("://").ok_or_else(invalid)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_name = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host_name = host_name.split(':').next().unwrap_or("");
    let local = matches!(host_name, "localhost" | "127.0.0.1" | "[::1]");
    let ok = value.len() <= 500
        && !host_name.is_empty()
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && (scheme == "https" || (scheme == "http" && local));
    ok.then(|| value.to_owned()).ok_or_else(invalid)
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

#[cfg(test)]
mod tests {
    #[test]
    fn endpoints_are_https_or_this_machine() {
        use super::parse_url;
        assert!(parse_url("https://etat-civil.gov.ma/hooks/guichet").is_ok());
        assert!(parse_url("http://127.0.0.1:8081/hook").is_ok());
        assert!(parse_url("http://localhost/hook").is_ok());
        for bad in [
            "http://example.ma/hook",
            "ftp://x",
            "https://",
            "https://a b",
            "hook",
        ] {
            assert!(parse_url(bad).is_err(), "{bad} accepted");
        }
    }
}
