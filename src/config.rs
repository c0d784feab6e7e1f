//! Configuration from flags and the environment (README.md, "Configuration").
//! Secrets are wrapped so that no `Debug` or log line ever prints them.

mod webhook_allow;

pub use webhook_allow::WebhookAllow;

use crate::domain::phone::CallingCodes;
use clap::{Args, ValueEnum};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

#[derive(Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// `sqlite://FILE` (created and migrated at start) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://guichet.db")]
    pub database_url: String,
}

#[derive(Args, Debug, Clone)]
pub struct Config {
    /// Address to listen on; port 0 picks a free one.
    #[arg(long = "addr", env = "GUICHET_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// A PostgreSQL streaming replica of `DATABASE_URL`, for the reads that
    /// may be a moment stale (slot lists, public figures, statistics,
    /// reports, the province view). May hold a password, so it is kept as
    /// a secret. Only with PostgreSQL.
    #[arg(long, env = "DATABASE_REPLICA_URL", hide_env_values = true)]
    pub database_replica_url: Option<Secret>,
    /// Milliseconds the replica may be behind the primary; further behind,
    /// its reads go to the primary.
    #[arg(long, env = "GUICHET_REPLICA_MAX_LAG_MS", default_value_t = 2000,
        value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub replica_max_lag_ms: u64,
    /// Redis for events between instances; unset keeps them in this process.
    /// May hold a password, so it is kept as a secret.
    #[arg(long, env = "REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<Secret>,
    /// The address citizens and the SMS provider reach this service at.
    #[arg(long, env = "GUICHET_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Where video appointments meet: each gets a room under this address.
    #[arg(long, env = "GUICHET_VIDEO_URL", default_value = "https://meet.jit.si")]
    pub video_url: String,
    #[arg(long, env = "GUICHET_SMS", value_enum, default_value_t = SmsTransport::Log)]
    pub sms: SmsTransport,
    #[arg(long, env = "TWILIO_ACCOUNT_SID")]
    pub twilio_account_sid: Option<String>,
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    pub twilio_auth_token: Option<Secret>,
    #[arg(long, env = "TWILIO_FROM")]
    pub twilio_from: Option<String>,
    #[arg(
        long,
        env = "TWILIO_API_BASE",
        default_value = "https://api.twilio.com"
    )]
    pub twilio_api_base: String,
    /// May hold a password, so it is kept as a secret.
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<Secret>,
    #[arg(long, env = "SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// Country calling codes that phone codes are sent to (comma-separated);
    /// a number elsewhere is refused before anything is sent.
    #[arg(long, env = "GUICHET_SMS_COUNTRIES", default_value = "212")]
    pub sms_countries: CallingCodes,
    /// Proxies in front of the service (comma-separated addresses or CIDR
    /// blocks): from them, the client is the right-most address of
    /// `X-Forwarded-For` that is not a trusted proxy.
    #[arg(long, env = "GUICHET_TRUSTED_PROXIES", default_value = "")]
    pub trusted_proxies: TrustedProxies,
    /// Where webhooks may go although the address is internal (loopback,
    /// private, link-local…), and where plain `http://` is accepted:
    /// comma-separated host names and IP addresses or CIDR blocks. Empty by
    /// default: webhooks go to public `https://` addresses only.
    #[arg(long, env = "GUICHET_WEBHOOK_ALLOW", default_value = "")]
    pub webhook_allow: WebhookAllow,
    /// Days a kiosk's or display's token keeps working unused; past them an
    /// admin gives the device a new token.
    #[arg(long, env = "GUICHET_DEVICE_IDLE_DAYS", default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub device_idle_days: u32,
    /// Days personal data is kept after a visit or request closes.
    #[arg(long, env = "GUICHET_RETENTION_DAYS", default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub retention_days: u32,
    /// Days audit entries are kept; 0 keeps them forever.
    #[arg(long, env = "GUICHET_AUDIT_RETENTION_DAYS", default_value_t = 365,
        value_parser = clap::value_parser!(u32).range(0..=36500))]
    pub audit_retention_days: u32,
    /// A second address that serves only `/metrics` (for Prometheus, kept
    /// off the public network); the public address then answers `/metrics`
    /// with 404. Unset: `/metrics` is on the public address.
    #[arg(long, env = "GUICHET_METRICS_ADDR")]
    pub metrics_addr: Option<String>,
    /// When set, `/metrics` answers only requests that carry
    /// `Authorization: Bearer <this token>` (else 401), wherever it is served.
    #[arg(long, env = "GUICHET_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<Secret>,
    /// Seconds a client has to send a request's head (request line and
    /// headers), counted from the connection's opening or from the first
    /// byte of a later request; past it the connection is closed.
    #[arg(long, env = "GUICHET_HEADER_TIMEOUT_SECS", default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout_secs: u64,
    /// Seconds a request may take from its head to its answer, reading its
    /// body included; past it the answer is 408 and the connection closed.
    /// Sending the answer may take as long again, then the connection is
    /// cut. An open WebSocket is not bound by it.
    #[arg(long, env = "GUICHET_REQUEST_TIMEOUT_SECS", default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout_secs: u64,
    /// The same bound for a capsule's upload (`POST
    /// /api/v1/sites/{site}/capsules`), whose body may be a video of tens of
    /// megabytes on a slow link. Only staff reach it: a request without a
    /// valid token is answered before its body is read.
    #[arg(long, env = "GUICHET_UPLOAD_TIMEOUT_SECS", default_value_t = 600,
        value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub upload_timeout_secs: u64,
    /// Seconds a kept-alive connection may wait for its next request before
    /// it is closed. Longer than the proxy's own (nginx keeps idle upstream
    /// connections 60 s), so that the proxy never reuses one being closed.
    #[arg(long, env = "GUICHET_IDLE_TIMEOUT_SECS", default_value_t = 75,
        value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idle_timeout_secs: u64,
    /// Connections this instance holds open at once, WebSockets included;
    /// one more is closed as soon as it is accepted. Above
    /// `GUICHET_LIVE_SOCKETS_MAX`, so that requests still get in when the
    /// sockets are all taken.
    #[arg(long, env = "GUICHET_MAX_CONNECTIONS", default_value_t = 16_384,
        value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,
    /// Live sockets (`/ws/…`) one client address may hold open on this
    /// instance; past it an upgrade gets 429. An office's screens, agents
    /// and citizens on its Wi-Fi share one address.
    #[arg(long, env = "GUICHET_LIVE_SOCKETS_PER_ADDRESS", default_value_t = 200,
        value_parser = clap::value_parser!(u32).range(1..))]
    pub live_sockets_per_address: u32,
    /// Live sockets this instance holds open at most; past it an upgrade
    /// gets 503 (the proxy or the client tries another instance).
    #[arg(long, env = "GUICHET_LIVE_SOCKETS_MAX", default_value_t = 10_000,
        value_parser = clap::value_parser!(u32).range(1..))]
    pub live_sockets_max: u32,
    /// Where uploaded files (lobby capsules) are kept. Unset: `media/`
    /// beside the SQLite file, or in the database on PostgreSQL.
    #[arg(long, env = "GUICHET_MEDIA_DIR")]
    pub media_dir: Option<std::path::PathBuf>,
    /// Megabytes an uploaded video may have.
    #[arg(long, env = "GUICHET_MEDIA_MAX_VIDEO_MB", default_value_t = 50,
        value_parser = clap::value_parser!(u32).range(1..=2048))]
    pub media_max_video_mb: u32,
    /// Megabytes an uploaded image may have.
    #[arg(long, env = "GUICHET_MEDIA_MAX_IMAGE_MB", default_value_t = 5,
        value_parser = clap::value_parser!(u32).range(1..=256))]
    pub media_max_image_mb: u32,
    /// `pretty` in a terminal, `json` for log collectors; `auto` picks.
    #[arg(long, env = "GUICHET_LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto)]
    pub log_format: LogFormat,
}

