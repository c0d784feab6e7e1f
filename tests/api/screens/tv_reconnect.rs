//! The office's TVs after a cut: the "reconnecting" badge (in French and
//! Arabic) goes as soon as the stream is open again, with no call needed,
//! on the lobby and on a counter display; and a closed counter's display
//! says so, big.

use super::lobby::{live, office, started_again, wait_until};
use crate::support::browser::{Browser, TV};
use guichet_test_support::TestApp;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const BADGE_SHOWN: &str = "!document.getElementById('live-status').hidden";
const BADGE_GONE: &str = "document.getElementById('live-status').hidden";

/// A display device's token for the site `anfa`.
async fn display_token(app: &TestApp) -> String {
    let admin = app.admin().await;
    let device = app
        .post(
            "/api/v1/sites/anfa/devices",
            Some(&admin),
            json!({"kind": "display", "label": "TV guichet 1"}),
        )
        .await;
    assert_eq!(device.status, StatusCode::CREATED, "{}", device.body);
    device.body["token"].as_str().expect("token").to_owned()
}

/// Stops `app`, waits for the screen to say it is reconnecting (in both
/// languages), and starts the service again at the same address: no
/// event happens meanwhile. Returns the new instance (`app` keeps the
/// database for both).
async fn restart(app: &TestApp, tv: &Browser) -> TestApp {
    app.stop();
    wait_until(tv, BADGE_SHOWN, Duration::from_secs(10)).await;
    let badge = tv.text("#live-status").await;
    assert!(
        badge.contains("Reconnexion") && badge.contains("جار إعادة الاتصال"),
        "{badge}"
    );
    started_again(app).await
}

/// The badge goes once the stream is open again, which the screen retries
/// with a backoff of up to 10 s (and jitter): the deadline covers it.
async fn badge_goes(tv: &Browser) {
    wait_until(tv, BADGE_GONE, Duration::from_secs(20)).await;
    assert_eq!(
        tv.eval("return document.body.getAttribute('data-live')")
            .await,
        "live"
    );
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_lobby_is_live_again_as_soon_as_its_stream_reopens() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    office(&app).await;
    let tv = Browser::open(TV).await;
    tv.goto(&format!("{}/display/anfa?lang=ar", app.base)).await;
    live(&tv).await;
    let back = restart(&app, &tv).await;
    badge_goes(&tv).await;
    // Nothing was called: the screen still says so.
    assert!(tv.text("#now-empty").await.contains("لا توجد مناداة"));
    drop(back);
    tv.close().await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_counter_display_is_live_again_as_soon_as_its_stream_reopens() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    office(&app).await;
    let token = display_token(&app).await;
    let tv = Browser::open(TV).await;
    let page = format!("{}/counter-display/anfa-g1", app.base);
    tv.goto(&format!("{page}?device={token}")).await;
    live(&tv).await;
    let back = restart(&app, &tv).await;
    badge_goes(&tv).await;
    assert!(
        tv.text("#now-empty")
            .await
            .contains("En attente du prochain appel")
    );
    drop(back);
    tv.close().await;
}

/// The font size of `css`, in px.
async fn font_px(tv: &Browser, css: &str) -> f64 {
    let script =
        format!("return parseFloat(getComputedStyle(document.querySelector({css:?})).fontSize)");
    tv.eval(&script).await.as_f64().unwrap_or(0.0)
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn a_closed_counter_says_so_big_on_its_display() {
    let _turn = crate::support::browser::turn().await;
    let app = TestApp::builder().spawn().await;
    let (agents, _) = office(&app).await;
    let token = display_token(&app).await;
    let tv = Browser::open(TV).await;
    let page = format!("{}/counter-display/anfa-g1", app.base);
    tv.goto(&format!("{page}?device={token}")).await;
    live(&tv).await;
    assert_eq!(
        tv.eval("return document.getElementById('state').hidden")
            .await,
        true
    );

    let closed = app
        .post(
            "/api/v1/counters/anfa-g1/close",
            Some(&agents[0]),
            json!({}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    let closed_big = "!document.getElementById('state').hidden && \
        document.getElementById('now-empty').hidden";
    wait_until(&tv, closed_big, Duration::from_secs(2)).await;
    for lang in ["fr", "ar"] {
        if lang == "ar" {
            // Served closed, the page says so from the start.
            tv.goto(&format!("{page}?lang=ar")).await;
            wait_until(&tv, closed_big, Duration::from_secs(1)).await;
        }
        let state = tv.text("#state").await;
        assert!(
            state.contains("Guichet fermé") && state.contains("الشباك مغلق"),
            "{state}"
        );
        // Big: the main words of the screen, not a footer.
        assert!(font_px(&tv, "#state .l1").await >= 120.0);
        assert!(font_px(&tv, "#state .l2").await >= 80.0);
        tv.screenshot(&format!("counter-display-closed-{lang}"))
            .await;
    }

    // Open again, the display waits for the next call.
    let opened = app
        .post("/api/v1/counters/anfa-g1/open", Some(&agents[0]), json!({}))
        .await;
    assert_eq!(opened.status, StatusCode::OK, "{}", opened.body);
    wait_until(
        &tv,
        "document.getElementById('state').hidden && !document.getElementById('now-empty').hidden",
        Duration::from_secs(2),
    )
    .await;
    assert!(
        tv.text("#now-empty")
            .await
            .contains("في انتظار المناداة التالية")
    );
    tv.close().await;
}
