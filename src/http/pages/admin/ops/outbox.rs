//! `/admin/outbox` (admins): the messages and webhook deliveries by
//! status, newest first, and sending a dead one again. Recipients' phones
//! and addresses are partly masked: the page is for seeing that messages
//! leave, not whom the office writes to.

use super::super::{Nav, Staff};
use super::{Flash, short_time};
use crate::app::outbox::{self, MessageView};
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

/// The tabs, in the order a message goes through them.
const TABS: [&str; 5] = ["pending", "retrying", "sending", "sent", "dead"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/outbox", get(page))
        .route("/admin/outbox/{id}/retry", post(retry))
}

#[derive(Template)]
#[template(path = "admin_ops_outbox.html")]
struct OutboxPage {
    f: Frame,
    nav: Nav,
    status: String,
    tabs: [&'static str; 5],
    messages: Vec<MessageView>,
    flash: Option<&'static str>,
}

impl OutboxPage {
    fn masked(&self, m: &MessageView) -> String {
        mask(&m.recipient, &m.channel)
    }

    fn when(&self, rfc3339: &str) -> String {
        short_time(rfc3339)
    }
}

#[derive(Deserialize)]
struct Tab {
    status: Option<String>,
    #[serde(flatten)]
    flash: Flash,
}

async fn page(
    State(state): State<AppState>,
    frame: Frame,
    staff: Staff,
    Query(tab): Query<Tab>,
) -> Result<Response, PageError> {
    let frame = frame.for_office();
    let fail = |e| PageError::new(&frame, e);
    staff.require_admin().map_err(fail)?;
    let nav = staff.nav(&state, &frame, None).await.map_err(fail)?;
    let status = tab.status.unwrap_or_else(|| "pending".to_owned());
    let messages = outbox::list(&state.app, &staff.who, Some(&status))
        .await
        .map_err(fail)?;
    Ok(render(&OutboxPage {
        f: frame,
        nav,
        status,
        tabs: TABS,
        messages,
        flash: tab.flash.key(&[("retried", "admin.ops.outbox.retried")]),
    }))
}

async fn retry(
    State(state): State<AppState>,
    frame: Frame,
    staff: Staff,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let frame = frame.for_office();
    outbox::retry(&state.app, &staff.who, &id)
        .await
        .map_err(|e| PageError::new(&frame, e))?;
    Ok(Redirect::to("/admin/outbox?status=dead&done=retried").into_response())
}

/// A recipient with most of it hidden: `+2126••••••78` for a phone,
/// `k•••@example.ma` for an e-mail address; a webhook endpoint's id is
/// shown as it is.
fn mask(recipient: &str, channel: &str) -> String {
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
