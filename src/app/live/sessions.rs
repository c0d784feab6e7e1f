//! Ending the sockets of sessions that ended: a staff member's or a
//! device's socket keeps the token it was opened with, and closes at once
//! when this instance disables, removes or changes the account, logs that
//! session out, or revokes the device or gives it a new token
//! (`Hub::end_sessions` names the account or device; each of its sockets
//! then checks its own token, so its other sessions stay), and within
//! `RECHECK` when another instance does (each such socket reads its token
//! again that often, and that instance remembers a token for a second:
//! `Caches::tokens`; an expiry is seen the same way). A database that does
//! not answer ends nobody's socket.

use super::super::auth::{Principal, authenticate};
use super::super::{App, AppError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};

/// How often a staff or device socket reads its token again.
pub const RECHECK: Duration = Duration::from_secs(30);

/// Accounts and devices whose sessions ended, as `Principal::actor` names
/// them, for this instance's sockets.
#[derive(Debug)]
pub struct Ended(broadcast::Sender<Arc<str>>);

impl Default for Ended {
    fn default() -> Self {
        Self(broadcast::channel(64).0)
    }
}

impl Ended {
    pub fn announce(&self, actor: String) {
        let _ = self.0.send(actor.into());
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.0.subscribe()
    }
}

/// The session a socket was opened with.
#[derive(Debug)]
pub struct Session {
    token: String,
    who: Principal,
    ended: broadcast::Receiver<Arc<str>>,
}

impl Session {
    /// Subscribe when the socket's caller is known, before its upgrade, so
    /// that an end announced meanwhile is not missed.
    pub fn new(app: &App, token: String, who: Principal) -> Self {
        Self {
            token,
            who,
            ended: app.live.hub.ended.subscribe(),
        }
    }

    /// Resolves once the session has ended.
    pub async fn ended(mut self, app: &App, recheck: Duration) {
        let actor = self.who.actor();
        let mut every = tokio::time::interval_at(tokio::time::Instant::now() + recheck, recheck);
        loop {
            tokio::select! {
                ended = self.ended.recv() => match ended {
                    // One of the actor's sessions ended: whether it was
                    // this one, its own token says.
                    Ok(who) if *who == *actor => if !self.holds(app).await { return },
                    Ok(_) => {}
                    // Ends were missed: the token says whether one was ours.
                    Err(RecvError::Lagged(_)) => if !self.holds(app).await { return },
                    Err(RecvError::Closed) => std::future::pending::<()>().await,
                },
                _ = every.tick() => if !self.holds(app).await { return },
            }
        }
    }

    /// Whether the token still opens the session it opened.
    async fn holds(&self, app: &App) -> bool {
        match authenticate(app, &self.token).await {
            Ok(who) => who == self.who,
            Err(AppError::Unauthorized(_)) => false,
            Err(error) => {
                tracing::warn!(%error, "a live session could not be checked; kept");
                true
            }
        }
    }
}
