//! A private `redis-server` on a spare port, with nothing saved to disk.
//! `kill` is SIGKILL; `start` brings it back on the same port.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct PrivateRedis {
    child: Option<Child>,
    pub port: u16,
}

impl PrivateRedis {
    pub async fn start() -> Self {
        let mut redis = Self {
            child: None,
            port: super::free_port(),
        };
        redis.restart().await;
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts it again on its port (after `kill`).
    pub async fn restart(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (Debian package redis-server)");
        self.child = Some(child);
        super::wait_for_port(self.port, Duration::from_secs(10), "redis-server").await;
    }

    /// SIGKILL: every connection drops, every message in flight is lost.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}