impl Config {
    /// The embedded defaults on a database of one's choosing, listening on a
    /// free port: what tests and the load generator start.
    pub fn local(database_url: &str) -> Self {
        Self {
            addr: "127.0.0.1:0".to_owned(),
            database: DatabaseArgs {
                database_url: database_url.to_owned(),
            },
            database_replica_url: None,
            replica_max_lag_ms: 2000,
            redis_url: None,
            public_url: None,
            video_url: "https://meet.jit.si".to_owned(),
            sms: SmsTransport::Log,
            twilio_account_sid: None,
            twilio_auth_token: None,
            twilio_from: None,
            twilio_api_base: "https://api.twilio.com".to_owned(),
            smtp_url: None,
            smtp_from: None,
            sms_countries: CallingCodes::default(),
            trusted_proxies: TrustedProxies::default(),
            webhook_allow: WebhookAllow::default(),
            device_idle_days: 30,
            log_format: LogFormat::Auto,
            retention_days: 30,
            audit_retention_days: 365,
            metrics_addr: None,
            metrics_token: None,
            header_timeout_secs: 10,
            request_timeout_secs: 30,
            upload_timeout_secs: 600,
            idle_timeout_secs: 75,
            max_connections: 16_384,
            live_sockets_per_address: 200,
            live_sockets_max: 10_000,
            media_dir: None,
            media_max_video_mb: 50,
            media_max_image_mb: 5,
        }
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsTransport {
    /// Messages go to the log and the outbox only.
    Log,
    /// A Twilio-compatible HTTP API.
    Twilio,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Auto,
    Pretty,
    Json,
}

/// A value that must never be printed.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

/// The addresses (single, or CIDR blocks) of the proxies whose
/// `X-Forwarded-For` is believed.
pub type TrustedProxies = IpBlocks;

/// IP addresses and CIDR blocks, comma-separated
/// (`10.0.0.0/8, 192.168.1.7, fd00::/8`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpBlocks(Vec<(IpAddr, u8)>);

impl IpBlocks {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|&(network, bits)| match (network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => same_prefix(&n.octets(), &a.octets(), bits),
            (IpAddr::V6(n), IpAddr::V6(a)) => same_prefix(&n.octets(), &a.octets(), bits),
            _ => false,
        })
    }
}

