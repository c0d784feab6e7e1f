//! `/admin/audit`: the audit log of staff and device actions, newest
//! first, filtered by site, actor and days. Admins read all of it,
//! supervisors their own site's (`app::audit::list` decides). Each action
//! is told in words (`admin.audit.do.*`, its route's ids filled in; the
//! route itself for one without words) at the local time of its site, or
//! in UTC, said so, for one with no site.

use super::super::{Admin, Nav};
use crate::app::audit::{self, AuditEntryView, AuditQuery};
use crate::http::AppState;
use crate::http::pages::frame::{Frame, PageError, render};
use crate::http::pages::i18n::Tr;
use askama::Template;
use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use jiff::tz::TimeZone;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry::Vacant;
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/audit", get(page))
}

/// One entry as the page shows it.
struct Line {
    e: AuditEntryView,
    /// Local `YYYY-MM-DD HH:MM` of its site, or UTC.
    when: String,
    /// The zone `when` is in, said where it is no site's (UTC).
    zone: Option<&'static str>,
    /// What happened, in words; `None` for an action without words.
    words: Option<String>,
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
    entries: Vec<Line>,
    /// The address of the next, older, page with the same filters.
    older: Option<String>,
}

/// The key of an action's words: `POST /api/v1/counters/{counter}/call-next`
/// is `admin.audit.do.post_counters_counter_call_next`.
fn key_of(action: &str) -> String {
    let action = action.replacen("/api/v1/", "/", 1);
    let mut slug = String::new();
    for c in action.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('_') {
            slug.push('_');
        }
    }
    format!("admin.audit.do.{}", slug.trim_end_matches('_'))
}

/// What `e` did, in words, its ids (`{counter}`…) and site filled in.
fn words(tr: Tr, e: &AuditEntryView) -> Option<String> {
    let key = key_of(&e.action);
    let text = tr.s(&key);
    if text == key {
        return None;
    }
    let mut values: Vec<(&str, &str)> = e
        .target
        .iter()
        .flat_map(|t| t.split_whitespace())
        .filter_map(|pair| pair.split_once(':'))
        .collect();
    if let Some(site) = &e.site {
        values.push(("site", site));
    }
    let mut text = text.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    Some(text)
}

/// `at` (RFC 3339) in `zone`, to the minute.
fn local(at: &str, zone: &TimeZone) -> Option<String> {
    let at: jiff::Timestamp = at.parse().ok()?;
    Some(
        at.to_zoned(zone.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string(),
    )
}

async fn page(admin: Admin, Query(query): Query<AuditQuery>) -> Result<Response, PageError> {
    let found = audit::list(&admin.state.app, &admin.staff.who, &query);
    let (nav, found) = admin.read(found).await?;
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
    // Each site's zone, read once; a site gone since is shown in UTC.
    let mut zones: BTreeMap<String, Option<Arc<TimeZone>>> = BTreeMap::new();
    for site in found.entries.iter().filter_map(|e| e.site.clone()) {
        if let Vacant(slot) = zones.entry(site) {
            let zone = crate::app::sites::zone_of(&admin.state.app, slot.key()).await;
            slot.insert(zone.ok());
        }
    }
    let tr = admin.frame.tr;
    let entries = found
        .entries
        .into_iter()
        .map(|e| {
            let zone = e
                .site
                .as_ref()
                .and_then(|s| zones.get(s).cloned().flatten());
            let shown = zone.as_ref().and_then(|z| local(&e.at, z));
            let (when, zone) = match shown {
                Some(when) => (when, None),
                None => (
                    local(&e.at, &TimeZone::UTC).unwrap_or_default(),
                    Some("UTC"),
                ),
            };
            Line {
                words: words(tr, &e),
                when,
                zone,
                e,
            }
        })
        .collect();
    Ok(render(&AuditLogPage {
        f: admin.frame,
        nav,
        site: text(&query.site),
        actor: text(&query.actor),
        from: text(&query.from),
        to: text(&query.to),
        entries,
        older,
    }))
}

#[cfg(test)]
mod tests {
    use super::key_of;

    #[test]
    fn an_action_has_one_key_from_its_route() {
        assert_eq!(
            key_of("POST /api/v1/counters/{counter}/call-next"),
            "admin.audit.do.post_counters_counter_call_next"
        );
        assert_eq!(
            key_of("POST /agent/requests/{reference}/status"),
            "admin.audit.do.post_agent_requests_reference_status"
        );
        assert_eq!(key_of("login"), "admin.audit.do.login");
    }
}
