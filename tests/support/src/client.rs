//! The typed HTTP client the tests talk through, to a server in the test's
//! process, a `guichet serve` child or nginx in front of a cluster alike.
//! Every call gives an [`Answer`]: status, headers, JSON body (`Null` when
//! empty, a string when not JSON) and how long it took.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// One answer. A request that got no HTTP answer (refused, reset, timed
/// out) has `transport_error` set, and only from a [`Client::lenient`]
/// one: an ordinary client fails the test instead.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub took: Duration,
    pub transport_error: Option<String>,
}

impl Answer {
    /// The error code of an error answer (`""` if none).
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// Reads a response into an answer.
    pub async fn read(response: reqwest::Response, started: Instant) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body read");
        Self {
            status,
            headers,
            body: parse(text),
            took: started.elapsed(),
            transport_error: None,
        }
    }
}

fn parse(text: String) -> Value {
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }
}

/// A base URL (`http://host:port`) and the client that calls it.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    lenient: bool,
}

impl Client {
    /// A client that fails the test when a request gets no answer.
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_owned(),
            http: reqwest::Client::new(),
            lenient: false,
        }
    }

    /// A client that records a request with no answer in the answer
    /// (`transport_error`, status 418), giving up after `timeout`: a test
    /// that stops servers counts such failures.
    pub fn lenient(base: &str, timeout: Duration) -> Self {
        Self {
            base: base.to_owned(),
            http: reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .expect("HTTP client"),
            lenient: true,
        }
    }

    /// `ws://…` for a path of this server.
    pub fn ws(&self, path: &str) -> String {
        format!("{}{path}", self.base.replacen("http", "ws", 1))
    }

    /// The full URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    /// Sends a request built by the test.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        let started = Instant::now();
        match request.send().await {
            Ok(response) => Answer::read(response, started).await,
            Err(error) if self.lenient => Answer {
                status: StatusCode::IM_A_TEAPOT,
                headers: Default::default(),
                body: Value::Null,
                took: started.elapsed(),
                transport_error: Some(error.to_string()),
            },
            Err(error) => panic!("request to {} not answered: {error}", self.base),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.call(Method::PATCH, path, token, Some(body)).await
    }

    /// Posts and insists on `expected`; the answer's body.
    pub async fn must(&self, path: &str, token: &str, body: Value, expected: u16) -> Value {
        let answer = self.post(path, Some(token), body).await;
        assert_eq!(
            answer.status.as_u16(),
            expected,
            "POST {path}: {}",
            answer.body
        );
        answer.body
    }

    /// Logs in and returns the token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let answer = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "login of {username}: {}",
            answer.body
        );
        answer.body["token"].as_str().expect("token").to_owned()
    }

    /// The Prometheus text of `/metrics`.
    pub async fn metrics(&self) -> String {
        let answer = self
            .http
            .get(self.url("/metrics"))
            .send()
            .await
            .expect("metrics answer");
        assert_eq!(answer.status(), StatusCode::OK);
        answer.text().await.expect("metrics text")
    }
}

/// The sum of a metric's samples whose labels contain every one of `labels`.
pub fn metric_sum(metrics: &str, name: &str, labels: &[&str]) -> f64 {
    metrics
        .lines()
        .filter(|line| line.starts_with(name) && labels.iter().all(|l| line.contains(l)))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}
