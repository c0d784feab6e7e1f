//! Requests to other systems (webhook deliveries): where they may go, and
//! the HTTP client that keeps to it.
//!
//! An address is parsed by the `url` crate, as reqwest will read it; only
//! `https://` (or `http://` to a host the operator lists) with no user
//! name or password is taken. A host that is internal (`addresses`:
//! loopback, private, link-local, multicast, …) is refused unless
//! `GUICHET_WEBHOOK_ALLOW` lists it: an IP literal, in whatever form it was
//! written, when the address is checked; a name when it is resolved, by the
//! client's own resolver (`resolver`), which keeps only the addresses that
//! may be reached, so a name that later points inside (DNS rebinding) gets
//! nothing. The client follows no redirect, gives up connecting after
//! `CONNECT_TIMEOUT` and the whole request after `TOTAL_TIMEOUT`, uses no
//! proxy, and never reads an answer's body.

mod addresses;
mod resolver;

pub use addresses::internal;
pub use resolver::RefusedAddresses;

use crate::config::WebhookAllow;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;
use url::{Host, Url};

/// How long a receiver gets to accept the connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a whole delivery may take, answer included.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest address accepted.
const MAX_URL: usize = 500;

/// The HTTP client for other systems, with the operator's allowances.
#[derive(Debug, Clone)]
pub struct Outbound {
    client: reqwest::Client,
    allow: Arc<WebhookAllow>,
}

impl Outbound {
    pub fn new(allow: WebhookAllow) -> reqwest::Result<Self> {
        let allow = Arc::new(allow);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            .dns_resolver(Arc::new(resolver::Guarded::new(allow.clone())))
            .build()?;
        Ok(Self { client, allow })
    }

