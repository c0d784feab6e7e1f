//! Capsules on the lobby in a real browser: an image capsule plays in the
//! information panel while calls come in, and the latest call stays whole,
//! uncovered and on top (element boxes compared); a capsule that cannot be
//! decoded, or whose file is gone from disk, is skipped and the screen keeps
//! showing calls. Screenshots in French and Arabic.

use super::lobby::{called, live, office, wait_until};
use crate::capsules::{PNG, fake_mp4, upload};
use crate::support::browser::{Browser, TV};
use crate::support::tickets::issue;
use guichet::store::media::MediaStore;
use guichet_test_support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

/// The boxes of the call and of the capsule, and whether the call's number
/// is what the screen shows on top at its centre.
const BOXES: &str = "
  const box = id => { const r = document.querySelector(id).getBoundingClientRect();
    return {l: r.left, t: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height}; };
  const media = document.querySelector('#news-media .capsule');
  const m = media ? box('#news-media .capsule') : null;
  const now = box('#now'), news = box('#news'), num = box('#now-number');
  const top = document.elementFromPoint((num.l + num.r) / 2, (num.t + num.b) / 2);
  const apart = (a, b) => a.r <= b.l || b.r <= a.l || a.b <= b.t || b.b <= a.t;
  return {
    shown: !!media && !document.getElementById('news-media').hidden && m.w > 0 && m.h > 0,
    loaded: !!media && media.complete && media.naturalWidth > 0,
    apart: !!m && apart(m, now),
    inside: !!m && m.l >= news.l - 1 && m.r <= news.r + 1 && m.t >= news.t - 1 && m.b <= news.b + 1,
    on_top: !!top && document.getElementById('now-call').contains(top),
    number_whole: num.w > 0 && num.r <= innerWidth && num.b <= innerHeight,
  };";

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_capsule_plays_beside_calls_without_covering_them() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (agents, kiosk) = office(&app).await;
    let admin = app.admin().await;
    // Capsules alone in the panel, so they come first.
    let none = json!({"announcements": []});
    let answer = app
        .call(
            Method::PUT,
            "/api/v1/sites/anfa/announcements",
            Some(&admin),
            Some(none),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    // First a "video" no browser can decode, then the test card.
    let broken = upload(
        &app,
        Some(&admin),
        "anfa",
        "title=Cass%C3%A9e",
        "video/mp4",
        fake_mp4(4096),
    )
    .await;
    assert_eq!(broken.status, StatusCode::CREATED, "{}", broken.body);
    let card = upload(
        &app,
        Some(&admin),
        "anfa",
        "title=Quartier%20Anfa",
        "image/png",
        PNG.to_vec(),
    )
    .await;
    assert_eq!(card.status, StatusCode::CREATED, "{}", card.body);
    for _ in 0..3 {
        issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    }

    for (i, lang) in ["fr", "ar"].into_iter().enumerate() {
        let tv = Browser::open(TV).await;
        tv.goto(&format!("{}/display/anfa?lang={lang}", app.base))
            .await;
        live(&tv).await;
        // The broken one is skipped; the card shows.
        wait_until(
            &tv,
            "(() => { const m = document.querySelector('#news-media img.capsule'); \
              return m && m.complete && m.naturalWidth > 0; })()",
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(
            tv.eval("return document.querySelectorAll('#news-media video').length")
                .await,
            0
        );
        let counter = format!("anfa-g{}", i + 1);
        let ticket = called(&app, &agents[i], &counter).await;
        let number = ticket["number"].as_str().unwrap().to_owned();
        tv.wait_for_text("#now-number", &number, Duration::from_secs(1))
            .await;
        let boxes = tv.eval(BOXES).await;
        for key in [
            "shown",
            "loaded",
            "apart",
            "inside",
            "on_top",
            "number_whole",
        ] {
            assert_eq!(boxes[key], true, "{lang}: {key} in {boxes}");
        }
        // Still so once the call's flash is over.
        wait_until(
            &tv,
            "!document.getElementById('now').classList.contains('flash')",
            Duration::from_secs(8),
        )
        .await;
        let boxes = tv.eval(BOXES).await;
        assert_eq!(boxes["apart"], true, "{boxes}");
        assert_eq!(boxes["on_top"], true, "{boxes}");
        tv.screenshot(&format!("lobby-capsule-{lang}-tv")).await;
        tv.close().await;
    }
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_capsule_gone_from_disk_leaves_the_lobby_showing_calls() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (agents, kiosk) = office(&app).await;
    let admin = app.admin().await;
    let none = json!({"announcements": []});
    let answer = app
        .call(
            Method::PUT,
            "/api/v1/sites/anfa/announcements",
            Some(&admin),
            Some(none),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let card = upload(&app, Some(&admin), "anfa", "", "image/png", PNG.to_vec()).await;
    assert_eq!(card.status, StatusCode::CREATED, "{}", card.body);
    let MediaStore::Dir(dir) = &app.app.media.store else {
        panic!("SQLite keeps media on disk");
    };
    for entry in std::fs::read_dir(dir).expect("the media directory") {
        std::fs::remove_file(entry.expect("an entry").path()).expect("removed");
    }
    let url = card.body["url"].as_str().unwrap();
    assert_eq!(app.get(url, None).await.status, StatusCode::NOT_FOUND);
    issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;

    let tv = Browser::open(TV).await;
    tv.goto(&format!("{}/display/anfa?lang=fr", app.base)).await;
    live(&tv).await;
    // Served with the panel for its capsule; the capsule fails to load and
    // is skipped, leaving nothing to show: the panel goes.
    wait_until(
        &tv,
        "document.getElementById('news').hidden && !document.querySelector('#news-media .capsule')",
        Duration::from_secs(5),
    )
    .await;
    let ticket = called(&app, &agents[0], "anfa-g1").await;
    let number = ticket["number"].as_str().unwrap().to_owned();
    tv.wait_for_text("#now-number", &number, Duration::from_secs(1))
        .await;
    tv.screenshot("lobby-capsule-missing-fr-tv").await;
    tv.close().await;
}
