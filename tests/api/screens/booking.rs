//! Choosing a time on a phone, in French and Arabic, at an office open
//! around the clock with a slot every quarter hour (96 a day): the times
//! fold by part of the day and the page stays short; a chosen time becomes
//! a summary with "change" right above the details; the phone's example
//! reads left to right in Arabic; the confirmation says what to bring,
//! where, and which reference to type at the kiosk. Screenshots:
//! `booking-{times,details,confirmation}-{fr,ar}-phone`.

use crate::support::browser::{Browser, PHONE};
use guichet::domain::role::Role;
use guichet_test_support::TestApp;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

/// Monday 23 November 2026, 08:00 UTC (the clock is the test's).
const NOW: &str = "2026-11-23T08:00:00Z";
const DAY: &str = "2026-11-24";
/// The page may be this tall with a day of 96 free times (it was 3,760 px).
const TALLEST: f64 = 1_900.0;

/// An office open around the clock every day, one service booked by the
/// quarter hour, with its documents and the office's address.
async fn office(app: &TestApp) {
    let admin = app.admin().await;
    let hours = guichet_test_support::around_the_clock();
    let site = json!({"id": "maarif", "name": "Annexe Maârif", "name_ar": "ملحقة المعاريف",
        "timezone": "UTC", "opening_hours": hours, "verify_phone": false,
        "address": "5 rue Ibnou Mounir, Casablanca", "address_ar": "5 زنقة ابن منير، الدار البيضاء"});
    let created = app.post("/api/v1/sites", Some(&admin), site).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let service = json!({"id": "cin", "prefix": "C", "name": "Carte nationale", "name_ar": "البطاقة الوطنية",
        "walk_in": false, "appointment_modes": ["in_person"], "slot_minutes": 15,
        "slot_capacity": 1, "service_minutes": 10, "min_notice_minutes": 0, "horizon_days": 30,
        "required_documents": [{"name": "Extrait d'acte de naissance", "name_ar": "موجز عقد الازدياد"}]});
    let created = app
        .post("/api/v1/sites/maarif/services", Some(&admin), service)
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    app.add_staff("maarif-agent", Role::Agent, "maarif").await;
}

/// Where the first and the last digit pair of the phone's example are
/// drawn: "06" must be left of "78" in every language.
const EXAMPLE_ORDER: &str = "
    const node = document.querySelector('#phone-hint .phone-example');
    const text = node.firstChild;
    const at = (from) => { const r = document.createRange();
        r.setStart(text, from); r.setEnd(text, from + 2); return r.getBoundingClientRect().left; };
    return [node.getAttribute('dir'), text.data, at(0), at(text.data.length - 2)];";

#[tokio::test]
#[ignore = "needs Chromium"]
async fn the_times_fold_and_the_chosen_time_sits_above_the_details() {
    let _turn = crate::support::browser::turn().await;
    let (app, _) = TestApp::builder().spawn_at(NOW).await;
    office(&app).await;
    let browser = Browser::open(PHONE).await;
    for lang in ["fr", "ar"] {
        browser
            .goto(&format!(
                "{}/book/maarif/cin?day={DAY}&lang={lang}",
                app.base
            ))
            .await;
        let shape = browser
            .eval(
                "return [document.documentElement.scrollHeight,
                    document.querySelectorAll('a.time').length,
                    [...document.querySelectorAll('details.part')].map(d => d.dataset.part + ':' + d.open)]",
            )
            .await;
        let height = shape[0].as_f64().unwrap_or(f64::NAN);
        assert!(height <= TALLEST, "{lang}: {shape}");
        assert_eq!(shape[1], 96, "{lang}: every time is there");
        assert_eq!(
            shape[2],
            json!([
                "night:true",
                "morning:false",
                "afternoon:false",
                "evening:false"
            ]),
            "{lang}"
        );
        let text = browser.text("main").await;
        assert!(!text.contains("(s)"), "{lang}: {text}");
        browser
            .screenshot(&format!("booking-times-{lang}-phone"))
            .await;

        browser.click("details[data-part=morning] summary").await;
        browser
            .click(&format!("a.time[data-start^='{DAY}T09:30']"))
            .await;
        browser
            .wait_for_text("#chosen", "09:30", Duration::from_secs(5))
            .await;
        // The summary and the first field are on the screen together.
        let together = browser
            .eval(
                "document.getElementById('name').scrollIntoView({block: 'center'});
                 const c = document.getElementById('chosen').getBoundingClientRect();
                 const n = document.getElementById('name').getBoundingClientRect();
                 return [c.top >= 0, n.bottom <= innerHeight, c.bottom <= n.top,
                         document.querySelectorAll('a.time').length]",
            )
            .await;
        assert_eq!(together, json!([true, true, true, 0]), "{lang}");
        let order = browser.eval(EXAMPLE_ORDER).await;
        assert_eq!(order[0], "ltr", "{lang}: {order}");
        assert_eq!(order[1], "06 12 34 56 78", "{lang}: {order}");
        let (first, last) = (order[2].as_f64(), order[3].as_f64());
        assert!(first < last, "{lang}: the example reads 06 … 78: {order}");
        browser
            .screenshot(&format!("booking-details-{lang}-phone"))
            .await;
        // "Change" brings the times back.
        browser.click("#change-time").await;
        browser
            .wait_for_text(
                "details[data-part=night] summary",
                "00:00",
                Duration::from_secs(5),
            )
            .await;
    }

    browser
        .goto(&format!("{}/book/maarif/cin?day={DAY}&lang=fr", app.base))
        .await;
    browser.click("details[data-part=afternoon] summary").await;
    browser
        .click(&format!("a.time[data-start^='{DAY}T14:15']"))
        .await;
    browser.fill("#name", "Yassine Idrissi").await;
    browser.fill("#phone", "06 12 34 56 78").await;
    browser.click("button[value='book']").await;
    browser
        .wait_for_text("h1", "Rendez-vous confirmé", Duration::from_secs(5))
        .await;
    let reference = browser.text(".facts .reference").await;
    let documents = browser.text("#bring-documents").await;
    assert!(
        documents.contains("Extrait d'acte de naissance"),
        "{documents}"
    );
    let address = browser.text("#bring-address").await;
    assert!(
        address.contains("5 rue Ibnou Mounir, Casablanca"),
        "{address}"
    );
    assert!(browser.text("#bring-opening").await.contains("00:00–24:00"));
    let kiosk = browser.text("#bring-kiosk").await;
    assert!(
        kiosk.contains("borne") && kiosk.contains(&reference),
        "{kiosk}"
    );
    let text = browser.text("main").await;
    assert!(!text.contains("(s)") && !text.contains("1 jours"), "{text}");
    browser.screenshot("booking-confirmation-fr-phone").await;

    let url = browser.client.current_url().await.expect("url").to_string();
    browser.goto(&format!("{url}&lang=ar")).await;
    let documents = browser.text("#bring-documents").await;
    assert!(documents.contains("موجز عقد الازدياد"), "{documents}");
    assert!(
        browser
            .text("#bring-address")
            .await
            .contains("زنقة ابن منير")
    );
    let isolated = browser
        .eval(
            "return [document.querySelector('#bring-opening bdi').getAttribute('dir'),
                     document.querySelector('#bring-kiosk .reference').getAttribute('dir')]",
        )
        .await;
    assert_eq!(isolated, json!(["ltr", "ltr"]));
    browser.screenshot("booking-confirmation-ar-phone").await;
    browser.close().await;
}