    /// `raw` as the address a request may go to, or why not.
    pub fn check(&self, raw: &str) -> Result<Url, String> {
        check_url(raw, &self.allow)
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

impl Default for Outbound {
    /// No allowance: public `https://` addresses only.
    fn default() -> Self {
        Self::new(WebhookAllow::default()).expect("an HTTP client with no setting of its own")
    }
}

/// Whether `ip`, reached through `host` (a name, or the address itself),
/// may be sent to.
pub fn permitted(allow: &WebhookAllow, host: &str, ip: IpAddr) -> bool {
    internal(ip).is_none() || allow.names(host) || allow.contains(ip)
}

/// `raw` parsed, if a webhook may be sent there; else a sentence that
/// says why not.
pub fn check_url(raw: &str, allow: &WebhookAllow) -> Result<Url, String> {
    if raw.len() > MAX_URL {
        return Err(format!("at most {MAX_URL} characters"));
    }
    if raw
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err("no spaces, control characters or backslashes".to_owned());
    }
    let url = Url::parse(raw).map_err(|e| format!("not an address ({e}): https://host/path"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(format!("{}: only https:// addresses", url.scheme()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("no user name or password in the address".to_owned());
    }
    let (listed, reason) = match url.host() {
        None => return Err("an address needs a host".to_owned()),
        Some(Host::Domain(name)) => {
            // `localhost` and its subdomains are this machine (RFC 6761).
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let local = name == "localhost" || name.ends_with(".localhost");
            let name = name.as_str();
            let listed = allow.names(name) || (local && allow.contains(Ipv4Addr::LOCALHOST.into()));
            (listed, local.then_some("loopback"))
        }
        Some(Host::Ipv4(ip)) => (allow.contains(ip.into()), internal(ip.into())),
        Some(Host::Ipv6(ip)) => (allow.contains(ip.into()), internal(ip.into())),
    };
    let host = url.host_str().unwrap_or_default();
    if let (Some(reason), false) = (reason, listed) {
        return Err(format!(
            "{host} is a {reason} address: webhooks go to public addresses, unless the \
             operator allows this one (GUICHET_WEBHOOK_ALLOW)"
        ));
    }
    if url.scheme() == "http" && !listed {
        return Err(format!(
            "plain http:// only to a host the operator allows (GUICHET_WEBHOOK_ALLOW); \
             use https://{host}"
        ));
    }
    Ok(url)
}

/// Whether a failed request failed because its host resolved only to
/// addresses that may not be reached.
pub fn refused(error: &reqwest::Error) -> Option<&RefusedAddresses> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if let Some(refused) = error.downcast_ref::<RefusedAddresses>() {
            return Some(refused);
        }
        source = error.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::check_url;
    use crate::config::WebhookAllow;

    fn checked(url: &str, allow: &str) -> Result<String, String> {
        check_url(url, &allow.parse::<WebhookAllow>().unwrap()).map(|u| u.to_string())
    }

    #[test]
    fn public_https_addresses_pass_as_parsed() {
        for url in [
            "https://etat-civil.gov.ma/hooks/guichet",
            "https://8.8.8.8:8443/h?x=1",
            "https://[2a00:1450:4007::1]/h",
        ] {
            assert_eq!(checked(url, ""), Ok(url.to_owned()));
        }
        assert_eq!(
            checked("HTTPS://Etat-Civil.GOV.ma/h", ""),
            Ok("https://etat-civil.gov.ma/h".to_owned())
        );
    }

    #[test]
    fn internal_hosts_in_any_form_are_refused() {
        for url in [
            "https://127.0.0.1/h",
            "https://127.1/h",
            "https://2130706433/h",
            "https://0x7f000001/h",
            "https://0177.0.0.1/h",
            "https://0/h",
            "https://0.0.0.0/h",
            "https://[::]/h",
            "https://[::1]/h",
            "https://[::ffff:127.0.0.1]/h",
            "https://[::ffff:7f00:1]/h",
            "https://169.254.169.254/latest/meta-data/",
            "https://[fe80::1]/h",
            "https://[fd00::1]/h",
            "https://10.0.0.1/h",
            "https://192.168.1.1/h",
            "https://100.64.0.1/h",
            "https://224.0.0.1/h",
            "https://255.255.255.255/h",
            "https://localhost/h",
            "https://api.localhost/h",
            "https://LocalHost./h",
        ] {
            let refused = checked(url, "").expect_err(url);
            assert!(refused.contains("address"), "{url}: {refused}");
        }
    }

    #[test]
    fn tricks_and_other_schemes_are_refused() {
        for url in [
            "http://127.1:9000\\@localhost/hook",
            "https://user:pw@etat-civil.gov.ma/h",
            "https://user@etat-civil.gov.ma/h",
            "https://etat-civil.gov.ma@127.0.0.1/h",
            "http://etat-civil.gov.ma/h",
            "ftp://etat-civil.gov.ma/h",
            "file:///etc/passwd",
            "gopher://x/",
            "https://",
            "https://a b",
            "https://a\tb.ma/",
            "hook",
        ] {
            assert!(checked(url, "").is_err(), "{url} accepted");
        }
        assert!(checked(&format!("https://x.ma/{}", "a".repeat(500)), "").is_err());
    }

    #[test]
    fn the_operator_may_allow_internal_hosts() {
        let allow = "localhost, 127.0.0.0/8, 10.1.0.0/16";
        assert!(checked("http://127.0.0.1:8081/hook", allow).is_ok());
        assert!(checked("http://127.1:8081/hook", allow).is_ok());
        assert!(checked("http://localhost:8081/hook", allow).is_ok());
        assert!(checked("https://10.1.2.3/hook", allow).is_ok());
        assert!(checked("https://10.2.0.1/hook", allow).is_err());
        assert!(checked("https://[::1]/hook", allow).is_err());
        assert!(checked("http://user@127.0.0.1/hook", allow).is_err());
        assert!(checked("http://localhost/hook", "127.0.0.1").is_ok());
        assert!(checked("http://receiver.internal/hook", "receiver.internal").is_ok());
        assert!(checked("http://other.internal/hook", "receiver.internal").is_err());
    }
}
