//! Every form of every screen refuses a post without its CSRF token, or
//! with a wrong one: 403, and the database is as it was. The forms are
//! found by walking the screens as an admin (who may see the agent and
//! admin pages), as a kiosk and as a citizen, following every link, so a
//! new form is tested without being listed here.

use crate::support::office::office;
use guichet_test_support::TestApp;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::{BTreeSet, VecDeque};

const CSRF: &str = "walk-csrf-token-0123456789abcdef";
/// Enough for every screen of one office.
const MAX_PAGES: usize = 400;

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Values of `attribute="…"` in the tags named `tag` of `html`.
fn attribute_of_tags<'a>(
    html: &'a str,
    tag: &str,
    attribute: &str,
) -> Vec<(&'a str, Option<&'a str>)> {
    let open = format!("<{tag} ");
    let needle = format!("{attribute}=\"");
    html.match_indices(&open)
        .filter_map(|(at, _)| {
            let end = at + html[at..].find('>')?;
            let tag = &html[at..end];
            let value = tag.find(&needle).and_then(|start| {
                let start = start + needle.len();
                tag[start..].find('"').map(|len| &tag[start..start + len])
            });
            Some((tag, value))
        })
        .collect()
}

/// Every same-site page reachable from `seeds` with `cookie`, and the
/// addresses their POST forms send to.
async fn walk(app: &TestApp, cookie: &str, seeds: &[String]) -> BTreeSet<String> {
    let client = no_redirects();
    let mut queue: VecDeque<String> = seeds.iter().cloned().collect();
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    let mut forms = BTreeSet::new();
    while let Some(path) = queue.pop_front() {
        assert!(seen.len() < MAX_PAGES, "the walk does not end: {seen:?}");
        let response = client
            .get(format!("{}{path}", app.base))
            .header("Cookie", cookie)
            .send()
            .await
            .expect("sent");
        let is_html = response
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
        if !response.status().is_success() || !is_html {
            continue;
        }
        let html = response.text().await.unwrap().replace("&amp;", "&");
        for (tag, action) in attribute_of_tags(&html, "form", "action") {
            if tag.to_ascii_lowercase().contains("method=\"post\"") {
                let action = action.unwrap_or(path.as_str());
                forms.insert(action.split('#').next().unwrap().to_owned());
            }
        }
        for (_, href) in attribute_of_tags(&html, "a", "href") {
            let Some(href) = href.map(|h| h.split('#').next().unwrap().to_owned()) else {
                continue;
            };
            let same_site = href.starts_with('/') && !href.starts_with("//");
            let page = !href.starts_with("/static/")
                && !href.contains(".ics")
                && !href.contains("format=csv");
            if same_site && page && seen.insert(href.clone()) {
                queue.push_back(href);
            }
        }
    }
    forms
}

/// Every row of every table but the outbox's `notifications` (its sender
/// works on its own),
/// as text: what "nothing changed" is checked against.
fn dump(database_url: &str) -> Vec<String> {
    let path = database_url.trim_start_matches("sqlite://");
    let db = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('notifications') ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut rows = Vec::new();
    for table in tables {
        let mut statement = db.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = statement.column_count();
        let mut found = statement.query([]).unwrap();
        while let Some(row) = found.next().unwrap() {
            let values: Vec<String> = (0..columns)
                .map(|i| match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(text) => {
                        String::from_utf8_lossy(text).into_owned()
                    }
                    other => format!("{other:?}"),
                })
                .collect();
            rows.push(format!("{table}: {}", values.join(", ")));
        }
    }
    rows.sort();
    rows
}

#[tokio::test]
async fn every_form_refuses_a_missing_or_wrong_csrf_token() {
    let office = office(
        guichet_test_support::Backend::Sqlite,
        "2026-11-23T07:00:00Z",
        "Africa/Casablanca",
        2,
        false,
    )
    .await;
    let app = &office.app;
    let site = office.site.clone();
    let kiosk = app
        .post(
            &format!("/api/v1/sites/{site}/devices"),
            Some(&office.admin),
            json!({"kind": "kiosk", "label": "Borne 1"}),
        )
        .await;
    let kiosk = kiosk.body["token"]
        .as_str()
        .expect("kiosk token")
        .to_owned();
    let booked = office
        .book("2026-11-24T09:00:00+00:00", "+212612345671")
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let manage = format!(
        "/appointments/{}?token={}",
        booked.body["reference"].as_str().unwrap(),
        booked.body["manage_token"].as_str().unwrap()
    );
    let walks = [
        (
            format!("guichet_session={}; guichet_csrf={CSRF}", office.admin),
            vec![
                "/admin".to_owned(),
                "/agent".to_owned(),
                "/agent/requests".to_owned(),
            ],
        ),
        (
            format!("guichet_session={}; guichet_csrf={CSRF}", office.agent),
            vec!["/agent".to_owned(), "/agent/counters/agdal-g1".to_owned()],
        ),
        (
            format!("guichet_session={kiosk}; guichet_csrf={CSRF}"),
            vec![format!("/kiosk/{site}")],
        ),
        (
            format!("guichet_csrf={CSRF}"),
            vec![
                "/".to_owned(),
                "/me/login".to_owned(),
                "/requests".to_owned(),
                format!("/waitlist/{site}/passport"),
                "/agent/login".to_owned(),
                manage,
            ],
        ),
    ];
    // The kiosk is seen before the snapshot: its last activity is written
    // once a minute at most, and this clock stands still, so a refused
    // form is all that could change a row afterwards.
    guichet::app::auth::authenticate(&app.app, &kiosk)
        .await
        .expect("the kiosk's token");
    let before = dump(&app.database_url);
    let client = no_redirects();
    let mut tried = BTreeSet::new();
    for (cookie, seeds) in walks {
        for action in walk(app, &cookie, &seeds).await {
            for body in ["", "csrf=not-the-cookie-value"] {
                let answer = client
                    .post(format!("{}{action}", app.base))
                    .header("Cookie", &cookie)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .expect("sent");
                assert_eq!(
                    answer.status(),
                    StatusCode::FORBIDDEN,
                    "POST {action} with {body:?}"
                );
            }
            tried.insert(action.split('?').next().unwrap().to_owned());
        }
    }
    let after = dump(&app.database_url);
    // The audit log records each refused attempt, and that is all it may
    // record here; every other table is left as it was.
    let audit = |row: &&String| {
        row.starts_with("audit_log: ") || row.starts_with("sqlite_sequence: audit_log")
    };
    let audited: Vec<&String> = after
        .iter()
        .filter(|row| row.starts_with("audit_log: ") && !before.contains(row))
        .collect();
    assert!(
        !audited.is_empty(),
        "the refused attempts are not in the audit log"
    );
    for row in &audited {
        assert!(row.ends_with("Integer(403), refused"), "audited as {row}");
    }
    let changed: Vec<&String> = before
        .iter()
        .filter(|row| !after.contains(row))
        .chain(after.iter().filter(|row| !before.contains(row)))
        .filter(|row| !audit(row))
        .collect();
    assert!(
        changed.is_empty(),
        "a refused form changed rows: {changed:?}"
    );
    // The walk reached every kind of screen's forms.
    for wanted in [
        "/agent/login",
        "/me/login",
        "/admin/",
        "/kiosk/",
        "/book/",
        "/appointments/",
        "/waitlist/",
        "/complaints",
    ] {
        assert!(
            tried.iter().any(|a| a.starts_with(wanted)),
            "no form under {wanted}: {tried:?}"
        );
    }
    assert!(tried.len() >= 20, "{} forms: {tried:?}", tried.len());
}
