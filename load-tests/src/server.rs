//! Starting a `guichet serve` process on a fresh database, and setting up
//! the offices, staff and devices a scenario drives: over the HTTP API, and
//! with the `guichet` commands an operator runs where the API has none
//! (`user add`, `tally`, `seed`).

use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PASSWORD: &str = "load-test-password";

/// A running server process, stopped when dropped.
pub struct Spawned {
    child: Child,
    pub url: String,
}

impl Spawned {
    /// Wraps a started process so that it is stopped when dropped.
    pub fn new(child: Child, url: String) -> Self {
        Self { child, url }
    }

    /// The process's resident memory (`VmRSS`), in KiB.
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        rss_kib_of(self.child.id())
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// A process's resident memory (`VmRSS`), in KiB.
pub fn rss_kib_of(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading the status of process {pid}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no VmRSS for process {pid}"))
}

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `guichet` binary when `--bin` is not given: `GUICHET_BIN`, else the
/// one built beside this tool (`cargo build --release -p guichet -p
/// guichet-load`), else the release build of the workspace's target directory.
pub fn default_binary() -> String {
    if let Ok(binary) = std::env::var("GUICHET_BIN") {
        return binary;
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("guichet")))
        .filter(|path| path.is_file());
    if let Some(beside) = beside {
        return beside.display().to_string();
    }
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".to_owned());
    format!("{target}/release/guichet")
}

