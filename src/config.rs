//! Configuration from flags and the environment (API.md, "Configuration").
//! Secrets are wrapped so that no `Debug` or log line ever prints them.

use clap::{Args, ValueEnum};
use std::fmt;
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
    /// Days personal data is kept after a visit or request closes.
    #[arg(long, env = "GUICHET_RETENTION_DAYS", default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub retention_days: u32,
    /// Days audit entries are kept; 0 keeps them forever.
    #[arg(long, env = "GUICHET_AUDIT_RETENTION_DAYS", default_value_t = 365,
        value_parser = clap::value_parser!(u32).range(0..=36500))]
    pub audit_retention_days: u32,
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
            log_format: LogFormat::Auto,
            retention_days: 30,
            audit_retention_days: 365,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let mut config = Config::local("sqlite://x.db");
        config.twilio_auth_token = Some("s3cr3t-token".parse().unwrap());
        config.smtp_url = Some("smtp://u:hunter2@mail".parse().unwrap());
        let printed = format!("{config:?}");
        assert!(
            !printed.contains("s3cr3t") && !printed.contains("hunter2"),
            "{printed}"
        );
    }
}
