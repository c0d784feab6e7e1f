//! The lobby display in a real browser.

use crate::browser::{Browser, TV};
use crate::helpers::{Backend, spawn_app};

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_lobby_display_names_its_site() {
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.admin().await;
    app.seed_site(&admin, "anfa").await;
    let browser = Browser::open(TV).await;
    browser
        .goto(&format!("{}/display/anfa?lang=ar", app.base))
        .await;
    assert_eq!(browser.text("h1").await, "anfa");
    let dir = browser.eval("return document.documentElement.dir").await;
    assert_eq!(dir, "rtl");
    browser.screenshot("smoke-lobby-ar").await;
    browser.close().await;
}
