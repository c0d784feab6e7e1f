//! `/ws/tickets/{id}`: a citizen following one ticket. The socket sends
//! what the ticket's shared reader (`app::live::tickets`) publishes: the
//! ticket's state now, then each change, and closes with 1000 once the
//! ticket is finished.

use super::peer::Peer;
use super::{FINISHED, GOING_AWAY, ping_timer};
use crate::app::App;
use crate::app::live::tickets::TicketUpdate;
use axum::extract::ws::WebSocket;
use std::sync::Arc;

pub(super) async fn follow(app: &Arc<App>, socket: WebSocket, id: &str, site: &str) {
    let mut feed = app.live.hub.tickets.follow(app, id, site);
    let mut peer = Peer::new(socket);
    let mut ping = ping_timer();
    // What the feed holds already (another socket follows the ticket) is
    // this socket's first message; a new feed's first read comes as a change.
    let mut update = feed.borrow_and_update().clone();
    loop {
        match update.take().as_deref() {
            None => {}
            Some(TicketUpdate::Failed) => {
                return peer.close(1011, "unavailable; reconnect").await;
            }
            Some(TicketUpdate::Changed { message, finished }) => {
                if peer.send_text(message.clone()).await.is_err() {
                    return;
                }
                if *finished {
                    return peer.close(FINISHED, "ticket finished").await;
                }
            }
        }
        tokio::select! {
            _ = app.live.shutdown.cancelled() => {
                return peer.close(GOING_AWAY, "server restarting: reconnect").await;
            }
            message = peer.socket.recv() => if !peer.heard(message) { return },
            _ = ping.tick() => if !peer.ping().await { return },
            changed = feed.changed() => match changed {
                Ok(()) => update = feed.borrow_and_update().clone(),
                // The reader ended without a last word (shutdown).
                Err(_) => return peer.close(GOING_AWAY, "server restarting: reconnect").await,
            },
        }
    }
}
