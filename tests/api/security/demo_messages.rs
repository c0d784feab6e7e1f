//! The demo's messages are read on a page meant for them, not in the log:
//! a newcomer runs `guichet serve --demo` with no SMS provider, is told
//! where the messages are, asks for a phone code, reads it on
//! `/demo/messages` and books with it, then opens the manage link of the
//! confirmation from the same page. With a real provider for a channel,
//! that channel's messages are not there; with every channel sent, or
//! without `--demo`, the address does not exist.

use crate::fakes::smtp::FakeSmtp;
use crate::fakes::twilio::FakeTwilio;
use crate::logs::{Served, free_start, serve};
use guichet_test_support::on_both_backends;
use guichet_test_support::{Backend, ScratchDatabase};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::AsyncBufReadExt;

const PHONE: &str = "+212611223344";

/// A fresh database for the binary, kept as long as the guard lives.
async fn database(backend: Backend) -> (String, tempfile::TempDir, Option<ScratchDatabase>) {
    let dir = tempfile::tempdir().unwrap();
    match backend {
        Backend::Sqlite => (
            format!("sqlite://{}", dir.path().join("demo.db").display()),
            dir,
            None,
        ),
        Backend::Postgres => {
            let scratch = ScratchDatabase::create().await;
            (scratch.url.clone(), dir, Some(scratch))
        }
    }
}

/// Standard output up to the line that holds `needle`.
async fn printed_until(served: &mut Served, needle: &str) -> String {
    let mut printed = String::new();
    loop {
        let mut line = String::new();
        let read =
            tokio::time::timeout(Duration::from_secs(30), served.stdout.read_line(&mut line))
                .await
                .expect("printed within 30 s")
                .expect("stdout read");
        assert!(read > 0, "{needle:?} never printed: {printed}");
        printed.push_str(&line);
        if line.contains(needle) {
            return printed;
        }
    }
}

