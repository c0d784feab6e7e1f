//! `guichet serve` as a child process of the test, on a port picked here,
//! its log in a file; and the HTTP calls the tests make to it, each timed.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A request that has not answered after this long counts as hung: the
/// client gives up so that the test reports it instead of hanging too.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Guichet {
    child: std::sync::Mutex<Option<Child>>,
    pub base: String,
    pub client: reqwest::Client,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Guichet {
    /// Starts `guichet serve` on `database_url` with extra environment
    /// (`REDIS_URL`, `GUICHET_SMS`, …) and waits until `/healthz` answers.
    pub async fn serve(database_url: &str, env: &[(&str, String)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("guichet.log");
        let port = super::free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_guichet"))
            .arg("serve")
            .env("GUICHET_ADDR", format!("127.0.0.1:{port}"))
            .env("DATABASE_URL", database_url)
            .env("GUICHET_LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .env("GUICHET_TRUSTED_PROXIES", "127.0.0.1")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("guichet serve starts");
        let guichet = Self {
            child: std::sync::Mutex::new(Some(child)),
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .timeout(CLIENT_TIMEOUT)
                .build()
                .expect("HTTP client"),
            log,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if guichet.get("/healthz", None).await.status == StatusCode::OK {
                return guichet;
            }
            assert!(
                Instant::now() < deadline,
                "guichet did not start: {}",
                guichet.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// `ws://…` for a path of this instance.
    pub fn ws(&self, path: &str) -> String {
        format!("{}{path}", self.base.replacen("http", "ws", 1))
    }

    /// SIGKILL: no request finishes, no socket is closed politely, no
    /// claim is released.
    pub fn kill(&self) {
        let child = self.child.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(mut child) = child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Self::send(request).await
    }

    /// A public POST from the citizen at `client`: the test stands for the
    /// load balancer in front of many citizens (`GUICHET_TRUSTED_PROXIES`),
    /// so each one's rate limits count apart.
    pub async fn post_from(&self, path: &str, body: Value, client: &str) -> Answer {
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("X-Forwarded-For", client)
            .json(&body);
        Self::send(request).await
    }

    async fn send(request: reqwest::RequestBuilder) -> Answer {
        let started = Instant::now();
        let outcome = async {
            let response = request.send().await?;
            let status = response.status();
            let text = response.text().await?;
            Ok::<_, reqwest::Error>((status, text))
        }
        .await;
        let took = started.elapsed();
        match outcome {
            Ok((status, text)) => Answer {
                status,
                body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
                took,
                transport_error: None,
            },
            Err(error) => Answer {
                status: StatusCode::IM_A_TEAPOT,
                body: Value::Null,
                took,
                transport_error: Some(error.to_string()),
            },
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Answer {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// Logs in and returns the token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let body = serde_json::json!({"username": username, "password": password});
        let answer = self.post("/api/v1/auth/login", None, body).await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "login of {username}: {answer:?}"
        );
        answer.body["token"].as_str().expect("token").to_owned()
    }
}

impl Drop for Guichet {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One answer, with how long it took. A request that got no HTTP answer
/// (refused, reset, timed out) has `transport_error` set.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub took: Duration,
    pub transport_error: Option<String>,
}

impl Answer {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

/// `guichet user add NAME --role ROLE [--site SITE]`, the password on
/// standard input, as an operator creates accounts.
pub fn user_add(database_url: &str, name: &str, role: &str, site: Option<&str>, password: &str) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_guichet"));
    command.args(["user", "add", name, "--role", role]);
    if let Some(site) = site {
        command.args(["--site", site]);
    }
    let mut child = command
        .env("DATABASE_URL", database_url)
        .env("GUICHET_LOG_FORMAT", "json")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("guichet user add runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(password.as_bytes())
        .expect("password written");
    let output = child.wait_with_output().expect("guichet user add ends");
    assert!(
        output.status.success(),
        "user add {name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
