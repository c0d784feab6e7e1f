//! The statistics CSV opened in a spreadsheet (finding 8 of issue 17): a
//! name that reads as a formula comes out as text, numbers stay numbers.

use crate::support::sites::open_site;
use crate::support::tickets::{issue, kiosk};
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(a_formula_in_a_name_is_written_as_text);

const FORMULA: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";

async fn a_formula_in_a_name_is_written_as_text(backend: Backend) {
    let (app, _time) = TestApp::builder()
        .backend(backend)
        .spawn_at("2026-11-23T09:00:00Z")
        .await;
    let admin = app.admin().await;
    open_site(&app, &admin, "anfa", "Africa/Casablanca", 1).await;
    for (service, name) in [("residence", FORMULA), ("signature", "-1+1")] {
        let renamed = app
            .patch(
                &format!("/api/v1/sites/anfa/services/{service}"),
                Some(&admin),
                json!({"name": name}),
            )
            .await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    }
    let kiosk = kiosk(&app, &admin, "anfa").await;
    for _ in 0..2 {
        issue(&app, &kiosk, "anfa", json!({"service": "residence"})).await;
    }

    let path = "/api/v1/sites/anfa/stats?from=2026-11-23&to=2026-11-23&format=csv";
    let response = app
        .http
        .get(format!("{}{path}", app.base))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("CSV answered");
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("CSV body");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.expect("a record").iter().map(str::to_owned).collect())
        .collect();
    let row = |key: &str| {
        rows.iter()
            .find(|r| r[0] == "service" && r[1] == key)
            .unwrap_or_else(|| panic!("no {key} row in {text}"))
    };
    // Columns: section, key, name, issued, …
    assert_eq!(row("residence")[2], format!("'{FORMULA}"));
    assert_eq!(row("residence")[3], "2", "numbers are unchanged");
    assert_eq!(row("signature")[2], "'-1+1");
    assert_eq!(row("signature")[3], "0");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r'])
                    && (!cell.starts_with('-') || cell.parse::<f64>().is_ok()),
                "{cell:?} in {text}"
            );
        }
    }
}
