//! A private PostgreSQL cluster: `initdb` into a temporary directory on a
//! spare port, run as the `postgres` user (PostgreSQL refuses root) through
//! `runuser`. `stop` and `start` are `pg_ctl` with the mode a test asks
//! for; dropping the guard stops it immediately and removes its files.
//! `replica_of` makes a streaming replica of one (`pg_basebackup -R`).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct PrivatePostgres {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
    running: bool,
    _dir: tempfile::TempDir,
}

/// How `pg_ctl stop` ends the server.
#[derive(Clone, Copy, Debug)]
pub enum StopMode {
    /// Rolls back open transactions and closes every connection.
    Fast,
    /// Kills every process at once, as a crash does (recovery at start).
    Immediate,
}

impl PrivatePostgres {
    pub fn start() -> Self {
        let bin = binaries();
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("temp dir readable by postgres");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).expect("data dir");
        run(Command::new("chown").args(["postgres:postgres"]).arg(&data));
        run(as_postgres(&bin.join("initdb")).arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ]));
        let mut postgres = Self {
            bin,
            data,
            port: super::free_port(),
            running: false,
            _dir: dir,
        };
        postgres.restart();
        postgres
    }

    /// A streaming replica of `primary`: its base backup (`pg_basebackup
    /// -R`, which also writes how to follow the primary), started on a
    /// port of its own as a hot standby that answers reads.
    pub fn replica_of(primary: &PrivatePostgres) -> Self {
        let bin = binaries();
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("temp dir readable by postgres");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).expect("data dir");
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700))
            .expect("data dir private");
        run(Command::new("chown").args(["postgres:postgres"]).arg(&data));
        run(as_postgres(&bin.join("pg_basebackup"))
            .arg("-D")
            .arg(&data)
            .args(["-h", "127.0.0.1", "-p", &primary.port.to_string()])
            .args([
                "-U",
                "postgres",
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
                "--no-sync",
            ]));
        let mut replica = Self {
            bin,
            data,
            port: super::free_port(),
            running: false,
            _dir: dir,
        };
        replica.restart();
        replica
    }

    /// The `postgres` database, as a superuser.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server (again) on its port and waits until it accepts
    /// connections.
    pub fn restart(&mut self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            self.port,
            self.data.display()
        );
        run(as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .arg("-l")
            .arg(self.data.join("server.log"))
            .args(["-w", "-t", "60", "-o", &options, "start"]));
        self.running = true;
    }

    pub fn stop(&mut self, mode: StopMode) {
        let mode = match mode {
            StopMode::Fast => "fast",
            StopMode::Immediate => "immediate",
        };
        run(as_postgres(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["-w", "-t", "60", "-m", mode, "stop"]));
        self.running = false;
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        if self.running {
            let _ = as_postgres(&self.bin.join("pg_ctl"))
                .arg("-D")
                .arg(&self.data)
                .args(["-w", "-m", "immediate", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// The newest `/usr/lib/postgresql/*/bin`.
fn binaries() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL installed under /usr/lib/postgresql")
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("pg_ctl").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().expect("a PostgreSQL version with pg_ctl").1
}

fn as_postgres(program: &Path) -> Command {
    let mut command = Command::new("runuser");
    command.args(["-u", "postgres", "--"]).arg(program);
    command
}

fn run(command: &mut Command) {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
