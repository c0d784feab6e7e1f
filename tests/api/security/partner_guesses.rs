//! Guessing the holder's identifier of a known partner file: 60 wrong
//! identifiers for one reference released at the same instant on the
//! portal get exactly as many comparisons as the limit allows, and the
//! right one that comes next is refused too; a burst of forged pushes
//! changes nothing.

use super::burst::{Shot, release, tally};
use super::limits::{BURST, count};
use crate::support::partners::{HOLDER, PARTNER, REFERENCE, file, now_s, partnered};
use guichet::app::rate_limit::FILE_FOLLOW_PER_REFERENCE;
use guichet::notify::signature::webhook_signature;
use guichet_test_support::{Backend, on_both_backends};

on_both_backends!(identifier_guesses, forged_pushes);

const CSRF: &str = "burst-csrf-token-0123456789abcdefghijklmnop";

fn follow(base: &str, holder: &str) -> Shot {
    let body = format!("csrf={CSRF}&reference={REFERENCE}&holder_id={holder}");
    Shot::form(base, "/files", body).header("Cookie", &format!("guichet_csrf={CSRF}"))
}

async fn identifier_guesses(backend: Backend) {
    let p = partnered(backend).await;
    let pushed = p.push(&file(1, "processing")).await;
    assert_eq!(pushed.status, 200, "{}", pushed.body);
    let base = &p.desk.app.base;
    let shots: Vec<Shot> = (0..BURST)
        .map(|n| follow(base, &format!("ZZ{n:06}")))
        .collect();
    let replies = release(&shots).await;
    // A page, not JSON: a plain "not found" or "too many attempts".
    assert_eq!(
        count(&replies, 404) + count(&replies, 429),
        BURST,
        "{:?}",
        tally(&replies)
    );
    assert_eq!(
        count(&replies, 404),
        FILE_FOLLOW_PER_REFERENCE.max as usize,
        "{:?}",
        tally(&replies)
    );
    let right = release(&[follow(base, HOLDER)]).await;
    assert_eq!(right[0].status, 429, "the right one after the limit");
}

async fn forged_pushes(backend: Backend) {
    let p = partnered(backend).await;
    let base = &p.desk.app.base;
    let path = format!("/api/v1/partners/{PARTNER}/files");
    let shots: Vec<Shot> = (0..BURST as i64)
        .map(|n| {
            let body = file(n + 1, "ready");
            let bytes = serde_json::to_vec(&body).unwrap();
            let signature = webhook_signature(&format!("gps_guess{n}"), now_s(), &bytes);
            Shot::json(base, &path, &body)
                .header("X-Guichet-Timestamp", &now_s().to_string())
                .header("X-Guichet-Signature", &signature)
        })
        .collect();
    let replies = release(&shots).await;
    assert_eq!(count(&replies, 401), BURST, "{:?}", tally(&replies));
    assert_eq!(p.desk.app.count("partner_files").await, 0);
    assert_eq!(p.stored().await, None);
}
