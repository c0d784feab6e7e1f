//! Three offices offering the same kind of procedure in two timezones, for
//! the earliest-slot search: an annex in Casablanca and one in Salé
//! (Africa/Casablanca, UTC+0 in November 2026) and a consulate in Paris
//! (Europe/Paris, UTC+1), all open around the clock.

use guichet_test_support::{Backend, TestApp, around_the_clock};
use reqwest::StatusCode;
use serde_json::json;

pub const KIND: &str = "certificat-residence";
/// A Monday: Casablanca's clock reads 10:07, Paris's 11:07.
pub const NOW: &str = "2026-11-23T10:07:00Z";

pub struct Offices {
    pub app: TestApp,
    pub admin: String,
}

/// `(site, name, name_ar, timezone, city, [lat, lon], service, slot minutes, notice minutes)`.
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    [f64; 2],
    &'static str,
    i64,
    i64,
);

/// First free slots from 10:07 UTC: Paris 11:15+01:00 (15-minute slots),
/// Casablanca 10:30+00:00 (30 minutes), Salé 13:00+00:00 (hours, booked
/// at least 2 hours ahead). One place a slot everywhere.
pub const OFFICES: [Spec; 3] = [
    (
        "casa-anfa",
        "Annexe Anfa",
        "ملحقة أنفا",
        "Africa/Casablanca",
        "Casablanca",
        [33.5883, -7.6414],
        "residence",
        30,
        0,
    ),
    (
        "sale-tabriquet",
        "Annexe Tabriquet",
        "ملحقة تابريكت",
        "Africa/Casablanca",
        "Salé",
        [34.0531, -6.7986],
        "certificat",
        60,
        120,
    ),
    (
        "paris-consulat",
        "Consulat général à Paris",
        "القنصلية العامة بباريس",
        "Europe/Paris",
        "Paris",
        [48.8566, 2.3522],
        "residence",
        15,
        0,
    ),
];

pub async fn offices(backend: Backend) -> Offices {
    let (app, _time) = TestApp::builder().backend(backend).spawn_at(NOW).await;
    let admin = app.admin().await;
    for (site, name, name_ar, zone, city, [lat, lon], service, minutes, notice) in OFFICES {
        let body = json!({"id": site, "name": name, "name_ar": name_ar, "timezone": zone,
            "opening_hours": around_the_clock(), "verify_phone": false,
            "city": city, "latitude": lat, "longitude": lon});
        let created = app.post("/api/v1/sites", Some(&admin), body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let modes = if zone == "Europe/Paris" {
            json!(["in_person", "video"])
        } else {
            json!(["in_person"])
        };
        let body = json!({"id": service, "prefix": "R", "name": "Certificat de résidence",
            "name_ar": "شهادة السكنى", "kind": KIND, "appointment_modes": modes,
            "slot_minutes": minutes, "slot_capacity": 1, "min_notice_minutes": notice});
        let created = app
            .post(
                &format!("/api/v1/sites/{site}/services"),
                Some(&admin),
                body,
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        // A service of another kind, which the search never lists.
        let body = json!({"id": "copies", "prefix": "C", "name": "Copie conforme",
            "kind": "copie-conforme", "appointment_modes": ["in_person"], "slot_capacity": 1,
            "min_notice_minutes": 0});
        let created = app
            .post(
                &format!("/api/v1/sites/{site}/services"),
                Some(&admin),
                body,
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    Offices { app, admin }
}
