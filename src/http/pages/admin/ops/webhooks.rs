//! `/admin/webhooks` (admins): the endpoints other administrations'
//! systems registered, registering one (its signing secret shown once)
//! and revoking one. Through `app::webhooks`, like the API.

use super::super::{Admin, FormError, Nav, Staff};
use super::{Flash, all_of, never_stored, one_of, pressed, registry};
use crate::app::AppError;
use crate::app::webhooks::{self, NewWebhook, WebhookView};
use crate::http::AppState;
use crate::http::pages::csrf::CsrfForm;
use crate::http::pages::frame::{Frame, PageError, render, render_at};
use crate::notify::webhooks::EVENTS;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/webhooks", get(page).post(register))
        .route("/admin/webhooks/{id}/revoke", post(revoke))
}

#[derive(Template)]
#[template(path = "admin_ops_webhooks.html")]
struct WebhooksPage {
    f: Frame,
    nav: Nav,
    hooks: Vec<WebhookView>,
    /// Every site, `(id, name)`, for the optional site of a new endpoint.
    sites: Vec<(String, String)>,
    events: &'static [&'static str],
    /// The form as typed.
    url: String,
    chosen: Vec<String>,
    site: String,
    error: Option<FormError>,
    flash: Option<&'static str>,
}

impl WebhooksPage {
    fn is_chosen(&self, event: &str) -> bool {
        self.chosen.iter().any(|c| c == event)
    }
}

#[derive(Template)]
#[template(path = "admin_ops_webhook_registered.html")]
struct RegisteredPage {
    f: Frame,
    nav: Nav,
    hook: WebhookView,
    secret: String,
}

async fn page(admin: Admin, Query(flash): Query<Flash>) -> Result<Response, PageError> {
    let (state, frame, staff) = admin.into_parts();
    let flash = flash.key(&[("revoked", "admin.ops.webhooks.revoked")]);
    let typed = NewWebhook {
        url: String::new(),
        events: Vec::new(),
        site: None,
    };
    show(&state, frame, &staff, typed, None, flash).await
}

async fn show(
    state: &AppState,
    frame: Frame,
    staff: &Staff,
    typed: NewWebhook,
    error: Option<FormError>,
    flash: Option<&'static str>,
) -> Result<Response, PageError> {
    let list = webhooks::list(&state.app, &staff.who);
    let (nav, hooks, sites) = registry(state, &frame, staff, list).await?;
    let status = error.as_ref().map(|e| e.status);
    let page = WebhooksPage {
        f: frame,
        nav,
        hooks,
        sites,
        events: EVENTS,
        url: typed.url,
        chosen: typed.events,
        site: typed.site.unwrap_or_default(),
        error,
        flash,
    };
    Ok(render_at(&page, status))
}

async fn register(
    admin: Admin,
    CsrfForm(form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (state, frame, staff) = admin.into_parts();
    let fail = |e| PageError::new(&frame, e);
    staff.require_admin().map_err(fail)?;
    let site = one_of(&form, "site").trim().to_owned();
    let typed = || NewWebhook {
        url: one_of(&form, "url").trim().to_owned(),
        events: all_of(&form, "events"),
        site: Some(site.clone()).filter(|s| !s.is_empty()),
    };
    match webhooks::register(&state.app, &staff.who, typed()).await {
        Ok(mut hook) => {
            let nav = staff.nav(&state, &frame, None).await.map_err(fail)?;
            let secret = hook.secret.take().unwrap_or_default();
            Ok(never_stored(render(&RegisteredPage {
                f: frame,
                nav,
                hook,
                secret,
            })))
        }
        Err(error @ AppError::Forbidden(_)) => Err(fail(error)),
        Err(error) => {
            let error = FormError::new(frame.tr, &error);
            show(&state, frame, &staff, typed(), Some(error), None).await
        }
    }
}

async fn revoke(
    admin: Admin,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, PageError> {
    let (state, frame, staff) = admin.into_parts();
    let act = webhooks::revoke(&state.app, &staff.who, &id);
    pressed(frame, act, "/admin/webhooks?done=revoked").await
}
