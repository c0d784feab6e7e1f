//! The earliest slot anywhere (`GET /api/v1/slots/earliest`): three
//! offices in two timezones offering one kind, each listed with its first
//! free slots from now in its own local time, earliest or nearest first;
//! a full slot is skipped; bad input is a 422 that changes nothing.

use crate::support::earliest::{KIND, offices};
use guichet_test_support::{Answer, Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn search(app: &TestApp, query: &str) -> Answer {
    app.get(&format!("/api/v1/slots/earliest?{query}"), None)
        .await
}

async fn listed(app: &TestApp, query: &str) -> Value {
    let answer = search(app, query).await;
    assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.body);
    answer.body
}

/// `(site, distance, [starts])` of each office listed.
fn offices_of(body: &Value) -> Vec<(String, Option<f64>, Vec<String>)> {
    body["offices"]
        .as_array()
        .expect("offices")
        .iter()
        .map(|o| {
            let starts = o["slots"].as_array().expect("slots");
            (
                o["site"].as_str().expect("site").to_owned(),
                o["distance_km"].as_f64(),
                starts
                    .iter()
                    .map(|s| s["start"].as_str().expect("start").to_owned())
                    .collect(),
            )
        })
        .collect()
}

fn sites(body: &Value) -> Vec<String> {
    offices_of(body).into_iter().map(|(s, _, _)| s).collect()
}

async fn earliest_first_in_each_office_s_local_time(backend: Backend) {
    let offices = offices(backend).await;
    let app = &offices.app;
    let body = listed(app, &format!("service={KIND}")).await;
    assert_eq!(body["order"], "earliest");
    assert_eq!(body["mode"], "in_person");
    let found = offices_of(&body);
    assert_eq!(
        found,
        [
            (
                "paris-consulat".to_owned(),
                None,
                vec![
                    "2026-11-23T11:15:00+01:00".to_owned(),
                    "2026-11-23T11:30:00+01:00".to_owned(),
                    "2026-11-23T11:45:00+01:00".to_owned()
                ]
            ),
            (
                "casa-anfa".to_owned(),
                None,
                vec![
                    "2026-11-23T10:30:00+00:00".to_owned(),
                    "2026-11-23T11:00:00+00:00".to_owned(),
                    "2026-11-23T11:30:00+00:00".to_owned()
                ]
            ),
            (
                "sale-tabriquet".to_owned(),
                None,
                vec![
                    "2026-11-23T13:00:00+00:00".to_owned(),
                    "2026-11-23T14:00:00+00:00".to_owned(),
                    "2026-11-23T15:00:00+00:00".to_owned()
                ]
            ),
        ]
    );
    let paris = &body["offices"][0];
    assert_eq!(paris["timezone"], "Europe/Paris");
    assert_eq!(paris["service"], "residence");
    assert_eq!(paris["city"], "Paris");
    assert_eq!(paris["slots"][0]["end"], "2026-11-23T11:30:00+01:00");
    assert_eq!(paris["slots"][0]["available"], 1);
    assert_eq!(body["offices"][1]["timezone"], "Africa/Casablanca");

    // Video: only the consulate offers it.
    let video = listed(app, &format!("service={KIND}&mode=video")).await;
    assert_eq!(sites(&video), ["paris-consulat"]);
    // An unknown kind: nobody offers it.
    let none = listed(app, "service=permis-de-chasse").await;
    assert_eq!(none["offices"], json!([]));
    // Another kind lists its own services only.
    let copies = listed(app, "service=copie-conforme&limit=2").await;
    assert_eq!(copies["offices"].as_array().expect("offices").len(), 2);
    assert!(
        copies["offices"]
            .as_array()
            .expect("offices")
            .iter()
            .all(|o| o["service"] == "copies")
    );
}

async fn nearest_first_from_a_city_or_a_position(backend: Backend) {
    let offices = offices(backend).await;
    let app = &offices.app;
    // A city, whatever its case and accents: from Casablanca.
    for near in ["Casablanca", "CASABLANCA", "casablanca%20"] {
        let body = listed(app, &format!("service={KIND}&near={near}")).await;
        assert_eq!(body["order"], "nearest", "{near}");
        let found = offices_of(&body);
        let order: Vec<&str> = found.iter().map(|(s, _, _)| s.as_str()).collect();
        assert_eq!(order, ["casa-anfa", "sale-tabriquet", "paris-consulat"]);
        assert_eq!(found[0].1, Some(0.0));
        let sale = found[1].1.expect("a distance");
        assert!((85.0..100.0).contains(&sale), "{sale}");
        let paris = found[2].1.expect("a distance");
        assert!((1800.0..2000.0).contains(&paris), "{paris}");
    }
    // From Salé, typed without its accent.
    let body = listed(app, &format!("service={KIND}&near=SALE")).await;
    assert_eq!(
        sites(&body),
        ["sale-tabriquet", "casa-anfa", "paris-consulat"]
    );
    // From a position near Paris.
    let body = listed(app, &format!("service={KIND}&near=48.85,2.35")).await;
    assert_eq!(
        sites(&body),
        ["paris-consulat", "sale-tabriquet", "casa-anfa"]
    );
    // Earliest first from there, with the distances still said.
    let body = listed(
        app,
        &format!("service={KIND}&near=48.85,2.35&order=earliest"),
    )
    .await;
    assert_eq!(body["order"], "earliest");
    assert_eq!(
        sites(&body),
        ["paris-consulat", "casa-anfa", "sale-tabriquet"]
    );
    assert!(body["offices"][2]["distance_km"].as_f64().is_some());
    // A bound on the offices listed.
    let body = listed(app, &format!("service={KIND}&near=Casablanca&limit=1")).await;
    assert_eq!(sites(&body), ["casa-anfa"]);
}

