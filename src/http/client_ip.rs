//! Who the client is, for rate limits. Behind a proxy every connection
//! comes from the proxy: when the peer is one of `GUICHET_TRUSTED_PROXIES`,
//! the client is the right-most address of `X-Forwarded-For` that is not a
//! trusted proxy (the left part of that header is whatever the client
//! wrote, so it is never believed). From any other peer the header is
//! ignored.

use super::AppState;
use crate::app::AppError;
use crate::config::TrustedProxies;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use std::net::{IpAddr, SocketAddr};

/// The client, as text for the rate limits' keys: its IPv4 address, or the
/// /64 network of its IPv6 address (one subscriber gets a whole /64 and can
/// pick any address in it, so counting per address would count nothing).
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ConnectInfo(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .copied()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no peer address")))?;
        let ip = client(peer.ip(), &parts.headers, &state.app.guards.trusted_proxies);
        Ok(Self(limit_key(ip)))
    }
}

/// What the limits count a client as: an IPv4 address (also when written
/// as IPv4-mapped IPv6), or an IPv6 address's /64.
pub(crate) fn limit_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", std::net::Ipv6Addr::from(network))
            }
        },
    }
}

/// The client behind `peer`, from `X-Forwarded-For` when `peer` is trusted.
pub(crate) fn client(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let mut client = peer;
    if !trusted.contains(peer) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    for hop in hops.into_iter().rev() {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            // Unreadable: the last proxy that wrote a readable one is
            // what is known.
            return client;
        };
        client = ip;
        if !trusted.contains(ip) {
            return client;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(peer: &str, forwarded: &[&str], trusted: &str) -> String {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        client(peer.parse().unwrap(), &headers, &trusted.parse().unwrap()).to_string()
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_peer() {
        assert_eq!(from("203.0.113.9", &["1.2.3.4"], ""), "203.0.113.9");
        assert_eq!(
            from("203.0.113.9", &["1.2.3.4"], "10.0.0.0/8"),
            "203.0.113.9"
        );
        assert_eq!(from("10.0.0.2", &["1.2.3.4"], "10.0.0.0/8"), "1.2.3.4");
        assert_eq!(from("10.0.0.2", &[], "10.0.0.0/8"), "10.0.0.2");
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        let trusted = "10.0.0.0/8";
        // The client wrote 6.6.6.6 itself; 1.2.3.4 is what our proxy saw.
        assert_eq!(from("10.0.0.2", &["6.6.6.6, 1.2.3.4"], trusted), "1.2.3.4");
        assert_eq!(
            from("10.0.0.2", &["6.6.6.6", "1.2.3.4, 10.1.1.1"], trusted),
            "1.2.3.4"
        );
        assert_eq!(
            from("10.0.0.2", &["garbage, 10.1.1.1"], trusted),
            "10.1.1.1"
        );
        assert_eq!(
            from("10.0.0.2", &["10.3.3.3, 10.1.1.1"], trusted),
            "10.3.3.3"
        );
    }

    #[test]
    fn an_ipv6_client_is_its_64() {
        let key = |ip: &str| limit_key(ip.parse().unwrap());
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(key("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(key("203.0.113.9"), "203.0.113.9");
    }
}
