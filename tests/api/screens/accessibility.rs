//! axe-core (the npm package, which `tests/services.sh` installs beside
//! the build; `GUICHET_AXE_JS` names its `axe.min.js`) run in the real
//! browser on the citizen pages (portal home, booking, confirmation,
//! ticket tracking, public statistics), the kiosk (its home and a ticket)
//! and the lobby screen, in French and in Arabic. A serious or critical
//! violation fails the test, with the rule, the elements and what axe says
//! to do; an image without text planted at the end shows axe did look.
//!
//! The script is given to the page through WebDriver, as the browser's
//! own script, so the strict Content-Security-Policy stays as it is.

use crate::support::browser::{Browser, KIOSK, PHONE, TV};
use crate::support::office::{office, phone, text};
use crate::support::tickets::{issue, kiosk};
use guichet_test_support::Backend;
use reqwest::StatusCode;
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

/// `axe.min.js`: `GUICHET_AXE_JS`, else where `tests/services.sh` puts it.
fn axe_source() -> String {
    let path = std::env::var_os("GUICHET_AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
            target.join("test-tools/axe/node_modules/axe-core/axe.min.js")
        });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (tests/services.sh installs axe-core)",
            path.display()
        )
    })
}

/// Runs axe on the page shown; its serious and critical violations.
async fn violations(browser: &Browser, axe: &str) -> Vec<String> {
    let loaded = browser
        .eval(&format!("{axe}\n;return typeof window.axe;"))
        .await;
    assert_eq!(loaded, "object", "axe-core loaded");
    let run = r#"
        const done = arguments[arguments.length - 1];
        window.axe.run(document, { resultTypes: ["violations"] }).then((result) => {
            done(result.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => `${v.impact} ${v.id}: ${v.help} — ` +
                    v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")));
        }, (error) => done([`axe failed: ${error}`]));
    "#;
    let found = browser
        .client
        .execute_async(run, vec![])
        .await
        .unwrap_or_else(|e| panic!("axe run: {e}"));
    serde_json::from_value(found).expect("a list of violations")
}

#[tokio::test]
#[ignore = "needs Chromium and axe-core"]
async fn citizen_kiosk_and_lobby_pages_have_no_serious_accessibility_violation() {
    let _turn = crate::support::browser::turn().await;
    let axe = axe_source();
    // Monday 09:00 in Casablanca: the office is open.
    let office = office(
        Backend::Sqlite,
        "2026-11-23T09:00:00Z",
        "Africa/Casablanca",
        2,
        false,
    )
    .await;
    let (base, site) = (&office.app.base, &office.site);
    let booked = office.book("2026-11-24T09:00:00+00:00", &phone(1)).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let (reference, token) = (text(&booked, "reference"), text(&booked, "manage_token"));
    let device = kiosk(&office.app, &office.admin, site).await;
    let ticket = issue(&office.app, &device, site, json!({"service": "passport"})).await;
    let ticket = ticket["id"].as_str().expect("a ticket id");

    let mut found = Vec::new();
    let citizen = Browser::open(PHONE).await;
    for lang in ["fr", "ar"] {
        let pages = [
            ("portal home", format!("/?lang={lang}")),
            ("booking", format!("/book/{site}/passport?lang={lang}")),
            (
                "confirmation",
                format!("/appointments/{reference}/confirmation?token={token}&lang={lang}"),
            ),
            ("tracking", format!("/t/{ticket}?lang={lang}")),
            ("public statistics", format!("/stats/{site}?lang={lang}")),
        ];
        for (name, path) in pages {
            citizen.goto(&format!("{base}{path}")).await;
            if name == "booking" {
                // The day's times too, which the page adds when a day is picked.
                citizen.click("a.day[data-date='2026-11-24']").await;
                citizen
                    .wait_for_text("#times", "09:00", Duration::from_secs(5))
                    .await;
            }
            for v in violations(&citizen, &axe).await {
                found.push(format!("{name} ({lang}): {v}"));
            }
        }
    }
    citizen.close().await;

    let kiosk_screen = Browser::open(KIOSK).await;
    kiosk_screen
        .goto(&format!("{base}/kiosk/{site}?device={device}"))
        .await;
    for lang in ["fr", "ar"] {
        kiosk_screen
            .goto(&format!("{base}/kiosk/{site}?lang={lang}"))
            .await;
        for v in violations(&kiosk_screen, &axe).await {
            found.push(format!("kiosk ({lang}): {v}"));
        }
        // The ticket it prints, on its screen.
        kiosk_screen
            .goto(&format!("{base}/kiosk/{site}/tickets/{ticket}?lang={lang}"))
            .await;
        for v in violations(&kiosk_screen, &axe).await {
            found.push(format!("kiosk ticket ({lang}): {v}"));
        }
    }
    kiosk_screen.close().await;

    let lobby = Browser::open(TV).await;
    for lang in ["fr", "ar"] {
        lobby
            .goto(&format!("{base}/display/{site}?lang={lang}"))
            .await;
        for v in violations(&lobby, &axe).await {
            found.push(format!("lobby ({lang}): {v}"));
        }
    }
    // axe does see a violation where there is one: an image without text.
    lobby
        .eval("const i = document.createElement('img'); i.src = '/x.png'; document.body.appendChild(i); return true")
        .await;
    let planted = violations(&lobby, &axe).await;
    assert!(
        planted.iter().any(|v| v.contains("image-alt")),
        "{planted:?}"
    );
    lobby.close().await;

    assert!(found.is_empty(), "accessibility:\n{}", found.join("\n"));
}