/// Runs `guichet ARGS` on the database, as an operator would, with `stdin`
/// as its standard input, and returns its standard output; an error
/// unless it succeeds.
pub async fn operator(
    binary: &str,
    database_url: &str,
    args: &[&str],
    stdin: &str,
) -> anyhow::Result<String> {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new(binary)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {binary} (build it with `cargo build --release`)"))?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).await?;
    }
    let output = child.wait_with_output().await?;
    if !output.status.success() {
        bail!(
            "guichet {}: {}: {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8(output.stdout)?)
}

/// Creates a staff account with the load-test password (`guichet user add`).
pub async fn add_user(
    binary: &str,
    database_url: &str,
    name: &str,
    role: &str,
    site: Option<&str>,
) -> anyhow::Result<()> {
    let mut args = vec!["user", "add", name, "--role", role];
    if let Some(site) = site {
        args.extend(["--site", site]);
    }
    operator(binary, database_url, &args, &format!("{PASSWORD}\n")).await?;
    Ok(())
}

/// What the database holds for a site (`guichet tally`), as JSON.
pub async fn tally(
    binary: &str,
    database_url: &str,
    site: &str,
    references: bool,
) -> anyhow::Result<Value> {
    let mut args = vec!["tally", site];
    if references {
        args.push("--references");
    }
    let out = operator(binary, database_url, &args, "").await?;
    serde_json::from_str(&out).with_context(|| format!("reading the tally of {site}"))
}

/// A free loopback port to start a server on.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts the server on a free loopback port, with `env` added to its
/// environment (`REDIS_URL` is only there when `env` sets it), and waits
/// until it is ready.
pub async fn spawn(
    binary: &str,
    database_url: &str,
    env: &[(&str, &str)],
) -> anyhow::Result<Spawned> {
    let port = free_port()?;
    let child = Command::new(binary)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        // The generator stands for a proxy in front of many citizens: each
        // simulated citizen comes from an address of its own (see
        // `citizen_address`), as a national crowd does, and the per-address
        // rate limits count them apart.
        .env("GUICHET_TRUSTED_PROXIES", "127.0.0.1")
        // `fanout` holds far more sockets on one instance than the default
        // cap of connections (16,384) lets in; its open-files check bounds it.
        .env("GUICHET_MAX_CONNECTIONS", "1000000")
        // Its screens and phones all open their sockets from this one
        // address, thousands of them: the caps of a real office are lifted.
        .env("GUICHET_LIVE_SOCKETS_PER_ADDRESS", "1000000")
        .env("GUICHET_LIVE_SOCKETS_MAX", "1000000")
        .env_remove("REDIS_URL")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {binary} (build it with `cargo build --release`)"))?;
    wait_ready(Spawned::new(child, format!("http://127.0.0.1:{port}"))).await
}

/// Today's date in `timezone` (an IANA name).
pub fn local_today(timezone: &str) -> anyhow::Result<jiff::civil::Date> {
    let zone = jiff::tz::TimeZone::get(timezone)?;
    Ok(jiff::Timestamp::now().to_zoned(zone).date())
}

/// The address simulated citizen `n` comes from, for `X-Forwarded-For`.
pub fn citizen_address(n: u64) -> String {
    let [_, _, _, _, _, a, b, c] = n.to_be_bytes();
    format!("10.{a}.{b}.{c}")
}

/// Waits up to 30 s for the process's `/readyz` to answer 2xx.
pub async fn wait_ready(mut spawned: Spawned) -> anyhow::Result<Spawned> {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{}/readyz", spawned.url)).send().await
            && r.status().is_success()
        {
            return Ok(spawned);
        }
        if let Some(status) = spawned.child.try_wait()? {
            bail!("the server exited before it was ready: {status}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server did not become ready within 30 s")
}

/// Creates the admin with `guichet user add`, which migrates the database first.
pub async fn create_admin(binary: &str, database_url: &str) -> anyhow::Result<()> {
    add_user(binary, database_url, "load-admin", "admin", None).await
}

/// One office of the scenario: a kiosk token and its counters with the
/// token of the agent who opened each.
pub struct Office {
    pub id: String,
    pub kiosk: String,
    pub counters: Vec<(String, String)>,
}

/// Creates `sites` offices open around the clock, each with one service
/// and `counters` open counters.
pub async fn create_offices(
    url: &str,
    (binary, database_url): (&str, &str),
    sites: usize,
    counters: usize,
) -> anyhow::Result<Vec<Office>> {
    let client = reqwest::Client::new();
    let admin = login(&client, url, "load-admin").await?;
    let always = json!([["00:00", "24:00"]]);
    let hours: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| ((*d).to_owned(), always.clone()))
        .collect();
    let mut offices = Vec::new();
    for s in 0..sites {
        let id = format!("load-{s}");
        post(
            &client,
            url,
            &admin,
            "/api/v1/sites",
            json!({"id": id, "name": id, "timezone": "Africa/Casablanca", "opening_hours": hours}),
        )
        .await?;
        let service = json!({"id": "residence", "prefix": "A", "name": "Certificat de résidence", "service_minutes": 5});
        post(
            &client,
            url,
            &admin,
            &format!("/api/v1/sites/{id}/services"),
            service,
        )
        .await?;
        let kiosk = post(
            &client,
            url,
            &admin,
            &format!("/api/v1/sites/{id}/devices"),
            json!({"kind": "kiosk", "label": "Borne"}),
        )
        .await?;
        let mut office = Office {
            id: id.clone(),
            kiosk: kiosk["token"].as_str().unwrap_or_default().to_owned(),
            counters: Vec::new(),
        };
        for c in 0..counters {
            let counter = format!("{id}-g{c}");
            let body =
                json!({"id": counter, "label": format!("Guichet {c}"), "services": ["residence"]});
            post(
                &client,
                url,
                &admin,
                &format!("/api/v1/sites/{id}/counters"),
                body,
            )
            .await?;
            let agent = format!("{id}-agent{c}");
            add_user(binary, database_url, &agent, "agent", Some(&id)).await?;
            let token = login(&client, url, &agent).await?;
            post(
                &client,
                url,
                &token,
                &format!("/api/v1/counters/{counter}/open"),
                json!({}),
            )
            .await?;
            office.counters.push((counter, token));
        }
        offices.push(office);
    }
    Ok(offices)
}

/// Logs in with the load-test password and returns the session token.
pub async fn login(client: &reqwest::Client, url: &str, username: &str) -> anyhow::Result<String> {
    let answer: Value = client
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(answer["token"].as_str().unwrap_or_default().to_owned())
}

/// POSTs `body` with `token`, and returns the JSON answer (null if none);
/// an error unless the status is 2xx.
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    path: &str,
    body: Value,
) -> anyhow::Result<Value> {
    let response = client
        .post(format!("{url}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    let status = response.status();
    let text = response.text().await?;
    if !status.is_success() {
        bail!("{path}: {status} {text}");
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Where a scenario runs its servers: how many instances, on which
/// database and Redis, from which binary (the options `fanout` and `day`
/// share).
#[derive(clap::Args, Debug, Clone)]
pub struct Deployment {
    /// Guichet instances (2 needs --redis-url and a PostgreSQL --database-url);
    /// requests and sockets go round them.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub instances: u8,
    /// Redis the instances share events through.
    #[arg(long)]
    pub redis_url: Option<String>,
    /// A fresh PostgreSQL database to use (`postgres://…`); SQLite in a temporary file otherwise.
    #[arg(long)]
    pub database_url: Option<String>,
    /// The `guichet` binary to start.
    #[arg(long)]
    pub bin: Option<String>,
}

/// A deployment whose options hold together, its database chosen; no
/// server started yet. Keeps SQLite's temporary folder while it lives.
pub struct Prepared {
    pub database_url: String,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    pub binary: String,
    deployment: Deployment,
    _dir: Option<tempfile::TempDir>,
}

impl Deployment {
    /// Checks the options and the binary, and picks the database: the
    /// PostgreSQL given, or SQLite in a temporary file (one instance only).
    pub fn prepare(&self) -> anyhow::Result<Prepared> {
        if self.instances > 1 && self.redis_url.is_none() {
            bail!("--instances 2 needs --redis-url: the instances share events through Redis");
        }
        let (database_url, backend, dir) = match self.database_url.as_deref() {
            Some(url) if url.starts_with("postgres") => (url.to_owned(), "postgres", None),
            Some(url) => bail!("--database-url must be PostgreSQL (postgres://…), not {url}"),
            None if self.instances > 1 => {
                bail!("--instances 2 needs a PostgreSQL --database-url both instances can share")
            }
            None => {
                let dir = tempfile::tempdir()?;
                let url = format!("sqlite://{}", dir.path().join("load.db").display());
                (url, "sqlite", Some(dir))
            }
        };
        let binary = self.bin.clone().unwrap_or_else(default_binary);
        if !std::path::Path::new(&binary).is_file() {
            bail!("no {binary}: build it with `cargo build --release -p guichet`, or pass --bin");
        }
        Ok(Prepared {
            database_url,
            backend,
            binary,
            deployment: self.clone(),
            _dir: dir,
        })
    }
}

impl Prepared {
    /// Creates the load admin and starts the instances, sharing Redis.
    pub async fn start(&self) -> anyhow::Result<Vec<Spawned>> {
        create_admin(&self.binary, &self.database_url).await?;
        let mut env = Vec::new();
        if let Some(redis) = &self.deployment.redis_url {
            env.push(("REDIS_URL", redis.as_str()));
        }
        let mut instances = Vec::new();
        for _ in 0..self.deployment.instances {
            instances.push(spawn(&self.binary, &self.database_url, &env).await?);
        }
        Ok(instances)
    }
}
