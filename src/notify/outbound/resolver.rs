//! The outbound client's DNS resolver: the system's answer, less every
//! address a webhook may not reach.

use super::{internal, permitted};
use crate::config::WebhookAllow;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;
use std::sync::Arc;

pub(super) struct Guarded {
    allow: Arc<WebhookAllow>,
}

impl Guarded {
    pub(super) fn new(allow: Arc<WebhookAllow>) -> Self {
        Self { allow }
    }
}

/// A host whose every address is internal and not allowed.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to addresses webhooks may not reach ({reasons})")]
pub struct RefusedAddresses {
    host: String,
    reasons: String,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl Resolve for Guarded {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(lookup(self.allow.clone(), name.as_str().to_owned()))
    }
}

/// The system's addresses for `host` that may be reached.
async fn lookup(allow: Arc<WebhookAllow>, host: String) -> Result<Addrs, BoxError> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
    let (kept, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = found
        .into_iter()
        .partition(|a| permitted(&allow, &host, a.ip()));
    if kept.is_empty() {
        let mut reasons: Vec<&str> = refused.iter().filter_map(|a| internal(a.ip())).collect();
        reasons.dedup();
        let reasons = reasons.join(", ");
        return Err(Box::new(RefusedAddresses { host, reasons }));
    }
    Ok(Box::new(kept.into_iter()))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn resolve(host: &str, allow: &str) -> Result<Vec<SocketAddr>, String> {
        let guarded = Guarded::new(Arc::new(allow.parse().unwrap()));
        match guarded.resolve(host.parse().unwrap()).await {
            Ok(addrs) => Ok(addrs.collect()),
            Err(error) => {
                assert!(error.is::<RefusedAddresses>(), "{error}");
                Err(error.to_string())
            }
        }
    }

    #[tokio::test]
    async fn a_name_of_this_machine_resolves_to_nothing_unless_allowed() {
        let refused = resolve("localhost", "").await.expect_err("refused");
        assert!(refused.contains("loopback"), "{refused}");
        let by_name = resolve("localhost", "localhost").await.expect("allowed");
        assert!(by_name.iter().any(|a| a.ip().is_loopback()), "{by_name:?}");
        let by_block = resolve("localhost", "127.0.0.0/8").await.expect("allowed");
        assert!(
            !by_block.is_empty() && by_block.iter().all(|a| a.ip().is_ipv4()),
            "{by_block:?}"
        );
    }
}