async fn full_slots_are_skipped(backend: Backend) {
    let offices = offices(backend).await;
    let app = &offices.app;
    let booked = app
        .post(
            "/api/v1/sites/casa-anfa/appointments",
            None,
            json!({"service": "residence", "name": "Amina Alaoui", "phone": "+212612345678",
                "start": "2026-11-23T10:30:00+00:00"}),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let body = listed(app, &format!("service={KIND}&near=Casablanca")).await;
    let casa = &offices_of(&body)[0];
    assert_eq!(casa.0, "casa-anfa");
    assert_eq!(
        casa.2,
        [
            "2026-11-23T11:00:00+00:00",
            "2026-11-23T11:30:00+00:00",
            "2026-11-23T12:00:00+00:00"
        ]
    );
    // Earliest first, Casablanca's next free slot (11:00 UTC) now comes
    // after Paris's three and before Salé's.
    let body = listed(app, &format!("service={KIND}")).await;
    assert_eq!(
        sites(&body),
        ["paris-consulat", "casa-anfa", "sale-tabriquet"]
    );
}

async fn bad_input_is_refused_and_changes_nothing(backend: Backend) {
    let offices = offices(backend).await;
    let (app, admin) = (&offices.app, &offices.admin);
    let before = listed(app, &format!("service={KIND}&near=Casablanca")).await;
    let refused = [
        ("service=Certificat%20R%C3%A9sidence", "invalid_service"),
        ("service=", "invalid_service"),
        ("near=Casablanca", "invalid_query"),
        (
            &format!("service={KIND}&near=Tombouctou") as &str,
            "invalid_near",
        ),
        (&format!("service={KIND}&near=91,0"), "invalid_near"),
        (&format!("service={KIND}&near=33.5,-190"), "invalid_near"),
        (&format!("service={KIND}&mode=phone"), "invalid_mode"),
        (&format!("service={KIND}&order=random"), "invalid_order"),
        (&format!("service={KIND}&order=nearest"), "invalid_order"),
        (&format!("service={KIND}&limit=0"), "invalid_limit"),
        (&format!("service={KIND}&limit=21"), "invalid_limit"),
        (&format!("service={KIND}&limit=x"), "invalid_query"),
        (&format!("service={KIND}&city=Rabat"), "invalid_query"),
    ];
    for (query, code) in refused {
        let answer = search(app, query).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            answer.body
        );
        assert_eq!(answer.code(), code, "{query}: {}", answer.body);
    }
    // Set-up refuses a bad kind or position, and keeps the old ones.
    let refused = [
        (
            "/api/v1/sites/casa-anfa",
            json!({"latitude": 95.0, "longitude": 0.0}),
            "invalid_latitude",
        ),
        (
            "/api/v1/sites/casa-anfa",
            json!({"latitude": 33.0, "longitude": -181.0}),
            "invalid_longitude",
        ),
        (
            "/api/v1/sites/casa-anfa",
            json!({"latitude": 33.0}),
            "invalid_longitude",
        ),
        (
            "/api/v1/sites/casa-anfa",
            json!({"city": "C".repeat(81)}),
            "invalid_city",
        ),
        (
            "/api/v1/sites/casa-anfa/services/residence",
            json!({"kind": "Certificat résidence"}),
            "invalid_kind",
        ),
        (
            "/api/v1/sites/casa-anfa/services/residence",
            json!({"kind": "a".repeat(61)}),
            "invalid_kind",
        ),
    ];
    for (path, body, code) in refused {
        let answer = app.patch(path, Some(admin), body.clone()).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            answer.body
        );
        assert_eq!(answer.code(), code, "{body}: {}", answer.body);
    }
    let site = app.get("/api/v1/sites/casa-anfa", None).await;
    assert_eq!(site.body["city"], "Casablanca");
    assert_eq!(site.body["latitude"], 33.5883);
    assert_eq!(site.body["longitude"], -7.6414);
    let service = &site.body["services"].as_array().expect("services");
    assert!(
        service
            .iter()
            .any(|s| s["id"] == "residence" && s["kind"] == KIND)
    );
    let after = listed(app, &format!("service={KIND}&near=Casablanca")).await;
    assert_eq!(after, before);

    // A kind cleared takes the service out of the search at once.
    let cleared = app
        .patch(
            "/api/v1/sites/casa-anfa/services/residence",
            Some(admin),
            json!({"kind": ""}),
        )
        .await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    assert!(cleared.body["kind"].is_null());
    let after = listed(app, &format!("service={KIND}")).await;
    assert_eq!(sites(&after), ["paris-consulat", "sale-tabriquet"]);
}

on_both_backends!(
    earliest_first_in_each_office_s_local_time,
    nearest_first_from_a_city_or_a_position,
    full_slots_are_skipped,
    bad_input_is_refused_and_changes_nothing,
);
