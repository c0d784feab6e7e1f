//! The outbox read through the API (finding 8 of issue 17): phones and
//! addresses come masked exactly as the admin page shows them, never whole.

use crate::support::forms::open;
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(the_outbox_api_masks_phones_as_the_page_does);

const PHONE: &str = "+212612345678";
const MASKED: &str = "+2126••••••78";

async fn the_outbox_api_masks_phones_as_the_page_does(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let admin = app.admin().await;
    let asked = app.post("/api/v1/otp", None, json!({"phone": PHONE})).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);

    let listed = app.get("/api/v1/outbox", Some(&admin)).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let messages = listed.body.as_array().expect("a list");
    assert_eq!(messages.len(), 1, "{}", listed.body);
    assert_eq!(messages[0]["channel"], "sms");
    assert_eq!(messages[0]["recipient"], MASKED, "{}", listed.body);
    let text = listed.body.to_string();
    assert!(!text.contains(&PHONE[1..]), "{text}");
    assert!(!text.contains("612345678"), "{text}");

    // The page shows the same masked phone, in whichever tab the message
    // is by now.
    let mut shown = false;
    for tab in ["pending", "sending", "retrying", "sent", "dead"] {
        let page = open(&app, Some(&admin), &format!("/admin/outbox?status={tab}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.html.contains("612345678"), "{}", page.html);
        shown |= page.html.contains(MASKED);
    }
    assert!(shown, "the page shows {MASKED}");
}
