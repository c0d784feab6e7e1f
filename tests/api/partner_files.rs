//! A partner's file as citizens follow it: at the kiosk of a site the
//! partner chose and on the portal, within a second of a good push, with
//! the right identifier only (a wrong one, or another site's kiosk, is a
//! plain "not found"); and the "ready" SMS, sent once.

use crate::support::desk::AMINA;
use crate::support::partners::{HOLDER, PARTNER, Push, REFERENCE, file, now_s, partnered};
use guichet::app::retention::sweep;
use guichet_test_support::{Backend, eventually, on_both_backends};
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

on_both_backends!(
    a_good_push_is_seen_at_the_kiosk_and_on_the_portal_within_a_second,
    a_ready_file_sends_one_sms,
    wrong_guesses_are_limited_per_reference,
    the_phone_of_a_delivered_file_is_erased_after_the_retention,
);

async fn a_good_push_is_seen_at_the_kiosk_and_on_the_portal_within_a_second(backend: Backend) {
    let p = partnered(backend).await;
    let site = p.desk.site.clone();
    let before = p.at_kiosk(&p.kiosk, &site, REFERENCE, HOLDER).await;
    assert_eq!(before.status, StatusCode::NOT_FOUND);

    let pushed = p.push(&file(1, "processing")).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.body);
    eventually(
        Duration::from_secs(1),
        "the kiosk shows the file",
        async || {
            // Typed as a citizen would: small letters, spaces and a dash.
            let page = p
                .at_kiosk(&p.kiosk, &site, "pa-2026/00042", "ab 123-456")
                .await;
            page.status == StatusCode::OK && page.html.contains("data-status=\"processing\"")
        },
    )
    .await;
    let page = p.at_kiosk(&p.kiosk, &site, REFERENCE, HOLDER).await;
    assert!(
        page.html.contains("En cours de traitement"),
        "{}",
        page.html
    );
    assert!(page.html.contains("في طور المعالجة"), "both languages");
    assert!(page.html.contains("Passeport biométrique"), "{}", page.html);
    assert!(page.html.contains("2026-12-01"), "{}", page.html);
    assert!(
        !page.html.contains(HOLDER),
        "the identifier is not shown back"
    );

    let not_found = "Aucun dossier ne correspond";
    let wrong = p.at_kiosk(&p.kiosk, &site, REFERENCE, "AB123457").await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert!(wrong.html.contains(not_found), "{}", wrong.html);
    assert!(!wrong.html.contains("file-result"), "nothing of the file");
    let unknown = p.at_kiosk(&p.kiosk, &site, "PA-2026/00043", HOLDER).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        without_csrf(&wrong.html),
        without_csrf(&unknown.html),
        "a wrong identifier reads exactly as an unknown reference"
    );
    // The partner did not choose the other site: its kiosk finds nothing.
    let elsewhere = p
        .at_kiosk(&p.other_kiosk, "rabat-hassan", REFERENCE, HOLDER)
        .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    for (lang, words) in [
        ("fr", "En cours de traitement"),
        ("ar", "في طور المعالجة"),
        ("en", "Being processed"),
    ] {
        let portal = p.on_portal(REFERENCE, HOLDER, lang).await;
        assert_eq!(portal.status, StatusCode::OK, "{}", portal.html);
        assert!(portal.html.contains(words), "{lang}: {}", portal.html);
    }
    let wrong = p.on_portal(REFERENCE, "ZZ999999", "fr").await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert!(wrong.html.contains(not_found), "{}", wrong.html);
    assert!(!wrong.html.contains("file-result"));

    // A newer push is seen at once too.
    let pushed = p.push(&file(2, "ready")).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.body);
    eventually(
        Duration::from_secs(1),
        "the kiosk shows it ready",
        async || {
            let page = p.at_kiosk(&p.kiosk, &site, REFERENCE, HOLDER).await;
            page.html.contains("data-status=\"ready\"")
        },
    )
    .await;

    // The partner now chooses the other site only.
    let path = format!("/api/v1/partners/{PARTNER}");
    let change = json!({"name": "Bureau des passeports", "sites": ["rabat-hassan"]});
    let request = p
        .desk
        .app
        .http
        .put(p.desk.app.url(&path))
        .bearer_auth(&p.desk.admin);
    let changed = p.desk.app.send(request.json(&change)).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["sites"], json!(["rabat-hassan"]));
    let moved = p.at_kiosk(&p.kiosk, &site, REFERENCE, HOLDER).await;
    assert_eq!(moved.status, StatusCode::NOT_FOUND);
    let there = p
        .at_kiosk(&p.other_kiosk, "rabat-hassan", REFERENCE, HOLDER)
        .await;
    assert_eq!(there.status, StatusCode::OK);

    // Once the partner is disabled, its files are found nowhere.
    let path = format!("/api/v1/partners/{PARTNER}/disable");
    let disabled = p.desk.app.post(&path, Some(&p.desk.admin), json!({})).await;
    assert_eq!(disabled.status, StatusCode::NO_CONTENT);
    let gone = p
        .at_kiosk(&p.other_kiosk, "rabat-hassan", REFERENCE, HOLDER)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let gone = p.on_portal(REFERENCE, HOLDER, "fr").await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

