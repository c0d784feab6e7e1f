//! The local cluster's topology, private to one run of `window`: a
//! PostgreSQL primary (`initdb` on a spare port) and its streaming replica
//! (`pg_basebackup -R`), a Redis, two `guichet serve` instances sharing
//! them (`DATABASE_REPLICA_URL`, `REDIS_URL`), and nginx in front with the
//! repository's `deploy/nginx/guichet-*.conf`. Everything lives in one
//! temporary folder and stops when the `Cluster` is dropped.
//!
//! The PostgreSQL servers are private, not the machine's, so that their
//! CPU is this run's alone and the primary can be given a replica without
//! changing a shared server's settings. As in `deploy/local-cluster.sh`,
//! they run without `fsync`: a throwaway cluster.

use crate::server::{self, Spawned};
use anyhow::{Context, bail};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository's nginx files, beside this crate.
pub const NGINX_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/nginx");

pub struct Cluster {
    /// nginx's address: the only one the citizens talk to.
    pub url: String,
    pub primary: Postgres,
    pub replica: Postgres,
    pub instances: Vec<Spawned>,
    pub nginx: Daemon,
    _redis: Daemon,
    _dir: tempfile::TempDir,
}

impl Cluster {
    /// Starts everything, creates the load admin (which migrates the
    /// primary), and waits until both instances read from the replica.
    pub async fn start(binary: &str, nginx_dir: &Path) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
        let bin = postgres_binaries()?;
        let primary = Postgres::primary(&bin, dir.path())?;
        let replica = Postgres::replica_of(&bin, dir.path(), &primary)?;
        let redis = start_redis(dir.path())?;
        let redis_url = format!("redis://127.0.0.1:{}", redis.port);
        server::create_admin(binary, &primary.url()).await?;
        let replica_url = replica.url();
        let env = [
            ("REDIS_URL", redis_url.as_str()),
            ("DATABASE_REPLICA_URL", replica_url.as_str()),
        ];
        let mut instances = Vec::new();
        for _ in 0..2 {
            instances.push(server::spawn(binary, &primary.url(), &env).await?);
        }
        let nginx = start_nginx(dir.path(), nginx_dir, &instances)?;
        let url = format!("http://127.0.0.1:{}", nginx.port);
        for instance in &instances {
            wait_replica_ok(&instance.url).await?;
        }
        wait_replica_ok(&url).await?;
        Ok(Self {
            url,
            primary,
            replica,
            instances,
            nginx,
            _redis: redis,
            _dir: dir,
        })
    }
}

/// A PostgreSQL server of the cluster, stopped at once when dropped.
pub struct Postgres {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
}

impl Postgres {
    fn primary(bin: &Path, dir: &Path) -> anyhow::Result<Self> {
        let data = data_dir(dir, "primary")?;
        run(as_postgres(&bin.join("initdb")).arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ]))?;
        Self::start(bin, data)
    }

    /// A hot standby following `primary` from its base backup.
    fn replica_of(bin: &Path, dir: &Path, primary: &Postgres) -> anyhow::Result<Self> {
        let data = data_dir(dir, "replica")?;
        run(as_postgres(&bin.join("pg_basebackup"))
            .arg("-D")
            .arg(&data)
            .args(["-h", "127.0.0.1", "-p", &primary.port.to_string()])
            .args(["-U", "postgres", "-R", "-X", "stream", "-c", "fast"])
            .arg("--no-sync"))?;
        Self::start(bin, data)
    }

    fn start(bin: &Path, data: PathBuf) -> anyhow::Result<Self> {
        let port = server::free_port()?;
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c fsync=off -c max_connections=200",
            data.display()
        );
        run(as_postgres(&bin.join("pg_ctl"))
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(data.join("server.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"]))?;
        Ok(Self {
            bin: bin.to_owned(),
            data,
            port,
        })
    }

    /// Its `postgres` database, as the superuser.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The postmaster's process id.
    pub fn pid(&self) -> anyhow::Result<u32> {
        let file = std::fs::read_to_string(self.data.join("postmaster.pid"))?;
        let first = file.lines().next().unwrap_or_default();
        first.trim().parse().context("reading postmaster.pid")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["-w", "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// A data folder the `postgres` user owns.
fn data_dir(dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let data = dir.join(name);
    std::fs::create_dir(&data)?;
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700))?;
    if is_root() {
        run(Command::new("chown").arg("postgres:postgres").arg(&data))?;
    }
    Ok(data)
}

