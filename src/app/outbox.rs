//! The outbox: sending what is due (`notify::worker`, lent what it needs),
//! and its admin view: messages and webhook deliveries by status, and
//! sending a dead one again. Recipients are partly masked, in
//! the API as on the page: the outbox is for seeing that messages leave,
//! not whom the office writes to.

use super::auth::Principal;
use super::{App, AppError, AppResult};
use crate::domain::Invalid;
use crate::store;
use serde::Serialize;
use utoipa::ToSchema;

/// Sends every due message; returns how many were sent. What a background
/// task runs every second.
pub async fn send_due(app: &App) -> Result<usize, crate::store::StoreError> {
    let worker = crate::notify::worker::Worker {
        db: &app.db,
        clock: &app.clock,
        transports: &app.messaging.transports,
        breakers: &app.messaging.breakers,
        counts: &app.activity,
    };
    crate::notify::worker::send_due(&worker).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: String,
    pub site: Option<String>,
    /// `sms`, `email` or `webhook`.
    pub channel: String,
    pub template: String,
    /// The phone or address, mostly hidden (`+2126••••••78`,
    /// `k•••@example.ma`), or the webhook endpoint's id.
    pub recipient: String,
    /// `pending`, `sending`, `retrying`, `sent` or `dead`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub provider_id: Option<String>,
    pub delivery_status: Option<String>,
    pub last_error: Option<String>,
    pub created_at: String,
}

const STATUSES: &[&str] = &["pending", "sending", "retrying", "sent", "dead"];

pub async fn list(app: &App, who: &Principal, status: Option<&str>) -> AppResult<Vec<MessageView>> {
    who.require_admin()?;
    if let Some(status) = status.filter(|s| !STATUSES.contains(s)) {
        return Err(Invalid::new(
            "status",
            format!("{status:?} is not one of {}", STATUSES.join(", ")),
        )
        .into());
    }
    let rows = store::outbox::list(&app.db, status, 500).await?;
    let utc = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.to_string())
            .unwrap_or_default()
    };
    Ok(rows
        .into_iter()
        .map(|m| MessageView {
            recipient: mask(&m.recipient, &m.channel),
            next_attempt_at: utc(m.next_attempt_at),
            created_at: utc(m.created_at),
            id: m.id,
            site: m.site_id,
            channel: m.channel,
            template: m.template,
            status: m.status,
            attempts: m.attempts,
            provider_id: m.provider_id,
            delivery_status: m.delivery_status,
            last_error: m.last_error,
        })
        .collect())
}

/// Sends a dead (or waiting to retry) message again now.
pub async fn retry(app: &App, who: &Principal, id: &str) -> AppResult<()> {
    who.require_admin()?;
    if store::outbox::retry_now(&app.db, id, app.clock.now_ms()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("message waiting or dead"))
    }
}

/// A recipient with most of it hidden: `+2126••••••78` for a phone,
/// `k•••@example.ma` for an e-mail address; a webhook endpoint's id is
/// shown as it is.
pub fn mask(recipient: &str, channel: &str) -> String {
    const DOT: char = '•';
    match channel {
        "sms" => {
            let chars: Vec<char> = recipient.chars().collect();
            if chars.len() <= 7 {
                return DOT.to_string().repeat(chars.len());
            }
            let (head, tail) = (5, 2);
            chars
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    if i < head || i >= chars.len() - tail {
                        *c
                    } else {
                        DOT
                    }
                })
                .collect()
        }
        "email" => match recipient.split_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}{}@{domain}", DOT.to_string().repeat(3))
            }
            None => DOT.to_string().repeat(3),
        },
        _ => recipient.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn phones_and_addresses_are_mostly_hidden() {
        assert_eq!(mask("+212612345678", "sms"), "+2126••••••78");
        assert_eq!(mask("+2126", "sms"), "•••••");
        assert_eq!(mask("karim@example.ma", "email"), "k•••@example.ma");
        assert_eq!(mask("01HZX", "webhook"), "01HZX");
    }
}
