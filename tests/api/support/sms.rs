//! An office on a server that sends its SMS through the fake Twilio, and
//! what the SMS provider posts back, as Twilio would: delivery statuses and
//! citizens' texts, both signed with the account's auth token over the
//! public URL and the form.

use crate::fakes::twilio::FakeTwilio;
use crate::support::office::{Office, office_on};
use guichet::clock::Clock;
use guichet_test_support::{Backend, TestApp};
use reqwest::StatusCode;

pub const PUBLIC_URL: &str = "https://guichet.example.ma";
pub const AUTH_TOKEN: &str = "secret-token";
pub const MONDAY_MORNING: &str = "2026-11-23T07:00:00Z";
pub const TUESDAY_9: &str = "2026-11-24T09:00:00+00:00";
pub const TUESDAY_930: &str = "2026-11-24T09:30:00+00:00";
pub const TUESDAY_10: &str = "2026-11-24T10:00:00+00:00";

/// The office of `office::office` (service `passport` with 2 places a
/// slot, in person and video, counter `agdal-g1` "Guichet 1" opened by its agent, phones not
/// verified), at `MONDAY_MORNING` on a manual clock, on a server whose
/// public URL is `PUBLIC_URL`, which sends SMS through `twilio` when
/// given (else only logs them), and whose webhooks may go to this machine
/// (`GUICHET_WEBHOOK_ALLOW=127.0.0.1`, where the fake receivers listen).
pub async fn office_sending_through(backend: Backend, twilio: Option<&FakeTwilio>) -> Office {
    let (clock, time) = Clock::manual(MONDAY_MORNING.parse().expect("a timestamp"));
    let app = TestApp::builder()
        .backend(backend)
        .clock(clock)
        .config(|config| {
            config.public_url = Some(PUBLIC_URL.into());
            config.webhook_allow = "127.0.0.1".parse().expect("an address");
            if let Some(twilio) = twilio {
                config.sms = guichet::config::SmsTransport::Twilio;
                config.twilio_account_sid = Some("AC0123".into());
                config.twilio_auth_token = Some(AUTH_TOKEN.parse().unwrap());
                config.twilio_from = Some("+212500000000".into());
                config.twilio_api_base = twilio.base.clone();
            }
        })
        .spawn()
        .await;
    office_on(app, time, "Africa/Casablanca", 2, false).await
}

/// `application/x-www-form-urlencoded`, as Twilio posts.
pub fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) => (b as char).to_string(),
                b' ' => "+".to_owned(),
                b => format!("%{b:02X}"),
            })
            .collect()
    };
    let pairs: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    pairs.join("&")
}

/// Twilio's signature of a post of `fields` to `path` of the public URL.
pub fn sign(auth_token: &str, path: &str, fields: &[(&str, &str)]) -> String {
    let params: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let url = format!("{PUBLIC_URL}{path}");
    guichet::notify::signature::twilio_signature(auth_token, &url, &params)
}

/// What the server answered a webhook: status, content type, body.
pub struct Hooked {
    pub status: StatusCode,
    pub content_type: String,
    pub body: String,
    pub retry_after: Option<u64>,
}

/// Posts `fields` to `path` as the provider does, with `signature` if any.
pub async fn post_form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    signature: Option<String>,
) -> Hooked {
    let mut request = app
        .http
        .post(format!("{}{path}", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(fields));
    if let Some(signature) = signature {
        request = request.header("X-Twilio-Signature", signature);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap_or("").to_owned())
        .unwrap_or_default();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    let body = response.text().await.expect("body read");
    Hooked {
        status,
        content_type,
        body,
        retry_after,
    }
}

/// A citizen's text from `from`, correctly signed.
pub async fn text_in(app: &TestApp, from: &str, body: &str) -> Hooked {
    let path = "/hooks/sms/inbound";
    let fields = [("From", from), ("To", "+212500000000"), ("Body", body)];
    let signature = sign(AUTH_TOKEN, path, &fields);
    post_form(app, path, &fields, Some(signature)).await
}
