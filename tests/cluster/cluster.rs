//! The cluster under test: `deploy/local-cluster.sh` on free ports and its
//! own state directory, stopped when the guard is dropped, even after a
//! failed assertion.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/local-cluster.sh");

pub struct Cluster {
    /// Holds the state directory's parent; removed last.
    _dir: tempfile::TempDir,
    state: PathBuf,
    ports: Ports,
}

struct Ports {
    postgres: u16,
    redis: u16,
    nginx: u16,
    instances: [u16; 2],
}

impl Cluster {
    /// Starts PostgreSQL, Redis, the migration, two instances and nginx,
    /// and returns once nginx answers `/readyz`.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut ports = [0u16; 5];
        for i in 0..ports.len() {
            // Distinct even if the system hands back a port just released.
            ports[i] = loop {
                let port = guichet_test_support::free_port();
                if !ports[..i].contains(&port) {
                    break port;
                }
            };
        }
        let cluster = Cluster {
            state: dir.path().join("cluster"),
            _dir: dir,
            ports: Ports {
                postgres: ports[0],
                redis: ports[1],
                nginx: ports[2],
                instances: [ports[3], ports[4]],
            },
        };
        let out = cluster.script("start");
        assert!(
            out.status.success(),
            "local-cluster.sh start failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        cluster
    }

    fn script(&self, action: &str) -> Output {
        Command::new(SCRIPT)
            .arg(action)
            .env("GUICHET_BIN", env!("CARGO_BIN_EXE_guichet"))
            .env("GUICHET_CLUSTER_DIR", &self.state)
            .env("GUICHET_CLUSTER_PG_PORT", self.ports.postgres.to_string())
            .env("GUICHET_CLUSTER_REDIS_PORT", self.ports.redis.to_string())
            .env("GUICHET_CLUSTER_PORT", self.ports.nginx.to_string())
            .env(
                "GUICHET_CLUSTER_PORT_1",
                self.ports.instances[0].to_string(),
            )
            .env(
                "GUICHET_CLUSTER_PORT_2",
                self.ports.instances[1].to_string(),
            )
            .stdin(Stdio::null())
            .output()
            .expect("local-cluster.sh runs")
    }

    /// nginx, the only address clients use.
    pub fn public_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.nginx)
    }

    /// Each instance's own address, for reading its metrics.
    pub fn instance_urls(&self) -> Vec<String> {
        self.ports
            .instances
            .iter()
            .map(|port| format!("http://127.0.0.1:{port}"))
            .collect()
    }

    /// `guichet user add` against the cluster's database, as an operator
    /// bootstraps accounts.
    pub fn add_user(&self, name: &str, role: &str, site: Option<&str>, password: &str) {
        let mut args = vec!["user", "add", name, "--role", role];
        if let Some(site) = site {
            args.extend(["--site", site]);
        }
        let database_url = format!(
            "postgres://postgres@127.0.0.1:{}/guichet",
            self.ports.postgres
        );
        let mut child = Command::new(env!("CARGO_BIN_EXE_guichet"))
            .args(&args)
            .env("DATABASE_URL", database_url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("guichet runs");
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{password}").expect("password written");
        drop(stdin);
        let out = child.wait_with_output().expect("user add ends");
        assert!(
            out.status.success(),
            "user add {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The configuration nginx runs with, as `nginx -T` prints it.
    pub fn nginx_config(&self) -> String {
        let nginx = self.state.join("nginx");
        let out = Command::new("nginx")
            .arg("-T")
            .arg("-p")
            .arg(&nginx)
            .arg("-e")
            .arg(nginx.join("error.log"))
            .arg("-c")
            .arg(nginx.join("nginx.conf"))
            .output()
            .expect("nginx -T runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let out = self.script("stop");
        if !out.status.success() {
            eprintln!(
                "local-cluster.sh stop failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
