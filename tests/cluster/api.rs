//! JSON over HTTP through nginx, with the status kept for assertions.

use reqwest::StatusCode;
use serde_json::Value;

#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    pub base: String,
}

#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            client: reqwest::Client::new(),
            base: base.to_owned(),
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        answer(self.client.get(format!("{}{path}", self.base))).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Answer {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body);
        answer(request).await
    }

    /// Posts and insists on `expected`; the answer's body.
    pub async fn must(&self, path: &str, token: &str, body: Value, expected: u16) -> Value {
        let answer = self.post(path, token, body).await;
        assert_eq!(
            answer.status.as_u16(),
            expected,
            "POST {path}: {}",
            answer.body
        );
        answer.body
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let body = serde_json::json!({"username": username, "password": password});
        let answer = answer(
            self.client
                .post(format!("{}/api/v1/auth/login", self.base))
                .json(&body),
        )
        .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "login {username}: {}",
            answer.body
        );
        answer.body["token"].as_str().expect("token").to_owned()
    }

    /// One instance's Prometheus text, read from it directly.
    pub async fn metrics(&self) -> String {
        let answer = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .expect("metrics answer");
        assert_eq!(answer.status(), StatusCode::OK);
        answer.text().await.expect("metrics text")
    }
}

async fn answer(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.expect("answer through nginx");
    let status = response.status();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer { status, body }
}

/// The sum of a counter's samples whose labels contain every one of `labels`.
pub fn metric_sum(metrics: &str, name: &str, labels: &[&str]) -> f64 {
    metrics
        .lines()
        .filter(|line| line.starts_with(name) && labels.iter().all(|l| line.contains(l)))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}
