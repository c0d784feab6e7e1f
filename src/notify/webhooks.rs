//! Outbound webhooks: events for other administrations' systems, queued
//! in the outbox with the change that makes them, delivered as signed JSON
//! POSTs and retried like any message.
//!
//! A receiver checks a delivery with the secret it was given: compute
//! HMAC-SHA256 over `{X-Guichet-Timestamp}.{raw body}`, hex-encode it, and
//! compare with `X-Guichet-Signature` (`sha256=<hex>`) in constant time;
//! refuse timestamps more than a few minutes old to stop replays.
//!
//! Deliveries go only where `outbound` lets them: the address is checked
//! again at each attempt (the operator's allowances may have changed), a
//! redirect is a failed attempt, never followed, and the answer's body is
//! not read.

use super::Attempt;
use super::outbound::{self, Outbound};
use super::signature::webhook_signature;
use crate::secrets::new_id;
use crate::store::outbox::{self, NewMessage};
use crate::store::{self, Tx, webhooks::WebhookRow};

/// The events an endpoint may ask for.
pub const EVENTS: &[&str] = &[
    "request.status_changed",
    "appointment.booked",
    "appointment.cancelled",
    "appointment.rescheduled",
    "appointment.closed",
    "ticket.done",
    "complaint.answered",
];

/// Whether any live endpoint asks for `event`: a job that reports past
/// changes reads nothing when nobody listens.
pub async fn anyone_wants(db: &store::Db, event: &str) -> Result<bool, store::StoreError> {
    let quoted = format!("\"{event}\"");
    Ok(store::webhooks::list(db)
        .await?
        .iter()
        .any(|w| w.events.contains(&quoted)))
}

/// Queues an event for every live endpoint of the site that wants it.
/// `key` names the change (the same change queued twice is sent once).
pub async fn enqueue(
    tx: &mut Tx,
    site: &str,
    event: &'static str,
    key: &str,
    data: serde_json::Value,
    now: i64,
) -> Result<(), store::StoreError> {
    enqueue_since(tx, site, event, key, data, now, now).await
}

/// `enqueue` for an event that happened at `happened`: endpoints
/// registered after it do not get it.
pub async fn enqueue_since(
    tx: &mut Tx,
    site: &str,
    event: &'static str,
    key: &str,
    data: serde_json::Value,
    happened: i64,
    now: i64,
) -> Result<(), store::StoreError> {
    let endpoints = store::webhooks::live_for_site(tx, site).await?;
    for endpoint in endpoints.into_iter().filter(|e| e.created_at <= happened) {
        let wanted: Vec<String> = serde_json::from_str(&endpoint.events).unwrap_or_default();
        if !wanted.iter().any(|e| e == event) {
            continue;
        }
        let id = new_id();
        let body =
            serde_json::json!({"id": id, "event": event, "site": site, "at": now, "data": data});
        let message = NewMessage {
            id,
            site_id: Some(site.to_owned()),
            channel: "webhook",
            template: event,
            recipient: endpoint.id.clone(),
            subject: None,
            html: None,
            attachment: None,
            body: body.to_string(),
            idempotency_key: format!("{event}:{key}:{}", endpoint.id),
            created_at: now,
        };
        outbox::enqueue(tx, &message).await?;
    }
    Ok(())
}

/// Delivers one queued event to its endpoint.
pub async fn deliver(
    http: &Outbound,
    endpoint: Option<WebhookRow>,
    delivery_id: &str,
    event: &str,
    body: &str,
    now_ms: i64,
) -> Attempt {
    let Some(endpoint) = endpoint.filter(|e| e.revoked_at.is_none()) else {
        return Attempt::Permanent {
            error: "endpoint removed".to_owned(),
        };
    };
    let url = match http.check(&endpoint.url) {
        Ok(url) => url,
        Err(why) => {
            return Attempt::Permanent {
                error: format!("address refused: {why}"),
            };
        }
    };
    let timestamp = now_ms / 1000;
    let signature = webhook_signature(&endpoint.secret, timestamp, body.as_bytes());
    let sent = http
        .client()
        .post(url)
        .header("content-type", "application/json")
        .header("X-Guichet-Event", event)
        .header("X-Guichet-Delivery", delivery_id)
        .header("X-Guichet-Timestamp", timestamp.to_string())
        .header("X-Guichet-Signature", signature)
        .body(body.to_owned())
        .send()
        .await;
    match sent {
        Ok(answer) if answer.status().is_success() => Attempt::Sent { provider_id: None },
        // The receiver says the endpoint is gone for good.
        Ok(answer) if answer.status().as_u16() == 410 => Attempt::Permanent {
            error: "410 Gone".to_owned(),
        },
        Ok(answer) if answer.status().is_redirection() => Attempt::Retry {
            after: None,
            error: format!("answered {} (redirects are not followed)", answer.status()),
        },
        Ok(answer) => Attempt::Retry {
            after: None,
            error: format!("answered {}", answer.status()),
        },
        Err(error) if outbound::refused(&error).is_some() => Attempt::Permanent {
            error: format!(
                "address refused: {}",
                outbound::refused(&error)
                    .map(ToString::to_string)
                    .unwrap_or_default()
            ),
        },
        Err(error) => Attempt::Retry {
            after: None,
            error: format!("request failed: {}", super::redact::request_error(error)),
        },
    }
}
