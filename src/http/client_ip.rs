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

/// The client's address, as text for the rate limits' keys.
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
        let ip = client(peer.ip(), &parts.headers, &state.app.trusted_proxies);
        Ok(Self(ip.to_string()))
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
}
