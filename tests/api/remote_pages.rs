//! The remote queue's portal pages as a browser without JavaScript gets
//! them, on both backends: the office page's "join the queue remotely"
//! button (and its reason when joining is closed), the join form's
//! refusals told as sentences in French and Arabic (never a code), the
//! ticket page, and the tracking page of a remote ticket on the way,
//! held aside with its deadline, and present.

use crate::support::office::{Office, SERVICE, office};
use crate::support::tickets::{call_next, issue, kiosk};
use guichet_test_support::Backend;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::json;

/// Thursday 26 November 2026, 09:00 UTC: the office (in UTC) is open.
const THURSDAY_9: &str = "2026-11-26T09:00:00Z";
const CSRF: &str = "remote-pages-csrf-0123456789abcdefghijklmnop";

/// An answer as a browser gets it, redirects not followed.
struct Page {
    status: StatusCode,
    location: String,
    html: String,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

async fn read(response: reqwest::Response) -> Page {
    let location = crate::support::forms::header(&response, "location");
    let status = response.status();
    // Read as a person would: the template's escapes undone.
    let html = response
        .text()
        .await
        .expect("page text")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    Page {
        status,
        location,
        html,
    }
}

async fn open(office: &Office, path: &str) -> Page {
    let response = client()
        .get(format!("{}{path}", office.app.base))
        .send()
        .await
        .expect("sent");
    read(response).await
}

/// Sends the join form's first step for `phone`, as the page's form does.
async fn join_form(office: &Office, lang: &str, phone: &str) -> Page {
    let path = format!("/join/{}/{SERVICE}?lang={lang}", office.site);
    let response = client()
        .post(format!("{}{path}", office.app.base))
        .header("Cookie", format!("guichet_csrf={CSRF}"))
        .form(&[("csrf", CSRF), ("phone", phone), ("step", "send")])
        .send()
        .await
        .expect("sent");
    read(response).await
}

/// The office, in UTC, open Monday to Saturday 08:00–16:00; phones not
/// verified, so a join needs no code.
async fn open_office(backend: Backend) -> Office {
    office(backend, THURSDAY_9, "UTC", 2, false).await
}

/// Sets the service's greatest share of remote tickets, in percent.
async fn share(office: &Office, percent: i64) {
    let path = format!("/api/v1/sites/{}/services/{SERVICE}", office.site);
    let body = json!({"remote_share_percent": percent});
    let changed = office.app.patch(&path, Some(&office.admin), body).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
}

/// The `<div>` of the service's remote button on the office page.
fn button_of(html: &str) -> &str {
    let start = html
        .find(&format!("id=\"remote-{SERVICE}\""))
        .unwrap_or_else(|| panic!("no remote button in {html}"));
    let end = html[start..]
        .find("</div>")
        .map_or(html.len(), |e| start + e);
    &html[start..end]
}

#[tokio::test]
async fn refusals_are_sentences_on_the_form_sqlite() {
    refusals_are_sentences_on_the_form(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn refusals_are_sentences_on_the_form_postgres() {
    refusals_are_sentences_on_the_form(Backend::Postgres).await;
}

async fn refusals_are_sentences_on_the_form(backend: Backend) {
    let office = open_office(backend).await;
    let site = office.site.clone();
    let page = open(&office, &format!("/sites/{site}?lang=fr")).await;
    let button = button_of(&page.html);
    assert!(
        button.contains(&format!("href=\"/join/{site}/{SERVICE}\"")),
        "{button}"
    );
    assert!(button.contains("Rejoindre la file à distance"), "{button}");

    // A first join lands on its ticket page.
    let joined = join_form(&office, "fr", "06 12 00 00 21").await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER, "{}", joined.html);
    assert!(
        joined.location.starts_with("/t/") && joined.location.ends_with("/joined"),
        "{}",
        joined.location
    );
    let ticket = open(&office, &joined.location).await;
    assert_eq!(ticket.status, StatusCode::OK);
    assert!(
        ticket.html.contains("Vous êtes dans la file"),
        "{}",
        ticket.html
    );
    assert!(ticket.html.contains(">P001<"), "{}", ticket.html);
    assert!(
        ticket.html.contains("environ 20 minutes"),
        "{}",
        ticket.html
    );
    assert!(ticket.html.contains("class=\"qr\""), "{}", ticket.html);

    // The same phone again, with no cap on the remote share: already in
    // the queue, said in words.
    share(&office, 100).await;
    let again = join_form(&office, "fr", "+212612000021").await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.html);
    assert!(
        again
            .html
            .contains("Ce numéro a déjà un ticket à distance en cours dans cette annexe"),
        "{}",
        again.html
    );
    assert!(!again.html.contains("already_in_queue"), "{}", again.html);
    // The phone typed is kept for another try.
    assert!(
        again.html.contains("value=\"+212612000021\""),
        "{}",
        again.html
    );

    // Another phone: one remote ticket is already half of the one waiting
    // (the default share), so the remote places are full — in Arabic too.
    share(&office, 50).await;
    for (lang, words) in [
        (
            "fr",
            "Les places à distance de ce service sont toutes prises",
        ),
        ("ar", "جميع الأماكن عن بعد لهذه الخدمة محجوزة حاليا"),
    ] {
        let full = join_form(&office, lang, "+212612000022").await;
        assert_eq!(full.status, StatusCode::CONFLICT, "{}", full.html);
        assert!(full.html.contains(words), "{lang}: {}", full.html);
        assert!(!full.html.contains("remote_share_full"), "{}", full.html);
    }

    // A bad phone is told as such, and nothing was taken.
    let bad = join_form(&office, "fr", "12").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.html);
    assert!(bad.html.contains("Numéro invalide"), "{}", bad.html);
    assert_eq!(office.app.count("tickets").await, 1);
}