async fn demo_page(client: &reqwest::Client, base: &str) -> (StatusCode, String) {
    let page = client
        .get(format!("{base}/demo/messages"))
        .send()
        .await
        .unwrap();
    let status = page.status();
    if status == StatusCode::OK {
        assert_eq!(
            page.headers()
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
    }
    (status, page.text().await.unwrap())
}

/// The text of every `<strong class="demo-code" …>` on the page.
fn codes(page: &str) -> Vec<String> {
    page.split("class=\"demo-code\"")
        .skip(1)
        .filter_map(|rest| rest.split_once('>'))
        .filter_map(|(_, rest)| rest.split_once('<'))
        .map(|(code, _)| code.to_owned())
        .collect()
}

async fn a_newcomer_books_with_the_code_read_on_the_demo_page(backend: Backend) {
    let (url, _dir, _scratch) = database(backend).await;
    let mut served = serve(&url, &["--demo"], &[]).await;
    let base = served.base.clone();
    let told = printed_until(&mut served, "/demo/messages").await;
    assert!(
        told.contains(&format!("{base}/demo/messages")),
        "the start says where the messages are: {told}"
    );
    let client = reqwest::Client::new();
    let portal = client
        .get(&base)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        portal.contains("href=\"/demo/messages\""),
        "the portal points to the messages: {portal}"
    );
    let (status, empty) = demo_page(&client, &base).await;
    assert_eq!(status, StatusCode::OK);
    assert!(codes(&empty).is_empty(), "{empty}");

    let asked = client
        .post(format!("{base}/api/v1/otp"))
        .json(&json!({"phone": PHONE}))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let (status, page) = demo_page(&client, &base).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(PHONE), "the recipient is shown: {page}");
    let code = codes(&page).into_iter().next().expect("the code is shown");
    assert_eq!(code.len(), 6, "{code}");

    let start = free_start(&client, &base, "casa-anfa", "residence").await;
    let booking = json!({"service": "residence", "start": start, "name": "Nadia Alami",
        "phone": PHONE, "otp": code});
    let booked = client
        .post(format!("{base}/api/v1/sites/casa-anfa/appointments"))
        .json(&booking)
        .send()
        .await
        .unwrap();
    assert_eq!(booked.status(), StatusCode::CREATED);
    let booked: Value = booked.json().await.unwrap();
    let reference = booked["reference"].as_str().expect("a reference");
    let token = booked["manage_token"].as_str().expect("a manage token");

    // The confirmation is on the page, newest first, its link clickable.
    let (_, page) = demo_page(&client, &base).await;
    let link = format!("href=\"{base}/appointments/{reference}?token={token}\"");
    let (confirmation, code_at) = (page.find(&link), page.find(&format!(">{code}<")));
    assert!(
        confirmation.is_some() && confirmation < code_at,
        "the confirmation, with its link, comes before the code: {page}"
    );
    let manage = client
        .get(format!("{base}/appointments/{reference}?token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(manage.status(), StatusCode::OK);
    assert!(manage.text().await.unwrap().contains(reference));

    let logs = served.stop().await;
    assert!(
        !logs.contains(&code) && !logs.contains(token),
        "the page, not the log, holds them: {logs}"
    );
}

on_both_backends!(a_newcomer_books_with_the_code_read_on_the_demo_page);

#[tokio::test]
async fn with_an_sms_provider_the_codes_are_not_on_the_demo_page() {
    let (url, _dir, _scratch) = database(Backend::Sqlite).await;
    let twilio = FakeTwilio::start().await;
    let envs = [
        ("GUICHET_SMS", "twilio"),
        ("TWILIO_ACCOUNT_SID", "AC0123"),
        ("TWILIO_AUTH_TOKEN", "demo-auth-token"),
        ("TWILIO_FROM", "+212500000000"),
        ("TWILIO_API_BASE", &*twilio.base),
    ];
    let served = serve(&url, &["--demo"], &envs).await;
    let client = reqwest::Client::new();
    let asked = client
        .post(format!("{}/api/v1/otp", served.base))
        .json(&json!({"phone": PHONE}))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let sent = twilio.wait_for_delivered(1, Duration::from_secs(10)).await;
    // E-mails still go to the log, so the page is there for them only.
    let (status, page) = demo_page(&client, &served.base).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains(PHONE) && codes(&page).is_empty(),
        "an SMS sent for real is not shown: {page}"
    );
    assert!(sent[0].body.contains(char::is_numeric));
    served.stop().await;
}

#[tokio::test]
async fn with_every_channel_sent_there_is_no_demo_page() {
    let (url, _dir, _scratch) = database(Backend::Sqlite).await;
    let (twilio, smtp) = (FakeTwilio::start().await, FakeSmtp::start().await);
    let envs = [
        ("GUICHET_SMS", "twilio"),
        ("TWILIO_ACCOUNT_SID", "AC0123"),
        ("TWILIO_AUTH_TOKEN", "demo-auth-token"),
        ("TWILIO_FROM", "+212500000000"),
        ("TWILIO_API_BASE", &*twilio.base),
        ("SMTP_URL", &*smtp.url),
    ];
    let served = serve(&url, &["--demo"], &envs).await;
    let (status, body) = demo_page(&reqwest::Client::new(), &served.base).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    served.stop().await;
}

#[tokio::test]
async fn without_demo_there_is_no_demo_page() {
    let (url, _dir, _scratch) = database(Backend::Sqlite).await;
    let served = serve(&url, &[], &[]).await;
    let client = reqwest::Client::new();
    let (status, body) = demo_page(&client, &served.base).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let portal = client.get(&served.base).send().await.unwrap();
    assert_eq!(portal.status(), StatusCode::OK);
    assert!(!portal.text().await.unwrap().contains("/demo/messages"));
    let openapi = client
        .get(format!("{}/api/v1/openapi.json", served.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!openapi.contains("/demo/"), "not an API operation");
    served.stop().await;
}
