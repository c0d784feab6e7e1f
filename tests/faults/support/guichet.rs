//! `guichet serve` as a child process of the test, on a port picked here,
//! its log in a file. The test talks to it through the shared lenient
//! [`Client`] (every call timed, a request with no answer recorded rather
//! than failing the test), which a `Guichet` derefs to.

use guichet_test_support::wait::holds_within;
use guichet_test_support::{Answer, Client};
use reqwest::StatusCode;
use serde_json::Value;
use std::io::Write;
use std::ops::Deref;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A request that has not answered after this long counts as hung: the
/// client gives up so that the test reports it instead of hanging too.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Guichet {
    child: std::sync::Mutex<Option<Child>>,
    client: Client,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Guichet {
    /// Starts `guichet serve` on `database_url` with extra environment
    /// (`REDIS_URL`, `GUICHET_SMS`, …) and waits until `/healthz` answers.
    pub async fn serve(database_url: &str, env: &[(&str, String)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("guichet.log");
        let port = guichet_test_support::free_port();
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
            client: Client::lenient(&format!("http://127.0.0.1:{port}"), CLIENT_TIMEOUT),
            log,
            _dir: dir,
        };
        let answering = async || guichet.get("/healthz", None).await.status == StatusCode::OK;
        if !holds_within(Duration::from_secs(60), answering).await {
            panic!("guichet did not start: {}", guichet.log_text());
        }
        guichet
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

    /// A public POST from the citizen at `client`: the test stands for the
    /// load balancer in front of many citizens (`GUICHET_TRUSTED_PROXIES`),
    /// so each one's rate limits count apart.
    pub async fn post_from(&self, path: &str, body: Value, client: &str) -> Answer {
        let request = self
            .http
            .post(self.url(path))
            .header("X-Forwarded-For", client)
            .json(&body);
        self.send(request).await
    }
}

impl Deref for Guichet {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Drop for Guichet {
    fn drop(&mut self) {
        self.kill();
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