/// An IPv4 address seen as IPv6 (`::ffff:10.0.0.1`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn same_prefix(network: &[u8], address: &[u8], bits: u8) -> bool {
    let (whole, rest) = (usize::from(bits / 8), bits % 8);
    if network[..whole] != address[..whole] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        network[whole] & mask == address[whole] & mask
    }
}

impl FromStr for IpBlocks {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |item: &str| format!("{item:?} is neither an IP address nor a CIDR block");
        s.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                let (address, bits) = match item.split_once('/') {
                    Some((address, bits)) => (address, Some(bits)),
                    None => (item, None),
                };
                let address = canonical(address.parse::<IpAddr>().map_err(|_| bad(item))?);
                let max = if address.is_ipv4() { 32 } else { 128 };
                let bits = match bits {
                    Some(bits) => bits
                        .parse::<u8>()
                        .ok()
                        .filter(|b| *b <= max)
                        .ok_or_else(|| bad(item))?,
                    None => max,
                };
                Ok((address, bits))
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_addresses_and_blocks() {
        let proxies: TrustedProxies = "10.0.0.0/8, 192.168.1.7,fd00::/8".parse().unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(proxies.contains(ip("10.20.30.40")));
        assert!(proxies.contains(ip("::ffff:10.0.0.1")));
        assert!(proxies.contains(ip("192.168.1.7")));
        assert!(!proxies.contains(ip("192.168.1.8")));
        assert!(!proxies.contains(ip("11.0.0.1")));
        assert!(proxies.contains(ip("fd12::1")));
        assert!(!proxies.contains(ip("fe80::1")));
        assert!("".parse::<TrustedProxies>().unwrap() == TrustedProxies::default());
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("nginx".parse::<TrustedProxies>().is_err());
        let narrow: TrustedProxies = "172.16.0.0/12".parse().unwrap();
        assert!(narrow.contains(ip("172.31.255.1")));
        assert!(!narrow.contains(ip("172.32.0.1")));
    }

    #[test]
    fn secrets_do_not_print() {
        let mut config = Config::local("sqlite://x.db");
        config.twilio_auth_token = Some("s3cr3t-token".parse().unwrap());
        config.smtp_url = Some("smtp://u:hunter2@mail".parse().unwrap());
        config.metrics_token = Some("scrape-k3y".parse().unwrap());
        config.database_replica_url = Some("postgres://u:r3pl1ca@db2/g".parse().unwrap());
        let printed = format!("{config:?}");
        assert!(
            !printed.contains("s3cr3t")
                && !printed.contains("hunter2")
                && !printed.contains("k3y")
                && !printed.contains("r3pl1ca"),
            "{printed}"
        );
    }
}
