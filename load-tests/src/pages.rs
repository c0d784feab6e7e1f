//! Scenario `pages`: how fast the citizen pages show their content on a
//! slow mobile connection, in a real browser.
//!
//! The server runs the demo office (`guichet demo`, then `serve`). Headless
//! Chromium, driven by `chromedriver` over WebDriver, gets the network of
//! WebPageTest's "3G Slow" profile through chromedriver's
//! `network_conditions` (400 ms added to each request's round trip,
//! 400 kbit/s down and up). Each page is opened `--visits` times, each time
//! in a fresh browser with an empty cache. For each visit the page reports
//! its first contentful paint and its load event (Navigation Timing), and
//! the bytes it transferred (Resource Timing). The target is content within
//! 2 s; the run fails, after its report, when a page's p50 first paint is
//! above `--target-ms`.

use crate::report::{histogram, ms, print_row, record};
use crate::server;
use anyhow::{Context, bail};
use clap::Args;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct Options {
    /// Cold visits of each page.
    #[arg(long, default_value_t = 5)]
    visits: usize,
    /// Round-trip time added to each request, in milliseconds.
    #[arg(long, default_value_t = 400)]
    latency_ms: u64,
    /// Bandwidth down and up, in kbit/s.
    #[arg(long, default_value_t = 400)]
    kbps: u64,
    /// The p50 first paint a page must reach.
    #[arg(long, default_value_t = 2000)]
    target_ms: u64,
    /// The `guichet` binary to start.
    #[arg(long)]
    bin: Option<String>,
    /// The chromedriver to start.
    #[arg(long, default_value = "chromedriver")]
    chromedriver: String,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// The citizen pages of the demo office.
const PAGES: [&str; 7] = [
    "/",
    "/sites/casa-anfa",
    "/book/casa-anfa/passport",
    "/requests",
    "/complaints",
    "/me/login",
    "/sites/casa-anfa?lang=ar",
];

pub async fn run(options: Options) -> anyhow::Result<()> {
    let binary = options.bin.clone().unwrap_or_else(server::default_binary);
    let dir = tempfile::tempdir()?;
    let database_url = format!("sqlite://{}", dir.path().join("pages.db").display());
    let seeded = Command::new(&binary)
        .args(["demo", "--database-url", &database_url])
        .stdout(Stdio::null())
        .status()
        .with_context(|| format!("running {binary} demo"))?;
    if !seeded.success() {
        bail!("`guichet demo` failed");
    }
    let spawned = server::spawn(&binary, &database_url, &[]).await?;
    let port = server::free_port()?;
    let _driver = Driver(
        Command::new(&options.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver (Debian package chromium-driver)")?,
    );
    let webdriver = format!("http://127.0.0.1:{port}");
    let mut summary = serde_json::Map::new();
    let mut failed = Vec::new();
    if !options.json {
        println!(
            "pages: {} cold visits each, +{} ms RTT, {} kbit/s",
            options.visits, options.latency_ms, options.kbps
        );
    }
    for page in PAGES {
        let (mut paint, mut load) = (histogram(), histogram());
        let mut bytes = 0;
        for _ in 0..options.visits {
            let client = session(&webdriver).await?;
            let visit = visit(&client, &options, &format!("{}{page}", spawned.url)).await;
            let _ = client.close().await;
            let visit = visit?;
            record(&mut paint, Duration::from_millis(visit.paint_ms));
            record(&mut load, Duration::from_millis(visit.load_ms));
            bytes = visit.bytes;
        }
        let (p50, p90) = (ms(&paint, 0.5), ms(&paint, 0.9));
        if p50 > options.target_ms as f64 {
            failed.push(page);
        }
        if !options.json {
            print_row(
                page,
                format!(
                    "first paint p50 {p50} ms, p90 {p90} ms; load p50 {} ms; {bytes} B",
                    ms(&load, 0.5)
                ),
            );
        }
        summary.insert(
            page.to_owned(),
            json!({"first_paint_p50_ms": p50, "first_paint_p90_ms": p90,
                   "load_p50_ms": ms(&load, 0.5), "transferred_bytes": bytes}),
        );
    }
    let summary = json!({"scenario": "pages", "visits": options.visits,
        "latency_ms": options.latency_ms, "kbps": options.kbps,
        "target_ms": options.target_ms, "pages": summary, "over_target": failed});
    if options.json {
        println!("{summary}");
    }
    if !failed.is_empty() {
        bail!("first paint p50 above {} ms: {failed:?}", options.target_ms);
    }
    Ok(())
}

struct Visit {
    paint_ms: u64,
    load_ms: u64,
    bytes: u64,
}

/// One cold visit of `url` on the throttled network.
async fn visit(client: &Client, options: &Options, url: &str) -> anyhow::Result<Visit> {
    let bytes_per_second = options.kbps * 1000 / 8;
    client
        .issue_cmd(NetworkConditions(json!({"network_conditions": {
            "offline": false,
            "latency": options.latency_ms,
            "download_throughput": bytes_per_second,
            "upload_throughput": bytes_per_second,
        }})))
        .await
        .context("throttling the network")?;
    client.goto(url).await?;
    let started = Instant::now();
    loop {
        let timing = client
            .execute(
                "const n = performance.getEntriesByType('navigation')[0];
                 const p = performance.getEntriesByName('first-contentful-paint')[0];
                 const bytes = [n, ...performance.getEntriesByType('resource')]
                     .reduce((sum, e) => sum + (e.transferSize || 0), 0);
                 return n && p && n.loadEventEnd > 0
                     ? [p.startTime, n.loadEventEnd, bytes] : null;",
                vec![],
            )
            .await?;
        if let Value::Array(values) = timing {
            let at = |i: usize| values.get(i).and_then(Value::as_f64).unwrap_or(0.0) as u64;
            return Ok(Visit {
                paint_ms: at(0),
                load_ms: at(1),
                bytes: at(2),
            });
        }
        if started.elapsed() > Duration::from_secs(30) {
            bail!("{url}: no first paint within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A fresh headless browser: a new profile, so an empty cache.
async fn session(webdriver: &str) -> anyhow::Result<Client> {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                        "--disable-dev-shm-usage", "--window-size=390,844"]}),
    );
    let started = Instant::now();
    loop {
        // WebDriver is plain HTTP on the loopback: no TLS in the client.
        let connected = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(webdriver)
            .await;
        match connected {
            Ok(client) => return Ok(client),
            Err(error) if started.elapsed() > Duration::from_secs(20) => {
                bail!("no browser session: {error}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// chromedriver's `POST /session/{id}/chromium/network_conditions`.
#[derive(Debug)]
struct NetworkConditions(Value);

impl WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/chromium/network_conditions",
            session.unwrap_or("")
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

/// The chromedriver process, stopped when dropped.
struct Driver(std::process::Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