async fn a_ready_file_sends_one_sms(backend: Backend) {
    let p = partnered(backend).await;
    let mut body = file(1, "processing");
    body["phone"] = json!(AMINA);
    let pushed = p.push(&body).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.body);
    for (version, status) in [(2, "ready"), (3, "ready"), (4, "delivered"), (5, "ready")] {
        let mut body = file(version, status);
        body["phone"] = json!(AMINA);
        let pushed = p.push(&body).await;
        assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.body);
        // The same version again, signed a second later (the very same
        // request would be a replay).
        let again = Push::signed(&p.secret, now_s() + 1, &body)
            .send(&p.desk.app, PARTNER)
            .await;
        assert_eq!(again.body["changed"], false, "{}", again.body);
    }
    let sms = p.desk.exactly_sms(1).await;
    assert_eq!(sms[0].to, AMINA);
    assert!(sms[0].body.contains(REFERENCE), "{}", sms[0].body);
    assert!(
        sms[0].body.contains("Passeport biométrique"),
        "{}",
        sms[0].body
    );
    assert!(
        sms[0].body.contains("Bureau des passeports"),
        "{}",
        sms[0].body
    );
    let stored = guichet::store::partners::file(&p.desk.app.app.db, PARTNER, REFERENCE)
        .await
        .expect("read")
        .expect("a file");
    assert_eq!(stored.phone.as_deref(), Some(AMINA));
    assert_ne!(stored.holder_hash, HOLDER, "only a keyed hash is kept");
    assert_eq!(stored.holder_hash.len(), 64);
}

async fn wrong_guesses_are_limited_per_reference(backend: Backend) {
    let p = partnered(backend).await;
    let pushed = p.push(&file(1, "received")).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.body);
    for n in 0..10 {
        let guess = format!("AB00000{n}");
        let page = p.on_portal(REFERENCE, &guess, "fr").await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "guess {n}");
    }
    // The eleventh try in the hour is refused, even with the right one.
    let page = p.on_portal(REFERENCE, HOLDER, "fr").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.html);
    assert!(!page.html.contains("file-result"));
}

async fn the_phone_of_a_delivered_file_is_erased_after_the_retention(backend: Backend) {
    let p = partnered(backend).await;
    let mut body = file(1, "delivered");
    body["phone"] = json!(AMINA);
    let pushed = p.push(&body).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.body);
    let phone = async || {
        guichet::store::partners::file(&p.desk.app.app.db, PARTNER, REFERENCE)
            .await
            .expect("read")
            .expect("a file")
            .phone
    };
    // Within the 30 days, nothing is erased.
    p.desk.set_time("2026-12-20T09:00:00Z");
    let swept = sweep(&p.desk.app.app).await.expect("a sweep");
    assert_eq!(swept.partner_files, 0);
    assert_eq!(phone().await.as_deref(), Some(AMINA));
    p.desk.set_time("2026-12-27T09:00:01Z");
    let swept = sweep(&p.desk.app.app).await.expect("a sweep");
    assert_eq!(swept.partner_files, 1);
    assert_eq!(phone().await, None);
    let again = sweep(&p.desk.app.app).await.expect("a sweep");
    assert_eq!(again.partner_files, 0, "erased once");
    // The file itself is still followed.
    let page = p.on_portal(REFERENCE, HOLDER, "fr").await;
    assert_eq!(page.status, StatusCode::OK);
}

/// A page without its CSRF token, which differs from one answer to the next.
fn without_csrf(html: &str) -> String {
    html.split('"')
        .filter(|part| part.len() < 40 || part.contains(' '))
        .collect()
}
