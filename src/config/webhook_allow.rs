//! `GUICHET_WEBHOOK_ALLOW`: the internal systems an operator lets webhooks
//! reach (a receiver beside the service, another administration's system
//! on the office's network), by host name or by address.

use super::IpBlocks;
use std::net::IpAddr;
use std::str::FromStr;

/// Host names (matched whole, case aside) and IP addresses or CIDR blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookAllow {
    names: Vec<String>,
    blocks: IpBlocks,
}

impl WebhookAllow {
    /// Whether the host name `host` is listed as such.
    pub fn names(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.');
        self.names
            .iter()
            .any(|name| name.eq_ignore_ascii_case(host))
    }

    /// Whether `ip` is in a listed address or block.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.blocks.contains(ip)
    }
}

impl FromStr for WebhookAllow {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut allow = Self::default();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            if let Ok(blocks) = item.parse::<IpBlocks>() {
                allow.blocks.0.extend(blocks.0);
            } else if is_host_name(item) {
                allow
                    .names
                    .push(item.trim_end_matches('.').to_ascii_lowercase());
            } else {
                return Err(format!(
                    "{item:?} is neither a host name, an IP address nor a CIDR block"
                ));
            }
        }
        Ok(allow)
    }
}

/// Letters, digits and hyphens in dot-separated labels of 1 to 63.
fn is_host_name(item: &str) -> bool {
    let item = item.trim_end_matches('.');
    !item.is_empty()
        && item.len() <= 253
        && item.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && !item.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::WebhookAllow;

    #[test]
    fn names_and_blocks() {
        let allow: WebhookAllow = "localhost, Hooks.Internal., 10.0.0.0/8,::1"
            .parse()
            .unwrap();
        assert!(allow.names("localhost") && allow.names("hooks.internal"));
        assert!(allow.names("HOOKS.internal."));
        assert!(!allow.names("evil-localhost") && !allow.names("internal"));
        assert!(allow.contains("10.9.8.7".parse().unwrap()));
        assert!(allow.contains("::1".parse().unwrap()));
        assert!(!allow.contains("127.0.0.1".parse().unwrap()));
        assert_eq!("".parse::<WebhookAllow>(), Ok(WebhookAllow::default()));
        for bad in ["10.0.0.0/40", "http://x", "a b", "1.2.3", "-x.ma"] {
            assert!(bad.parse::<WebhookAllow>().is_err(), "{bad}");
        }
    }
}
