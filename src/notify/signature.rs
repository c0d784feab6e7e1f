//! Signatures of webhooks: checking that a request claiming to come from
//! Twilio does, and signing the webhooks Guichet sends so that a receiver
//! can check them.
//!
//! Both are HMACs of exactly the bytes the other side will hash, so the
//! recipes below must not change: receivers follow them from the docs.
//! Signatures are compared in constant time. Nothing here reads headers or
//! clocks; whether a timestamp is recent is the caller's rule.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

use crate::secrets::constant_time_eq;

/// Twilio's `X-Twilio-Signature`: HMAC-SHA1, keyed by the account's auth
/// token, of the full URL followed by each POST parameter's name and value,
/// parameters sorted by name (then by value, for a repeated name), in base64.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = new_mac::<Hmac<Sha1>>(auth_token.as_bytes());
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `header_value` is Twilio's signature of this request.
pub fn twilio_signature_matches(
    auth_token: &str,
    url: &str,
    params: &[(String, String)],
    header_value: &str,
) -> bool {
    constant_time_eq(&twilio_signature(auth_token, url, params), header_value)
}

/// The signature of a webhook Guichet sends: `sha256=` and the lowercase hex
/// HMAC-SHA256, keyed by the receiver's secret, of the timestamp in decimal,
/// a `.`, then the body exactly as sent. Signing the timestamp lets the
/// receiver refuse a replayed request.
pub fn webhook_signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = new_mac::<Hmac<Sha256>>(secret.as_bytes());
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// Whether `header` is the signature of this webhook.
pub fn webhook_signature_matches(secret: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    constant_time_eq(&webhook_signature(secret, timestamp, body), header)
}

/// An HMAC keyed by `key`. HMAC takes keys of any length (RFC 2104 §2: a
/// longer one is hashed, a shorter one padded), and the `hmac` crate's
/// `new_from_slice` never fails for it, so this cannot panic.
fn new_mac<M: Mac + hmac::digest::KeyInit>(key: &[u8]) -> M {
    <M as hmac::digest::KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";

    /// Twilio's published example, given in an order other than sorted.
    fn example() -> Vec<(String, String)> {
        params(&[
            ("Digits", "1234"),
            ("To", "+18005551212"),
            ("From", "+12349013030"),
            ("Caller", "+12349013030"),
            ("CallSid", "CA1234567890ABCDE"),
        ])
    }

    #[test]
    fn twilio_published_example() {
        let expected = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
        assert_eq!(twilio_signature("12345", URL, &example()), expected);
        assert!(twilio_signature_matches("12345", URL, &example(), expected));
    }

    #[test]
    fn twilio_signature_covers_url_params_and_token() {
        let good = twilio_signature("12345", URL, &example());
        let mut changed = example();
        changed[0].1 = "1235".to_owned();
        let other_url = "https://mycompany.com/myapp.php?foo=1&bar=3";
        assert_ne!(twilio_signature("12345", URL, &changed), good);
        assert_ne!(twilio_signature("12345", other_url, &example()), good);
        assert!(!twilio_signature_matches("12345", URL, &changed, &good));
        assert!(!twilio_signature_matches(
            "12345",
            other_url,
            &example(),
            &good
        ));
        assert!(!twilio_signature_matches("54321", URL, &example(), &good));
        assert!(!twilio_signature_matches("12345", URL, &example(), ""));
    }

    #[test]
    fn repeated_names_are_sorted_by_value() {
        // Computed independently: base64(HMAC-SHA1("t", "https://x.test/hAzB1B2")).
        let expected = "R26BIVdcsZ+x7wXXTC3jMKjhbc8=";
        let pairs = params(&[("B", "2"), ("A", "z"), ("B", "1")]);
        assert_eq!(twilio_signature("t", "https://x.test/h", &pairs), expected);
    }

    #[test]
    fn webhook_signature_follows_the_documented_recipe() {
        // python3: hmac.new(b'secret', b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
        let expected = "sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686";
        let body = br#"{"a":1}"#;
        assert_eq!(webhook_signature("secret", 1_700_000_000, body), expected);
        assert!(webhook_signature_matches(
            "secret",
            1_700_000_000,
            body,
            expected
        ));
        assert!(!webhook_signature_matches(
            "secret",
            1_700_000_001,
            body,
            expected
        ));
        assert!(!webhook_signature_matches(
            "secret",
            1_700_000_000,
            br#"{"a":2}"#,
            expected
        ));
        assert!(!webhook_signature_matches(
            "other",
            1_700_000_000,
            body,
            expected
        ));
        assert!(!webhook_signature_matches(
            "secret",
            1_700_000_000,
            body,
            &expected.to_uppercase()
        ));
    }

    #[test]
    fn the_partners_worked_example_holds() {
        // docs/partners.md: the same body, secret and timestamp, also
        // checked with `openssl dgst -sha256 -hmac`.
        let body = r#"{"reference":"PA-2026/00042","kind":"passport","status":"ready","label":{"fr":"Passeport biométrique","ar":"جواز السفر البيومتري"},"ready_at":"2026-12-01T10:00:00Z","version":3,"holder_id":"AB123456","phone":"+212612345678","lang":"fr"}"#;
        assert_eq!(
            webhook_signature("gps_EXAMPLE-secret", 1_764_147_600, body.as_bytes()),
            "sha256=25bee73191f0dca30099ffc273b944f0ec5690fb55d030b32fd988485592c9af"
        );
    }

    #[test]
    fn webhook_signature_with_odd_inputs() {
        // python3: hmac.new(b'whsec_test', b'-5.', hashlib.sha256).hexdigest()
        assert_eq!(
            webhook_signature("whsec_test", -5, b""),
            "sha256=4d14439bf035f6ce82d1050051ec3d45bd3894bc8e2573511cbe4519de17b244"
        );
        // A key longer than SHA-256's block is hashed first, as RFC 2104 says.
        // python3: hmac.new(b'k' * 100, b'1700000000.', hashlib.sha256).hexdigest()
        assert_eq!(
            webhook_signature(&"k".repeat(100), 1_700_000_000, b""),
            "sha256=fde02a4a0acb3e3627490f24c72ea1f4504868ab3b0c0c0fb8f302c2b86977b6"
        );
    }
}
