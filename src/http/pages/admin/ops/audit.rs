//! `/admin/audit`: the audit log of staff and device actions, newest
//! first, filtered by site, actor and days. Admins read all of it,
//! supervisors their own site's (`app::audit::list` decides).

use super::super::{Admin, Nav};
use super::short_time;
use crate::app::audit::{self, AuditEntryView, AuditQuery};
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render};
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/audit", get(page))
}

#[derive(Template)]
#[template(path = "admin_ops_audit.html")]
struct AuditLogPage {
    f: Frame,
    nav: Nav,
    site: String,
    actor: String,
    from: String,
    to: String,
    entries: Vec<AuditEntryView>,
    /// The address of the next, older, page with the same filters.
    older: Option<String>,
}

impl AuditLogPage {
    fn when(&self, rfc3339: &str) -> String {
        short_time(rfc3339)
    }
}

async fn page(admin: Admin, Query(query): Query<AuditQuery>) -> Result<Response, PageError> {
    let Admin {
        state,
        frame,
        staff,
    } = admin;
    let frame = frame.for_office();
    let fail = |e| PageError::new(&frame, e);
    let nav = staff.nav(&state, &frame, None).await.map_err(fail)?;
    let found = audit::list(&state.app, &staff.who, &query)
        .await
        .map_err(fail)?;
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let older = found.next.map(|before| {
        let filters = [
            ("site", text(&query.site)),
            ("actor", text(&query.actor)),
            ("from", text(&query.from)),
            ("to", text(&query.to)),
            ("before", before.to_string()),
        ];
        let filters: Vec<_> = filters.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        format!(
            "/admin/audit?{}",
            serde_urlencoded::to_string(filters).unwrap_or_default()
        )
    });
    Ok(render(&AuditLogPage {
        f: frame,
        nav,
        site: text(&query.site),
        actor: text(&query.actor),
        from: text(&query.from),
        to: text(&query.to),
        entries: found.entries,
        older,
    }))
}
