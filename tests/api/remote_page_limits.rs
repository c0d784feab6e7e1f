//! The join's limits as the portal's form meets them, on an office that
//! verifies phones: the first submit only asks for the code, and the
//! submit with the code is the join, so one join through the page takes
//! one place of each limit (per address and per phone), as one join
//! through the API does.

use crate::support::desk::sent_code;
use crate::support::office::{Office, SERVICE, office};
use guichet::app::rate_limit::{REMOTE_JOIN_PER_IP, REMOTE_JOIN_PER_PHONE};
use guichet_test_support::Backend;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::json;

/// Thursday 26 November 2026, 09:00 UTC: the office (in UTC) is open.
const THURSDAY_9: &str = "2026-11-26T09:00:00Z";
const CSRF: &str = "remote-limits-csrf-0123456789abcdefghijklmnop";

/// The office, open, verifying phones, with no cap on the remote share.
async fn verifying_office(backend: Backend) -> Office {
    let office = office(backend, THURSDAY_9, "UTC", 2, true).await;
    let path = format!("/api/v1/sites/{}/services/{SERVICE}", office.site);
    let body = json!({"remote_share_percent": 100});
    let changed = office.app.patch(&path, Some(&office.admin), body).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    office
}

/// Posts the join form with `fields`, as a browser without JavaScript;
/// the status and where it redirects.
async fn submit(office: &Office, fields: &[(&str, &str)]) -> (StatusCode, String) {
    let url = format!("{}/join/{}/{SERVICE}?lang=fr", office.app.base, office.site);
    let mut form = vec![("csrf", CSRF)];
    form.extend_from_slice(fields);
    let response = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
        .post(url)
        .header("Cookie", format!("guichet_csrf={CSRF}"))
        .form(&form)
        .send()
        .await
        .expect("sent");
    let location = crate::support::forms::header(&response, "location");
    (response.status(), location)
}

/// A whole join through the page: the phone (a code is sent), then the
/// code. The answer to the second submit.
async fn join_through_the_page(office: &Office, phone: &str) -> (StatusCode, String) {
    let (asked, _) = submit(office, &[("phone", phone), ("step", "send")]).await;
    assert_eq!(asked, StatusCode::OK, "the page asks for the code");
    let code = sent_code(&office.app, phone).await;
    submit(
        office,
        &[("phone", phone), ("otp", &code), ("step", "submit")],
    )
    .await
}

/// Takes `n` places of the join's limits for `phone` from this address,
/// with joins the API refuses (no such service): each is counted.
async fn take_places(office: &Office, n: usize, phone: impl Fn(usize) -> String) {
    let path = format!("/api/v1/sites/{}/queue/join", office.site);
    for i in 0..n {
        let body = json!({"service": "nothing", "phone": phone(i), "otp": "000000"});
        let refused = office.app.post(&path, None, body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.code(), "invalid_service");
    }
}

async fn tickets(office: &Office) -> i64 {
    office.app.count("tickets").await
}

#[tokio::test]
async fn a_join_through_the_page_counts_once_per_address_sqlite() {
    a_join_through_the_page_counts_once_per_address(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn a_join_through_the_page_counts_once_per_address_postgres() {
    a_join_through_the_page_counts_once_per_address(Backend::Postgres).await;
}

async fn a_join_through_the_page_counts_once_per_address(backend: Backend) {
    let office = verifying_office(backend).await;
    // Two places of the address's limit left.
    let max = REMOTE_JOIN_PER_IP.max as usize;
    take_places(&office, max - 2, |i| format!("+2126130{i:05}")).await;
    for phone in ["+212612000051", "+212612000052"] {
        let (status, location) = join_through_the_page(&office, phone).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{phone}");
        assert!(location.ends_with("/joined"), "{location}");
    }
    assert_eq!(tickets(&office).await, 2);
    // The limit is used up: the next join is refused at its first submit,
    // before a code is sent.
    let phone = "+212612000053";
    let (status, _) = submit(&office, &[("phone", phone), ("step", "send")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(office.templates(phone).await.is_empty(), "no code sent");
    assert_eq!(tickets(&office).await, 2);
}

#[tokio::test]
async fn a_join_through_the_page_counts_once_per_phone_sqlite() {
    a_join_through_the_page_counts_once_per_phone(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL"]
async fn a_join_through_the_page_counts_once_per_phone_postgres() {
    a_join_through_the_page_counts_once_per_phone(Backend::Postgres).await;
}

async fn a_join_through_the_page_counts_once_per_phone(backend: Backend) {
    let office = verifying_office(backend).await;
    let amina = "+212612000061";
    // One place of the phone's limit left: the join through the page takes it.
    let max = REMOTE_JOIN_PER_PHONE.max as usize;
    take_places(&office, max - 1, |_| amina.to_owned()).await;
    let (status, location) = join_through_the_page(&office, amina).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.ends_with("/joined"), "{location}");
    assert_eq!(tickets(&office).await, 1);
    // A minute later (a new code may be sent), the phone's limit is used
    // up: refused before a code is sent.
    office.set_time("2026-11-26T09:01:00Z");
    let (status, _) = submit(&office, &[("phone", amina), ("step", "send")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let codes = office.templates(amina).await;
    assert_eq!(codes.iter().filter(|t| *t == "otp").count(), 1, "{codes:?}");
}
