//! A local server speaking the part of Twilio's REST API Guichet uses:
//! `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::post};
use base64::Engine as _;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::{CancellationToken, DropGuard};

/// How the fake answers one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// 201 with a new message resource, status "queued".
    Accept,
    /// 429 with a `Retry-After` header.
    RateLimited { retry_after_secs: u64 },
    /// 500.
    ServerError,
    /// Waits this long, then answers as `Accept`. The message counts as
    /// delivered from the moment it arrives, as with a real Twilio whose
    /// answer got lost: the client times out, yet the SMS went out.
    Hang(Duration),
    /// 400, code 21211.
    InvalidNumber,
    /// Takes this long to accept: the message is delivered (and recorded)
    /// only when the answer goes out, so a client that hangs up or dies
    /// before sent nothing, as with a provider that had not taken it yet.
    Slow(Duration),
}

/// One request as the fake saw it.
#[derive(Clone, Debug)]
pub struct ReceivedSms {
    pub account_sid: String,
    pub basic_auth: Option<(String, String)>,
    pub to: String,
    pub from: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub body: String,
    pub status_callback: Option<String>,
    /// The `I-Twilio-Idempotency-Token` request header.
    pub idempotency_key: Option<String>,
    pub answered: u16,
    pub sid: Option<String>,
    pub at: Instant,
}

#[derive(Default)]
struct Shared {
    script: VecDeque<Reply>,
    /// The reply once the script is used up; `Accept` when `None`.
    fallback: Option<Reply>,
    received: Vec<ReceivedSms>,
}

pub struct FakeTwilio {
    /// "http://127.0.0.1:PORT", to use in place of "https://api.twilio.com".
    pub base: String,
    shared: Arc<Mutex<Shared>>,
    _stop: DropGuard,
}

impl FakeTwilio {
    /// Starts the fake; it answers `Accept` to everything until scripted.
    pub async fn start() -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let stop = CancellationToken::new();
        let app = Router::new()
            .route(
                "/2010-04-01/Accounts/{account_sid}/Messages.json",
                post(create_message),
            )
            .with_state((shared.clone(), stop.clone()));
        let addr = super::serve_http(app, stop.clone()).await;
        FakeTwilio {
            base: format!("http://{addr}"),
            shared,
            _stop: stop.drop_guard(),
        }
    }

    /// The next valid requests get these replies in order, then `Accept`.
    /// Requests refused for a missing `To` or `Body` do not use up a reply.
    pub fn script(&self, replies: Vec<Reply>) {
        self.shared.lock().unwrap().script.extend(replies);
    }

    /// How requests are answered once the script is used up (`Accept`
    /// until this is called): `ServerError` for a provider that is down,
    /// `Slow` for one that takes its time.
    pub fn answer_from_now_on(&self, reply: Reply) {
        self.shared.lock().unwrap().fallback = Some(reply);
    }

    /// Every request so far, in order of arrival, failed ones included.
    pub fn received(&self) -> Vec<ReceivedSms> {
        self.shared.lock().unwrap().received.clone()
    }

    /// Only the requests answered 201.
    pub fn delivered(&self) -> Vec<ReceivedSms> {
        self.received()
            .into_iter()
            .filter(|r| r.answered == 201)
            .collect()
    }

    /// Waits until at least `n` were delivered or `within` has passed, then
    /// returns `delivered()`.
    pub async fn wait_for_delivered(&self, n: usize, within: Duration) -> Vec<ReceivedSms> {
        super::poll_until(n, within, || self.delivered()).await
    }
}

async fn create_message(
    State((shared, stop)): State<(Arc<Mutex<Shared>>, CancellationToken)>,
    Path(account_sid): Path<String>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    // An unreadable body is treated like an empty form: recorded, then refused.
    let fields = form.map(|Form(fields)| fields).unwrap_or_default();
    let field = |name: &str| fields.get(name).cloned();
    let header = |name: &str| headers.get(name)?.to_str().ok().map(String::from);
    let (to, body) = (field("To"), field("Body"));

    // Only a complete request takes the next scripted reply.
    let reply = (to.is_some() && body.is_some()).then(|| {
        let mut shared = shared.lock().unwrap();
        let next = shared.script.pop_front();
        next.or_else(|| shared.fallback.clone())
            .unwrap_or(Reply::Accept)
    });
    if let Some(Reply::Slow(delay)) = reply {
        // Dropped here, unrecorded, if the fake stops or the client hangs up.
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.cancelled() => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        }
    }
    let sid = matches!(reply, Some(Reply::Accept | Reply::Hang(_) | Reply::Slow(_)))
        .then(|| format!("SM{:032x}", rand::random::<u128>()));
    let (status, json) = match &reply {
        None => error(400, 21604, "A 'To' phone number and a 'Body' are required."),
        Some(Reply::Accept | Reply::Hang(_) | Reply::Slow(_)) => (
            StatusCode::CREATED,
            json!({
                "sid": sid, "status": "queued", "to": to, "from": field("From"), "body": body,
                "messaging_service_sid": field("MessagingServiceSid"),
                "error_code": null, "error_message": null,
            }),
        ),
        Some(Reply::RateLimited { .. }) => error(429, 20429, "Too Many Requests"),
        Some(Reply::ServerError) => error(500, 20500, "Internal Server Error"),
        // As Twilio does, the refused number is written in the message.
        Some(Reply::InvalidNumber) => error(
            400,
            21211,
            &format!(
                "The 'To' number {} is not a valid phone number.",
                to.as_deref().unwrap_or("")
            ),
        ),
    };

    shared.lock().unwrap().received.push(ReceivedSms {
        account_sid,
        basic_auth: header("authorization").and_then(|v| parse_basic_auth(&v)),
        to: to.unwrap_or_default(),
        from: field("From"),
        messaging_service_sid: field("MessagingServiceSid"),
        body: body.unwrap_or_default(),
        status_callback: field("StatusCallback"),
        idempotency_key: header("i-twilio-idempotency-token"),
        answered: status.as_u16(),
        sid,
        at: Instant::now(),
    });

    let mut response = (status, Json(json)).into_response();
    match reply {
        Some(Reply::Hang(delay)) => {
            // Ends early if the fake is dropped (or, by hyper, if the client hangs up).
            let _ = tokio::time::timeout(delay, stop.cancelled()).await;
        }
        Some(Reply::RateLimited { retry_after_secs }) => {
            let value = HeaderValue::from(retry_after_secs);
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        _ => {}
    }
    response
}

