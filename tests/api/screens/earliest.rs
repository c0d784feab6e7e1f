//! The portal's home search "the earliest slot available", in a real
//! browser on a phone: a kind and a city chosen, the offices listed nearest
//! first with their first slots in their own local time, and one tap on a
//! slot opening that office's booking page with the slot chosen. Booked in
//! French, the slot is then gone from the Arabic search. Screenshots:
//! `earliest-{home,booking}-{fr,ar}-phone`.

use crate::support::browser::{Browser, PHONE};
use crate::support::earliest::{KIND, offices};
use guichet_test_support::Backend;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(5);

async fn search(browser: &Browser, base: &str, lang: &str, city: &str) {
    browser.goto(&format!("{base}/?lang={lang}")).await;
    browser
        .click(&format!("#earliest-kind option[value='{KIND}']"))
        .await;
    browser.fill("#earliest-city", city).await;
    browser.click("#earliest-search").await;
}

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_home_search_leads_to_the_booking_with_the_slot_chosen() {
    let _turn = crate::support::browser::turn().await;
    let offices = offices(Backend::Sqlite).await;
    let base = offices.app.base.clone();
    let browser = Browser::open(PHONE).await;

    search(&browser, &base, "fr", "casablanca").await;
    browser
        .wait_for_text("#earliest-offices", "Annexe Anfa", WAIT)
        .await;
    let listed = browser
        .eval(
            "return [[...document.querySelectorAll('#earliest-offices > li')].map(l => l.id),
                document.querySelector('#earliest-casa-anfa .distance').textContent,
                document.querySelector('#earliest-casa-anfa a.earliest-time').dataset.start,
                document.querySelector('#earliest-paris-consulat a.earliest-time').dataset.start]",
        )
        .await;
    assert_eq!(
        listed,
        json!([
            [
                "earliest-casa-anfa",
                "earliest-sale-tabriquet",
                "earliest-paris-consulat"
            ],
            "0 km",
            "2026-11-23T10:30:00+00:00",
            "2026-11-23T11:15:00+01:00"
        ])
    );
    let first = browser.text("#earliest-casa-anfa a.earliest-time").await;
    assert!(
        first.contains("23 novembre") && first.contains("10:30"),
        "{first}"
    );
    browser.screenshot("earliest-home-fr-phone").await;

    browser.click("#earliest-casa-anfa a.earliest-time").await;
    browser.wait_for_text("#chosen", "10:30", WAIT).await;
    let url = browser.client.current_url().await.expect("url");
    assert_eq!(url.path(), "/book/casa-anfa/residence");
    browser.screenshot("earliest-booking-fr-phone").await;
    browser.fill("#name", "Yassine Idrissi").await;
    browser.fill("#phone", "06 12 34 56 78").await;
    browser.click("button[value='book']").await;
    browser
        .wait_for_text("h1", "Rendez-vous confirmé", WAIT)
        .await;

    // In Arabic, typed without its accent: Salé first, and Casablanca's
    // booked slot no longer offered.
    search(&browser, &base, "ar", "SALE").await;
    browser
        .wait_for_text("#earliest-offices", "ملحقة تابريكت", WAIT)
        .await;
    let listed = browser
        .eval(
            "return [document.documentElement.dir,
                document.querySelector('#earliest-offices > li').id,
                document.querySelector('#earliest-casa-anfa a.earliest-time').dataset.start]",
        )
        .await;
    assert_eq!(
        listed,
        json!([
            "rtl",
            "earliest-sale-tabriquet",
            "2026-11-23T11:00:00+00:00"
        ])
    );
    browser.screenshot("earliest-home-ar-phone").await;
    browser.click("#earliest-casa-anfa a.earliest-time").await;
    browser.wait_for_text("#chosen", "11:00", WAIT).await;
    browser.screenshot("earliest-booking-ar-phone").await;

    // A city with no office says so, in the page's language.
    search(&browser, &base, "ar", "Tombouctou").await;
    browser
        .wait_for_text("#earliest-error", "لا توجد ملحقة مسجلة في هذه المدينة", WAIT)
        .await;
    browser.close().await;
}
