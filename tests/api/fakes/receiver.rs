//! A third-party system receiving Guichet's outbound webhooks on `POST /hook`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::{Router, routing::post};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::{CancellationToken, DropGuard};

/// One webhook delivery as received.
#[derive(Clone, Debug)]
pub struct Delivery {
    /// Header names in lowercase; repeated headers joined with ", ".
    pub headers: HashMap<String, String>,
    pub body: String,
    pub answered: u16,
}

#[derive(Default)]
struct Shared {
    script: VecDeque<u16>,
    received: Vec<Delivery>,
    /// Sent as `Location` with every answer, when set.
    location: Option<String>,
}

pub struct FakeReceiver {
    /// "http://127.0.0.1:PORT/hook".
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    _stop: DropGuard,
}

impl FakeReceiver {
    /// Starts the receiver; it answers 200 until scripted.
    pub async fn start() -> Self {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let stop = CancellationToken::new();
        let app = Router::new()
            .route("/hook", post(hook))
            .with_state(shared.clone());
        let addr = super::serve_http(app, stop.clone()).await;
        FakeReceiver {
            url: format!("http://{addr}/hook"),
            shared,
            _stop: stop.drop_guard(),
        }
    }

    /// The next deliveries get these status codes in order, then 200.
    pub fn script(&self, statuses: Vec<u16>) {
        self.shared.lock().unwrap().script.extend(statuses);
    }

    /// Its answers say `Location: url` from now on (script a 3xx to make
    /// it a redirect).
    pub fn redirect_to(&self, url: &str) {
        self.shared.lock().unwrap().location = Some(url.to_owned());
    }

    /// Every delivery so far, in order, refused ones included.
    pub fn received(&self) -> Vec<Delivery> {
        self.shared.lock().unwrap().received.clone()
    }

    /// Waits until at least `n` deliveries were answered 2xx or `within` has
    /// passed, then returns those answered 2xx (all of them: `received()` has
    /// the refused ones too).
    pub async fn wait_for_accepted(&self, n: usize, within: Duration) -> Vec<Delivery> {
        let accepted = || -> Vec<Delivery> {
            let all = self.received();
            all.into_iter()
                .filter(|d| (200..300).contains(&d.answered))
                .collect()
        };
        super::poll_until(n, within, accepted).await
    }
}

async fn hook(
    State(shared): State<Arc<Mutex<Shared>>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, HeaderMap) {
    let mut names: HashMap<String, String> = HashMap::new();
    for (name, value) in &headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        names
            .entry(name.as_str().to_string()) // the http crate keeps names in lowercase
            .and_modify(|v| *v = format!("{v}, {value}"))
            .or_insert_with(|| value.to_string());
    }
    let mut shared = shared.lock().unwrap();
    let answered = shared.script.pop_front().unwrap_or(200);
    let body = String::from_utf8_lossy(&body).into_owned();
    shared.received.push(Delivery {
        headers: names,
        body,
        answered,
    });
    let status =
        StatusCode::from_u16(answered).expect("fake receiver: scripted an invalid status code");
    let mut answer = HeaderMap::new();
    if let Some(location) = &shared.location {
        answer.insert(
            axum::http::header::LOCATION,
            location.parse().expect("fake receiver: a Location"),
        );
    }
    (status, answer)
}

#[tokio::test]
async fn fake_receiver_follows_its_script_and_records_everything() {
    let receiver = FakeReceiver::start().await;
    receiver.script(vec![503, 410]);
    let client = reqwest::Client::new();
    let deliver = |n: u32| {
        client
            .post(&receiver.url)
            .header("X-Guichet-Signature", format!("sha256=n{n}"))
            .json(&serde_json::json!({ "event": "ticket.called", "n": n }))
            .send()
    };

    let statuses = [
        deliver(1).await.unwrap(),
        deliver(2).await.unwrap(),
        deliver(3).await.unwrap(),
    ]
    .map(|r| r.status());
    assert_eq!(statuses, [503, 410, 200]);
    let answered: Vec<u16> = receiver.received().iter().map(|d| d.answered).collect();
    assert_eq!(answered, [503, 410, 200]);

    let accepted = receiver.wait_for_accepted(1, Duration::from_secs(1)).await;
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0].headers["x-guichet-signature"], "sha256=n3");
    assert_eq!(accepted[0].headers["content-type"], "application/json");
    assert_eq!(accepted[0].body, r#"{"event":"ticket.called","n":3}"#);
    assert_eq!(
        client.get(&receiver.url).send().await.unwrap().status(),
        405
    );
}