/// The newest `/usr/lib/postgresql/*/bin`, else the folder of `pg_config --bindir`.
fn postgres_binaries() -> anyhow::Result<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("pg_ctl").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    if let Some((_, bin)) = found.pop() {
        return Ok(bin);
    }
    let output = Command::new("pg_config").arg("--bindir").output()?;
    Ok(PathBuf::from(String::from_utf8(output.stdout)?.trim()))
}

fn is_root() -> bool {
    // SAFETY: `geteuid` only returns this process's effective user id.
    unsafe { libc::geteuid() == 0 }
}

/// PostgreSQL's programs refuse to run as root: as root, they run as `postgres`.
fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("{command:?}"))?;
    if !output.status.success() {
        bail!(
            "{command:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// A process in the foreground of its own (Redis, nginx), asked to stop
/// with SIGTERM when dropped, then killed if it has not within 10 s.
pub struct Daemon {
    child: Child,
    pub port: u16,
}

impl Daemon {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // SAFETY: `kill` only sends a signal to the process this guard started.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_redis(dir: &Path) -> anyhow::Result<Daemon> {
    let port = server::free_port()?;
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--dir"])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting redis-server (apt-get install -y redis-server)")?;
    let daemon = Daemon { child, port };
    wait_listening(port, "redis-server")?;
    Ok(daemon)
}

/// nginx with the repository's configuration (as `deploy/local-cluster.sh`
/// writes it), the two instances as its upstream.
fn start_nginx(dir: &Path, nginx_dir: &Path, instances: &[Spawned]) -> anyhow::Result<Daemon> {
    let port = server::free_port()?;
    let home = dir.join("nginx");
    let tmp = home.join("tmp");
    std::fs::create_dir_all(&tmp)?;
    // Workers write buffered bodies here, under their own user.
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o1777))?;
    let upstream: String = instances
        .iter()
        .map(|i| {
            let address = i.url.trim_start_matches("http://");
            format!("    server {address} max_fails=2 fail_timeout=10s;\n")
        })
        .collect();
    let open_files = crate::limits::raise_open_files()?;
    let conf = nginx_conf(&home, nginx_dir, port, &upstream, open_files);
    let file = home.join("nginx.conf");
    std::fs::write(&file, conf)?;
    let child = Command::new("nginx")
        .arg("-p")
        .arg(&home)
        .arg("-e")
        .arg(home.join("error.log"))
        .arg("-c")
        .arg(&file)
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting nginx (apt-get install -y nginx)")?;
    let daemon = Daemon { child, port };
    wait_listening(port, "nginx")?;
    Ok(daemon)
}

/// Each worker may hold as many connections as the machine lets it open
/// files, less a margin: in a burst every citizen holds one connection
/// and its request one more to an instance, and a worker short of them
/// closes idle ones the citizens are about to reuse ("worker_connections
/// are not enough, reusing connections"), which they see as resets.
fn nginx_conf(home: &Path, nginx_dir: &Path, port: u16, upstream: &str, open_files: u64) -> String {
    let (home, repo) = (home.display(), nginx_dir.display());
    let user = if is_root() { "user www-data;\n" } else { "" };
    let connections = open_files.saturating_sub(1024).max(1024);
    format!(
        "{user}worker_processes 2;
worker_rlimit_nofile {open_files};
pid {home}/nginx.pid;
error_log {home}/error.log warn;
events {{
    worker_connections {connections};
}}
http {{
    default_type application/octet-stream;
    tcp_nodelay on;
    keepalive_timeout 65s;
    client_body_temp_path {home}/tmp/body;
    proxy_temp_path {home}/tmp/proxy;
    fastcgi_temp_path {home}/tmp/fastcgi;
    uwsgi_temp_path {home}/tmp/uwsgi;
    scgi_temp_path {home}/tmp/scgi;
    include {repo}/guichet-http.conf;
    upstream guichet {{
{upstream}        keepalive 32;
    }}
    access_log {home}/access.log guichet;
    server {{
        listen 127.0.0.1:{port} default_server;
        server_name _;
        include {repo}/guichet-locations.conf;
    }}
}}
"
    )
}

fn wait_listening(port: u16, what: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("{what} does not listen on port {port} after 15 s")
}

/// Waits up to 30 s for `/readyz` at `url` to say the replica is in use.
async fn wait_replica_ok(url: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(response) = client.get(format!("{url}/readyz")).send().await {
            last = response.text().await.unwrap_or_default();
            let body: serde_json::Value = serde_json::from_str(&last).unwrap_or_default();
            if body["replica"] == "ok" {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("{url}/readyz does not show the replica in use after 30 s: {last}")
}
