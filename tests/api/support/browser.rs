//! A real browser for the screens: headless Chromium driven over WebDriver
//! by a `chromedriver` of the test's own, on a free port. Screenshots go to
//! `target/screenshots/` in the workspace, to be looked at.
//!
//! Every page opened records the Content-Security-Policy violations it
//! meets (a listener installed before any of its scripts runs, kept in the
//! tab's `sessionStorage` across pages), and `close` fails the test if
//! there was any: the screens must work under the strict policy.
//!
//! Tests that use it are ignored unless asked for (`--include-ignored`),
//! as they need Debian's `chromium` and `chromium-driver`, which `.ci/run`
//! installs.

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// A TV in the lobby.
pub const TV: (u32, u32) = (1920, 1080);
/// A phone.
pub const PHONE: (u32, u32) = (390, 844);
/// The kiosk's touch screen, upright.
pub const KIOSK: (u32, u32) = (1080, 1920);
/// An agent's desktop.
pub const DESKTOP: (u32, u32) = (1366, 768);

/// One browser test at a time: several Chromiums starting at once on a
/// small machine would turn the screens' one-second promises into a
/// measure of the machine. Other tests still run beside it.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Waits for this test's turn at the browser; held until dropped.
pub async fn turn() -> tokio::sync::MutexGuard<'static, ()> {
    TURN.lock().await
}

pub struct Browser {
    pub client: Client,
    _driver: Child,
}

impl Browser {
    /// A new headless Chromium whose page area is `width` × `height`.
    pub async fn open((width, height): (u32, u32)) -> Browser {
        let port = guichet_test_support::free_port();
        let driver_path =
            std::env::var("GUICHET_TEST_CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver runs (Debian package chromium-driver)");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--hide-scrollbars",
                    "--autoplay-policy=no-user-gesture-required",
                    "--lang=fr-FR",
                    format!("--window-size={width},{height}"),
                ]
            }),
        );
        let webdriver = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            // WebDriver is plain HTTP on the loopback: no TLS in the client.
            let connected = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await;
            match connected {
                Ok(client) => break client,
                Err(error) if started.elapsed() > Duration::from_secs(20) => {
                    panic!("no browser session: {error}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        let browser = Browser {
            client,
            _driver: driver,
        };
        browser.resize((width, height)).await;
        browser.watch_policy().await;
        browser
    }

    /// Records every policy violation of every page from now on.
    async fn watch_policy(&self) {
        let listener = Cdp {
            command: "Page.addScriptToEvaluateOnNewDocument",
            params: json!({ "source": WATCH_POLICY }),
        };
        self.client
            .issue_cmd(listener)
            .await
            .expect("the policy listener installed");
    }

    /// The Content-Security-Policy violations seen in this tab so far.
    pub async fn policy_violations(&self) -> Vec<String> {
        let seen = self
            .eval(&format!(
                "try {{ return sessionStorage.getItem('{VIOLATIONS}') || '[]'; }} catch (e) {{ return '[]'; }}"
            ))
            .await;
        serde_json::from_str(seen.as_str().unwrap_or("[]")).unwrap_or_default()
    }

    /// Makes the page area exactly `width` × `height`.
    pub async fn resize(&self, (width, height): (u32, u32)) {
        let chrome: Value = self
            .client
            .execute(
                "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]",
                vec![],
            )
            .await
            .expect("window size read");
        let extra = |i: usize| chrome[i].as_u64().unwrap_or(0) as u32;
        self.client
            .set_window_size(width + extra(0), height + extra(1))
            .await
            .expect("window resized");
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("page loads");
    }

    /// The text of the first element matching `css`, once there is one.
    pub async fn text(&self, css: &str) -> String {
        self.client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .text()
            .await
            .expect("text read")
    }

    /// Waits up to `within` until the text of `css` contains `wanted`;
    /// returns how long it took, or panics with what was there.
    pub async fn wait_for_text(&self, css: &str, wanted: &str, within: Duration) -> Duration {
        let started = Instant::now();
        let mut seen = String::new();
        while started.elapsed() < within {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                seen = element.text().await.unwrap_or_default();
                if seen.contains(wanted) {
                    return started.elapsed();
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("{css} did not show {wanted:?} within {within:?}; it showed {seen:?}");
    }

    pub async fn click(&self, css: &str) {
        self.client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("{css} not clickable: {e}"));
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let field = self
            .client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        field.clear().await.expect("field cleared");
        field.send_keys(value).await.expect("typed");
    }

    /// Runs `script` in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}"))
    }

    /// Saves what the browser shows as `target/screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("screenshot written");
        path
    }

    /// Closes the browser; fails the test if any page met a
    /// Content-Security-Policy violation.
    pub async fn close(self) {
        let violations = self.policy_violations().await;
        let _ = self.client.close().await;
        assert!(
            violations.is_empty(),
            "Content-Security-Policy violations: {violations:?}"
        );
    }
}

/// Where the listener keeps the violations of a tab.
const VIOLATIONS: &str = "guichet-test-csp-violations";

/// Runs in every page before its own scripts.
const WATCH_POLICY: &str = r#"document.addEventListener("securitypolicyviolation", function (e) {
  try {
    var key = "guichet-test-csp-violations";
    var seen = JSON.parse(sessionStorage.getItem(key) || "[]");
    seen.push(e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " on " + location.pathname);
    sessionStorage.setItem(key, JSON.stringify(seen));
  } catch (ignored) {}
});"#;

/// A Chrome DevTools command, through chromedriver.
#[derive(Debug)]
struct Cdp {
    command: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.command, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}
