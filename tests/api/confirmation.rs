//! What a booking's confirmation says beyond the time: the documents of
//! the service's guide, the office's address and its opening that day,
//! and the reference to type at the kiosk, in the SMS, the e-mail and the
//! calendar file, in French and Arabic (where the reference stays
//! isolated, left to right, inside the Arabic sentence).

use crate::support::office::{SERVICE, casablanca_office, phone};
use guichet_test_support::Backend;
use reqwest::StatusCode;
use serde_json::json;

/// Monday 23 November 2026, 08:00 in Casablanca.
const MONDAY_MORNING: &str = "2026-11-23T08:00:00Z";
const TUESDAY_9: &str = "2026-11-24T09:00:00+00:00";

async fn with_documents_and_address(office: &crate::support::office::Office) {
    let patch = json!({"required_documents": [
        {"name": "CIN", "name_ar": "البطاقة الوطنية للتعريف"},
        {"name": "Deux photos d'identité", "name_ar": "صورتان شمسيتان"}]});
    let path = format!("/api/v1/sites/{}/services/{SERVICE}", office.site);
    let patched = office.app.patch(&path, Some(&office.admin), patch).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    let site = json!({"address": "12 avenue de France, Agdal, Rabat",
        "address_ar": "12 شارع فرنسا، أكدال، الرباط"});
    let path = format!("/api/v1/sites/{}", office.site);
    let patched = office.app.patch(&path, Some(&office.admin), site).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
}

#[tokio::test]
async fn the_sms_the_email_and_the_calendar_file_say_what_to_bring() {
    let office = casablanca_office(Backend::Sqlite, MONDAY_MORNING).await;
    with_documents_and_address(&office).await;
    let email = "amina@example.ma";
    let booked = office
        .book_with(json!({"start": TUESDAY_9, "phone": phone(1), "email": email}))
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let reference = booked.body["reference"].as_str().expect("reference");
    let token = booked.body["manage_token"].as_str().expect("token");

    let sms = office.message(&phone(1), "appointment_booked").await;
    assert!(
        sms.contains("Apportez : CIN, Deux photos d'identité."),
        "{sms}"
    );
    assert!(
        sms.contains(&format!(
            "enregistrez-vous à la borne avec la référence {reference}"
        )),
        "{sms}"
    );
    let mail = office.message(email, "appointment_booked").await;
    for line in [
        "Documents à apporter :\n- CIN\n- Deux photos d'identité",
        "Adresse : 12 avenue de France, Agdal, Rabat",
        "Ouvert ce jour-là : 08:00–16:00",
        &format!("enregistrez-vous à la borne avec cette référence : {reference}"),
    ] {
        assert!(mail.contains(line), "{line:?} not in {mail}");
    }

    let path = format!(
        "{}/appointments/{reference}/calendar.ics?token={token}",
        office.app.base
    );
    let file = office.app.http.get(&path).send().await.expect("sent");
    assert_eq!(file.status(), StatusCode::OK);
    // Unfolded, the lines read whole.
    let file = file.text().await.expect("body").replace("\r\n ", "");
    assert!(
        file.contains("LOCATION:Annexe Agdal\\, 12 avenue de France\\, Agdal\\, Rabat\r\n"),
        "{file}"
    );
    let description = file
        .lines()
        .find(|l| l.starts_with("DESCRIPTION:"))
        .expect("a description");
    assert!(description.contains("\\n- CIN\\n"), "{description}");
    assert!(description.contains("la borne"), "{description}");
    assert!(description.contains(reference), "{description}");
}

#[tokio::test]
async fn in_arabic_the_reference_stays_isolated_in_the_sentence() {
    let office = casablanca_office(Backend::Sqlite, MONDAY_MORNING).await;
    with_documents_and_address(&office).await;
    let booked = office
        .book_with(json!({"start": TUESDAY_9, "phone": phone(2), "lang": "ar"}))
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let reference = booked.body["reference"].as_str().expect("reference");
    let sms = office.message(&phone(2), "appointment_booked").await;
    assert!(
        sms.contains("أحضروا: البطاقة الوطنية للتعريف، صورتان شمسيتان."),
        "{sms}"
    );
    assert!(
        sms.contains(&format!(
            "الشباك الأوتوماتيكي بالمرجع \u{2066}{reference}\u{2069}"
        )),
        "{sms}"
    );
}

#[tokio::test]
async fn a_video_appointment_sends_no_one_to_the_kiosk() {
    let office = casablanca_office(Backend::Sqlite, MONDAY_MORNING).await;
    with_documents_and_address(&office).await;
    let booked = office
        .book_with(json!({"start": TUESDAY_9, "phone": phone(3), "mode": "video"}))
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let sms = office.message(&phone(3), "appointment_booked").await;
    assert!(sms.contains("Apportez : CIN"), "{sms}");
    assert!(!sms.contains("borne"), "{sms}");
}
