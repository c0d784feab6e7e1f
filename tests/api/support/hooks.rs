//! A webhook endpoint as a third party registers it, and what it does
//! with a delivery: check the signature as docs/api.md says (from that
//! recipe alone, not with the server's code) and read the JSON.

use crate::fakes::receiver::Delivery;
use crate::support::office::Office;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use std::time::Duration;

pub const WITHIN: Duration = Duration::from_secs(5);

/// Registers an endpoint for `events`; returns (id, secret).
pub async fn register(office: &Office, url: &str, events: &[&str]) -> (String, String) {
    let body = json!({"url": url, "events": events});
    let answer = office
        .app
        .post("/api/v1/webhooks", Some(&office.admin), body)
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let field = |name: &str| answer.body[name].as_str().expect(name).to_owned();
    (field("id"), field("secret"))
}

/// What a receiver does with the secret it was given: HMAC-SHA256 of
/// `{X-Guichet-Timestamp}.{raw body}`, in hex, against `X-Guichet-Signature`.
pub fn check_signature(delivery: &Delivery, secret: &str) -> i64 {
    let timestamp = &delivery.headers["x-guichet-timestamp"];
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(format!("{timestamp}.{}", delivery.body).as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        delivery.headers["x-guichet-signature"],
        format!("sha256={hex}"),
        "signature of {}",
        delivery.body
    );
    timestamp.parse().expect("a timestamp in seconds")
}

pub fn json_of(delivery: &Delivery) -> Value {
    assert_eq!(delivery.headers["content-type"], "application/json");
    serde_json::from_str(&delivery.body).expect("a JSON body")
}