#[tokio::test]
async fn joining_closed_is_said_on_the_office_page_sqlite() {
    joining_closed_is_said_on_the_office_page(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn joining_closed_is_said_on_the_office_page_postgres() {
    joining_closed_is_said_on_the_office_page(Backend::Postgres).await;
}

async fn joining_closed_is_said_on_the_office_page(backend: Backend) {
    let office = open_office(backend).await;
    let site = office.site.clone();
    let device = kiosk(&office.app, &office.admin, &site).await;
    issue(&office.app, &device, &site, json!({"service": SERVICE})).await;

    // 15:55: the one waiting is served in 10 minutes, past 16:00.
    office.set_time("2026-11-26T15:55:00Z");
    let page = open(&office, &format!("/sites/{site}?lang=fr")).await;
    let button = button_of(&page.html);
    assert!(button.contains("disabled"), "{button}");
    assert!(!button.contains("href="), "{button}");
    assert!(
        button.contains("L'attente dépasse déjà l'heure de fermeture"),
        "{button}"
    );
    let refused = join_form(&office, "ar", "+212612000031").await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.html);
    assert!(
        refused.html.contains("مدة الانتظار تتجاوز وقت الإغلاق"),
        "{}",
        refused.html
    );

    // Sunday: the office is closed.
    office.set_time("2026-11-29T10:00:00Z");
    let page = open(&office, &format!("/sites/{site}?lang=fr")).await;
    let button = button_of(&page.html);
    assert!(button.contains("disabled"), "{button}");
    assert!(
        button.contains("L'annexe est fermée en ce moment"),
        "{button}"
    );
    let form = open(&office, &format!("/join/{site}/{SERVICE}?lang=fr")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("L'annexe est fermée en ce moment"));
    assert!(!form.html.contains("name=\"phone\""), "{}", form.html);
    assert_eq!(office.app.count("tickets").await, 1);
}

#[tokio::test]
async fn the_tracking_page_says_where_a_remote_ticket_stands_sqlite() {
    the_tracking_page_says_where_a_remote_ticket_stands(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn the_tracking_page_says_where_a_remote_ticket_stands_postgres() {
    the_tracking_page_says_where_a_remote_ticket_stands(Backend::Postgres).await;
}

/// `data-state` of the tracking page's remote line, and its text.
fn remote_line(html: &str) -> (String, String) {
    let start = html
        .find("id=\"track-remote\"")
        .unwrap_or_else(|| panic!("no remote line in {html}"));
    let rest = &html[start..];
    let state = crate::support::forms::between(rest, "data-state=\"");
    let state = state.split('"').next().unwrap_or("").to_owned();
    let text = rest[rest.find('>').map_or(0, |at| at + 1)..]
        .split('<')
        .next()
        .unwrap_or("")
        .to_owned();
    (state, text)
}

async fn the_tracking_page_says_where_a_remote_ticket_stands(backend: Backend) {
    let office = open_office(backend).await;
    let site = office.site.clone();
    let joined = office
        .app
        .post(
            &format!("/api/v1/sites/{site}/queue/join"),
            None,
            json!({"service": SERVICE, "phone": "+212612000041"}),
        )
        .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    let id = joined.body["id"].as_str().expect("an id").to_owned();
    let device = kiosk(&office.app, &office.admin, &site).await;
    office.set_time("2026-11-26T09:00:30Z");
    let walk_in = issue(&office.app, &device, &site, json!({"service": SERVICE})).await;
    let track = format!("/t/{id}?lang=fr");

    let page = open(&office, &track).await;
    assert!(
        page.html
            .contains("class=\"track-remote-label\">Ticket à distance<"),
        "{}",
        page.html
    );
    let (state, text) = remote_line(&page.html);
    assert_eq!(state, "on_the_way");
    assert!(
        text.contains("confirmez votre présence à la borne"),
        "{text}"
    );
    // A ticket taken at the kiosk has no such line.
    let kiosk_page = open(&office, &format!("/t/{}", walk_in["id"].as_str().unwrap())).await;
    assert!(!kiosk_page.html.contains("track-remote-label"));
    assert!(
        kiosk_page
            .html
            .contains("id=\"track-remote\" aria-live=\"polite\" hidden>")
    );

    // Its turn comes at 09:01 while its holder is away: the one who came
    // is called, and the sweep (the test's or the server's own) holds it
    // aside until 09:16 (the office's 15 minutes of grace).
    office.set_time("2026-11-26T09:01:00Z");
    let (status, called) = call_next(&office.app, &office.agent, "agdal-g1").await;
    assert_eq!(status, StatusCode::OK, "{called}");
    assert_eq!(called["id"], walk_in["id"], "{called}");
    office.sweep().await;
    assert_eq!(office.ticket(&id).await["held"], true);
    let page = open(&office, &track).await;
    let (state, text) = remote_line(&page.html);
    assert_eq!(state, "held", "{}", page.html);
    assert!(text.contains("avant 09:16"), "{text}");
    let page = open(&office, &format!("/t/{id}?lang=ar")).await;
    let (_, text) = remote_line(&page.html);
    assert!(text.contains("قبل 09:16"), "{text}");
    // The ticket page of a held ticket still shows it (it is waiting).
    let ticket = open(&office, &format!("/t/{id}/joined")).await;
    assert_eq!(ticket.status, StatusCode::OK);

    // Checked in at the kiosk: present.
    let present = office
        .app
        .post(
            &format!("/api/v1/tickets/{id}/present"),
            Some(&device),
            json!({}),
        )
        .await;
    assert_eq!(present.status, StatusCode::OK, "{}", present.body);
    let page = open(&office, &track).await;
    let (state, text) = remote_line(&page.html);
    assert_eq!(state, "present");
    assert!(text.contains("Présence confirmée"), "{text}");

    // A kiosk ticket's id on the joined page goes to its tracking page.
    let walk_in_id = walk_in["id"].as_str().unwrap();
    let other = open(&office, &format!("/t/{walk_in_id}/joined")).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
    assert_eq!(other.location, format!("/t/{walk_in_id}"));
}
