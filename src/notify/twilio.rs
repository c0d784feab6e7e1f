//! A Twilio-compatible SMS client on reqwest: `POST
//! {base}/2010-04-01/Accounts/{sid}/Messages.json`, form-encoded, with
//! basic auth. Each request carries the message's idempotency key in
//! `I-Twilio-Idempotency-Token`, so that a provider that honours it sends
//! a message retried after a crash only once.

use super::Attempt;
use std::time::Duration;

/// How long one request may take before it counts as failed (and retried).
const TIMEOUT: Duration = Duration::from_secs(10);

/// Twilio error codes that no retry can fix: the number is invalid, not a
/// mobile, unreachable in that region, or has opted out.
const PERMANENT_CODES: &[i64] = &[21211, 21214, 21408, 21610, 21612, 21614, 21635];

#[derive(Debug, Clone)]
pub struct TwilioClient {
    http: reqwest::Client,
    base: String,
    account_sid: String,
    auth_token: String,
    /// A phone number, or a Messaging Service (`MG…`).
    from: String,
    /// Where the provider posts delivery statuses.
    status_callback: Option<String>,
}

impl TwilioClient {
    pub fn new(
        base: &str,
        account_sid: &str,
        auth_token: &str,
        from: &str,
        status_callback: Option<String>,
    ) -> Result<Self, reqwest::Error> {
        Ok(Self {
            http: reqwest::Client::builder().timeout(TIMEOUT).build()?,
            base: base.trim_end_matches('/').to_owned(),
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            from: from.to_owned(),
            status_callback,
        })
    }

    /// The token that signs the provider's callbacks.
    pub fn auth_token(&self) -> &str {
        &self.auth_token
    }

    pub async fn send(&self, to: &str, body: &str, idempotency_key: &str) -> Attempt {
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.base, self.account_sid
        );
        let sender = if self.from.starts_with("MG") {
            "MessagingServiceSid"
        } else {
            "From"
        };
        let mut form = vec![("To", to), (sender, &self.from), ("Body", body)];
        if let Some(callback) = &self.status_callback {
            form.push(("StatusCallback", callback));
        }
        let encoded = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .http
            .post(url)
            .basic_auth(&self.account_sid, Some(&self.auth_token))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("I-Twilio-Idempotency-Token", idempotency_key)
            .body(encoded)
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(error) => {
                return Attempt::Retry {
                    after: None,
                    error: format!("request failed: {}", super::redact::request_error(error)),
                };
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let answer: serde_json::Value = response.json().await.unwrap_or_default();
        let code = answer["code"]
            .as_i64()
            .or_else(|| answer["error_code"].as_i64());
        let message = answer["message"].as_str().unwrap_or("").to_owned();
        if status.is_success() {
            return match answer["sid"].as_str() {
                Some(sid) => Attempt::Sent {
                    provider_id: Some(sid.to_owned()),
                },
                None => Attempt::Retry {
                    after: None,
                    error: "accepted without a sid".to_owned(),
                },
            };
        }
        let error = format!(
            "{status}: {} {message}",
            code.map(|c| c.to_string()).unwrap_or_default()
        );
        if status.as_u16() == 429 || status.is_server_error() {
            return Attempt::Retry {
                after: retry_after,
                error,
            };
        }
        if code.is_some_and(|c| PERMANENT_CODES.contains(&c)) || status.is_client_error() {
            return Attempt::Permanent { error };
        }
        Attempt::Retry { after: None, error }
    }
}

/// Percent-encodes a form value (`application/x-www-form-urlencoded`).
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn form_values_are_encoded() {
        assert_eq!(super::encode("+212 6/é"), "%2B212+6%2F%C3%A9");
    }
}
