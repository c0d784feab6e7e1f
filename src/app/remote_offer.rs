//! What an office's portal page offers of its remote queue: for each
//! walk-in service that takes remote tickets, the people waiting, the
//! estimate, and whether joining is open now or why not. A read for the
//! page only: `remote_queue::join` checks the same again in its
//! transaction, so a page a moment old can never let anyone in.

use super::queue::Pace;
use super::sites::SiteContext;
use super::{App, AppResult};
use crate::store::{self, Conn};
use std::collections::HashMap;

/// Whether a service's remote queue can be joined now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joining {
    Open,
    /// The office is closed now (outside its hours, or a closure day).
    SiteClosed,
    /// The estimated wait already runs past today's closing time.
    Closing,
}

impl Joining {
    /// The error code `remote_queue::join` answers in this state.
    pub fn code(self) -> Option<&'static str> {
        match self {
            Self::Open => None,
            Self::SiteClosed => Some("site_closed"),
            Self::Closing => Some("queue_closing"),
        }
    }
}

/// One service's remote queue, as the portal shows it.
#[derive(Debug, Clone)]
pub struct RemoteOffer {
    pub service: String,
    pub waiting: i64,
    pub estimated_wait_seconds: i64,
    pub joining: Joining,
}

/// The remote queues of a site's services: walk-in services with a
/// remote share above 0, in the site's order.
pub async fn of_site(app: &App, site: &str) -> AppResult<Vec<RemoteOffer>> {
    let context = SiteContext::load(app, site).await?;
    let remote: Vec<_> = context
        .services
        .iter()
        .filter(|s| s.walk_in && s.remote_share_percent > 0)
        .collect();
    if remote.is_empty() {
        return Ok(Vec::new());
    }
    let pace = Pace::read(app, &context).await?;
    let waiting: HashMap<String, i64> = store::tickets::waiting_by_service(Conn::Db(&app.db), site)
        .await?
        .into_iter()
        .collect();
    let now = app.clock.now_ms();
    Ok(remote
        .into_iter()
        .map(|s| {
            let load = pace.load(&s.id, waiting.get(&s.id).copied().unwrap_or(0));
            RemoteOffer {
                joining: joining(&context, now, load.estimated_wait_seconds),
                service: s.id.clone(),
                waiting: load.waiting,
                estimated_wait_seconds: load.estimated_wait_seconds,
            }
        })
        .collect())
}

/// Whether one more ticket, served in `wait_seconds`, may join at `now`:
/// the rules of `remote_queue::join`, read before its transaction.
fn joining(context: &SiteContext, now: i64, wait_seconds: i64) -> Joining {
    match super::remote_queue::closing_ms(context, now) {
        Err(_) => Joining::SiteClosed,
        Ok(closing) if now + wait_seconds * 1000 > closing => Joining::Closing,
        Ok(_) => Joining::Open,
    }
}
