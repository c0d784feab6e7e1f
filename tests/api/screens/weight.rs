//! Every citizen page, with its styles and scripts, weighs at most 100 KB
//! over the wire (compressed, headers included): citizens book from phones
//! on mobile data. Each page is also complete without running a script,
//! and each of its form fields has a label a screen reader can say.

use crate::support::office::{SERVICE, office};
use crate::support::tickets::{call_next, finish};
use guichet_test_support::Backend;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_ENCODING, HeaderMap};
use serde_json::json;
use std::collections::BTreeSet;

const BUDGET: usize = 100 * 1024;

#[tokio::test]
async fn every_citizen_page_weighs_at_most_100_kb() {
    let office = office(
        Backend::Sqlite,
        "2026-12-01T08:00:00Z",
        "Africa/Casablanca",
        4,
        false,
    )
    .await;
    let (app, site) = (&office.app, office.site.as_str());
    // Passports are delivered on request, some days later.
    let delivered = app
        .patch(
            &format!("/api/v1/sites/{site}/services/{SERVICE}"),
            Some(&office.admin),
            json!({"processing_days": 10}),
        )
        .await;
    assert_eq!(delivered.status, StatusCode::OK, "{}", delivered.body);
    // First, while nobody else waits: the next call is this visit's.
    let feedback = feedback_link(&office).await;
    let booked = office
        .book("2026-12-02T10:00:00+00:00", "+212600000001")
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let (reference, token) = (
        booked.body["reference"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        booked.body["manage_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    );
    let ticket = app
        .post(
            &format!("/api/v1/sites/{site}/tickets"),
            Some(&office.agent),
            json!({"service": SERVICE}),
        )
        .await;
    assert_eq!(ticket.status, StatusCode::CREATED, "{}", ticket.body);
    let remote = app
        .post(
            &format!("/api/v1/sites/{site}/queue/join"),
            None,
            json!({"service": SERVICE, "phone": "+212600000005"}),
        )
        .await;
    assert_eq!(remote.status, StatusCode::CREATED, "{}", remote.body);
    let request = app
        .post(
            &format!("/api/v1/sites/{site}/requests"),
            None,
            json!({"service": SERVICE, "name": "Amina Alaoui", "phone": "+212600000002"}),
        )
        .await;
    assert_eq!(request.status, StatusCode::CREATED, "{}", request.body);
    let complaint = app
        .post(
            &format!("/api/v1/sites/{site}/complaints"),
            None,
            json!({"subject": "Attente", "body": "Trop d'attente ce matin.", "phone": "+212600000003"}),
        )
        .await;
    assert_eq!(complaint.status, StatusCode::CREATED, "{}", complaint.body);
    let field = |answer: &guichet_test_support::Answer, name: &str| {
        answer.body[name].as_str().unwrap_or_default().to_owned()
    };
    let pages = [
        "/".to_owned(),
        format!("/sites/{site}"),
        format!("/book/{site}/{SERVICE}"),
        format!("/book/{site}/{SERVICE}?day=2026-12-02"),
        format!("/appointments/{reference}?token={token}"),
        format!("/appointments/{reference}/confirmation?token={token}"),
        "/me/login".to_owned(),
        "/requests".to_owned(),
        format!("/requests/new/{site}/{SERVICE}"),
        format!(
            "/requests/{}?token={}",
            field(&request, "reference"),
            field(&request, "token")
        ),
        "/complaints".to_owned(),
        format!(
            "/complaints/{}?token={}",
            field(&complaint, "reference"),
            field(&complaint, "token")
        ),
        format!("/waitlist/{site}/{SERVICE}"),
        format!("/feedback/{feedback}"),
        format!("/t/{}", field(&ticket, "id")),
        format!("/join/{site}/{SERVICE}"),
        format!("/t/{}/joined", field(&remote, "id")),
        format!("/t/{}", field(&remote, "id")),
        format!("/stats/{site}"),
    ];
    let mut report = Vec::new();
    for page in &pages {
        for lang in ["fr", "ar", "en"] {
            let sep = if page.contains('?') { '&' } else { '?' };
            let url = format!("{}{page}{sep}lang={lang}", app.base);
            let (bytes, html) = weigh_page(&app.http, &app.base, &url).await;
            assert!(html.contains("<main"), "{url} has no main content");
            assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{url}");
            let unlabelled = unlabelled_fields(&html);
            assert!(
                unlabelled.is_empty(),
                "{url}: fields without a label: {unlabelled:?}"
            );
            report.push((bytes, url));
        }
    }
    report.sort();
    for (bytes, url) in &report {
        println!("{bytes:>7} B  {url}");
    }
    let over: Vec<_> = report.iter().filter(|(b, _)| *b > BUDGET).collect();
    assert!(over.is_empty(), "over {BUDGET} B: {over:?}");
}

/// The token of the feedback link sent after a served walk-in visit.
async fn feedback_link(office: &crate::support::office::Office) -> String {
    let phone = "+212600000004";
    let issued = office
        .app
        .post(
            &format!("/api/v1/sites/{}/tickets", office.site),
            Some(&office.agent),
            json!({"service": SERVICE, "phone": phone}),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let (status, called) = call_next(&office.app, &office.agent, "agdal-g1").await;
    assert_eq!(status, StatusCode::OK, "{called}");
    finish(&office.app, &office.agent, &called).await;
    let within = std::time::Duration::from_secs(10);
    let what = format!("a feedback link sent to {phone}");
    guichet_test_support::until_some(within, &what, async || {
        office
            .messages(phone)
            .await
            .into_iter()
            .find(|(template, _)| template == "feedback")
            .and_then(|(_, text)| {
                let (_, rest) = text.split_once("/feedback/")?;
                rest.split_whitespace().next().map(str::to_owned)
            })
    })
    .await
}

/// The bytes a browser receives for `url` and the styles and scripts it
/// links, compressed as a browser asks for them; and the page's HTML.
async fn weigh_page(client: &reqwest::Client, base: &str, url: &str) -> (usize, String) {
    let plain = client.get(url).send().await.expect("page answers");
    assert_eq!(plain.status(), StatusCode::OK, "{url}");
    let html = plain.text().await.expect("page read");
    let mut total = transferred(client, url).await;
    let assets: BTreeSet<String> = ["href=\"/static/", "src=\"/static/"]
        .iter()
        .flat_map(|opener| {
            html.match_indices(opener)
                .map(move |(at, _)| at + opener.len() - 8)
        })
        .filter_map(|start| {
            html[start..]
                .split('"')
                .next()
                .map(|p| p.replace("&amp;", "&"))
        })
        .collect();
    for asset in assets {
        total += transferred(client, &format!("{base}{asset}")).await;
    }
    (total, html)
}

async fn transferred(client: &reqwest::Client, url: &str) -> usize {
    let answer = client
        .get(url)
        .header(ACCEPT_ENCODING, "br, gzip")
        .send()
        .await
        .expect("answers");
    assert_eq!(answer.status(), StatusCode::OK, "{url}");
    let headers = header_bytes(answer.headers());
    headers + answer.bytes().await.expect("body read").len()
}

fn header_bytes(headers: &HeaderMap) -> usize {
    // "HTTP/1.1 200 OK\r\n", each "name: value\r\n", and the blank line.
    17 + headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum::<usize>()
        + 2
}

/// The form fields (inputs other than hidden ones and buttons, selects,
/// text areas) that have no label: neither inside a `<label>`, nor named by
/// one's `for`, nor by `aria-label`.
fn unlabelled_fields(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for opener in ["<input", "<select", "<textarea"] {
        for (at, _) in html.match_indices(opener) {
            let tag = html[at..].split('>').next().unwrap_or_default();
            if tag.contains("type=\"hidden\"") || tag.contains("type=\"submit\"") {
                continue;
            }
            let before = &html[..at];
            let in_label = before.rfind("<label") > before.rfind("</label>");
            let named = tag
                .split("id=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .is_some_and(|id| html.contains(&format!("for=\"{id}\"")));
            if !(in_label || named || tag.contains("aria-label")) {
                found.push(tag.to_owned());
            }
        }
    }
    found
}

#[test]
fn a_field_without_a_label_is_found() {
    let page = r#"<label for="a">A</label><input id="a"><label>B <input name="b"></label>
        <input type="hidden" name="csrf"><input id="c" aria-label="C"><select id="d"></select>"#;
    assert_eq!(
        unlabelled_fields(page),
        vec![r#"<select id="d""#.to_owned()]
    );
}
