//! What the SMS provider's webhooks sign: a form body, read as the
//! `/hooks/sms/*` handlers read it (URL-encoded pairs, in order, names
//! repeatable), and the signature over the URL and those pairs.
//!
//! Input: the auth token, the URL, then the body, split at the first two
//! NUL bytes. A body that reads re-encodes to the same pairs; a signature
//! verifies for its own request, whatever the order of the pairs, and not
//! with one byte of it changed, nor for another URL, token or value. The
//! outbound webhooks' SHA-256 signature gets the same checks.
#![no_main]

use guichet::notify::signature::{
    twilio_signature, twilio_signature_matches, webhook_signature, webhook_signature_matches,
};
use libfuzzer_sys::fuzz_target;

fn split(data: &[u8]) -> (String, String, &[u8]) {
    let mut parts = data.splitn(3, |&b| b == 0);
    let token = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let url = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    (token, url, parts.next().unwrap_or_default())
}

/// The signature with the byte at `at` changed to another base64 character
/// (or to something that is not base64 at all).
fn flipped(signature: &str, at: usize) -> String {
    let mut bytes = signature.as_bytes().to_vec();
    let i = at % bytes.len();
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).expect("base64 and hex are ASCII")
}

fuzz_target!(|data: &[u8]| {
    let (token, url, body) = split(data);
    let Ok(form) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body) else {
        return;
    };
    let encoded = serde_urlencoded::to_string(&form).expect("pairs of strings encode");
    let again: Vec<(String, String)> =
        serde_urlencoded::from_str(&encoded).expect("what was encoded reads back");
    assert_eq!(again, form, "{encoded:?}");

    let signature = twilio_signature(&token, &url, &form);
    assert_eq!(signature.len(), 28, "base64 of 20 bytes");
    assert!(twilio_signature_matches(&token, &url, &form, &signature));
    let reversed: Vec<(String, String)> = form.iter().rev().cloned().collect();
    assert!(
        twilio_signature_matches(&token, &url, &reversed, &signature),
        "the order of the pairs does not matter"
    );
    let tampered = flipped(&signature, body.len());
    assert!(!twilio_signature_matches(&token, &url, &form, &tampered));
    assert!(!twilio_signature_matches(&token, &url, &form, ""));
    assert!(!twilio_signature_matches(&token, &format!("{url}?"), &form, &signature));
    assert!(!twilio_signature_matches(&format!("{token}x"), &url, &form, &signature));
    if let Some((name, value)) = form.first() {
        let mut changed = form.clone();
        changed[0] = (name.clone(), format!("{value}x"));
        assert!(!twilio_signature_matches(&token, &url, &changed, &signature));
    }

    let timestamp = i64::from_le_bytes(
        body.iter()
            .copied()
            .chain([0; 8])
            .take(8)
            .collect::<Vec<u8>>()
            .try_into()
            .expect("eight bytes"),
    );
    let sent = webhook_signature(&token, timestamp, body);
    assert!(sent.starts_with("sha256=") && sent.len() == 7 + 64, "{sent}");
    assert!(webhook_signature_matches(&token, timestamp, body, &sent));
    assert!(!webhook_signature_matches(&token, timestamp, body, &flipped(&sent, body.len() + 7)));
    assert!(!webhook_signature_matches(&token, timestamp.wrapping_add(1), body, &sent));
});