fn error(status: u16, code: u32, message: &str) -> (StatusCode, Value) {
    let body = json!({ "code": code, "message": message, "status": status });
    (StatusCode::from_u16(status).unwrap(), body)
}

/// `Basic base64(user:password)` → (user, password).
fn parse_basic_auth(value: &str) -> Option<(String, String)> {
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let (user, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// `application/x-www-form-urlencoded` encoding, for the self-test.
fn form(pairs: &[(&str, &str)]) -> String {
    let encode = |s: &str| -> String {
        let keep = |b: u8| b.is_ascii_alphanumeric() || b"-_.~".contains(&b);
        s.bytes()
            .map(|b| {
                if keep(b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    let pairs: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    pairs.join("&")
}

#[tokio::test]
async fn fake_twilio_follows_its_script_and_records_everything() {
    let twilio = FakeTwilio::start().await;
    let url = format!("{}/2010-04-01/Accounts/AC123/Messages.json", twilio.base);
    let timeout = Duration::from_millis(200);
    let client = reqwest::Client::builder().timeout(timeout).build().unwrap();
    let send = |fields: &[(&str, &str)]| {
        let request = client.post(&url).basic_auth("AC123", Some("secret"));
        let request = request.header("I-Twilio-Idempotency-Token", "key-1");
        let request = request.header("content-type", "application/x-www-form-urlencoded");
        request.body(form(fields)).send()
    };
    let code = |response: reqwest::Response| async {
        response.json::<Value>().await.unwrap()["code"].clone()
    };
    let sms = [
        ("To", "+33612345678"),
        ("From", "+33700000000"),
        ("Body", "A-12 & مرحبا"),
    ];

    twilio.script(vec![
        Reply::RateLimited {
            retry_after_secs: 7,
        },
        Reply::ServerError,
        Reply::InvalidNumber,
        Reply::Hang(Duration::from_secs(5)),
    ]);
    let limited = send(&sms).await.unwrap();
    assert_eq!(limited.headers()["retry-after"], "7");
    assert_eq!(code(limited).await, 20429);
    assert_eq!(code(send(&sms).await.unwrap()).await, 20500);
    assert_eq!(code(send(&sms).await.unwrap()).await, 21211);
    assert!(send(&sms).await.unwrap_err().is_timeout());

    // The script is used up: back to accepting.
    let callback = "http://guichet/hooks/twilio";
    let fields = [
        ("To", "+33611111111"),
        ("MessagingServiceSid", "MG1"),
        ("Body", "OK"),
        ("StatusCallback", callback),
    ];
    let accepted = send(&fields).await.unwrap();
    assert_eq!(accepted.status(), 201);
    let accepted: Value = accepted.json().await.unwrap();
    let sid = accepted["sid"].as_str().unwrap();
    assert!(sid.starts_with("SM") && sid.len() == 34 && accepted["status"] == "queued");
    assert_eq!(
        code(send(&[("To", "+33611111111")]).await.unwrap()).await,
        21604
    );
    let elsewhere = client
        .post(format!("{}/elsewhere", twilio.base))
        .send()
        .await
        .unwrap();
    assert_eq!(elsewhere.status(), 404);

    let answered: Vec<u16> = twilio.received().iter().map(|r| r.answered).collect();
    assert_eq!(answered, [429, 500, 400, 201, 201, 400]);
    let delivered = twilio.wait_for_delivered(2, Duration::from_secs(1)).await;
    let (hung, last) = (&delivered[0], &delivered[1]);
    assert_eq!(hung.account_sid, "AC123");
    assert_eq!(hung.basic_auth, Some(("AC123".into(), "secret".into())));
    assert_eq!(
        (hung.to.as_str(), hung.from.as_deref()),
        ("+33612345678", Some("+33700000000"))
    );
    assert_eq!(hung.body, "A-12 & مرحبا");
    assert_eq!(hung.idempotency_key.as_deref(), Some("key-1"));
    assert_eq!(last.messaging_service_sid.as_deref(), Some("MG1"));
    assert_eq!(last.status_callback.as_deref(), Some(callback));
    assert_eq!(last.sid.as_deref(), Some(sid));
    assert!(hung.at <= last.at);
}
