//! `/admin/outbox` (admins): the messages and webhook deliveries by
//! status, newest first, and sending a dead one again. Recipients' phones
//! and addresses come partly masked (`app::outbox`): the page is for
//! seeing that messages leave, not whom the office writes to.

use super::super::{Admin, Nav};
use super::{Flash, pressed, short_time};
use crate::app::outbox::{self, MessageView};
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
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

async fn page(admin: Admin, Query(tab): Query<Tab>) -> Result<Response, PageError> {
    let Admin {
        state,
        frame,
        staff,
    } = admin;
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
    admin: Admin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let Admin {
        state,
        frame,
        staff,
    } = admin;
    let act = outbox::retry(&state.app, &staff.who, &id);
    pressed(frame, act, "/admin/outbox?status=dead&done=retried").await
}
