//! One live socket as the streams use it: sending with a time limit,
//! noting when the peer was last heard, pinging, and closing with a code.

use super::SEND_TIMEOUT;
use crate::app::live::LiveEvent;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::SinkExt;
use tokio::time::Instant;

/// A peer silent for this long is gone.
const SILENT: std::time::Duration = std::time::Duration::from_secs(60);

/// A socket and when its peer was last heard.
pub(super) struct Peer {
    pub(super) socket: WebSocket,
    heard: Instant,
}

impl Peer {
    pub(super) fn new(socket: WebSocket) -> Self {
        Self {
            socket,
            heard: Instant::now(),
        }
    }

    pub(super) async fn send_text(&mut self, text: String) -> Result<(), ()> {
        self.send(Message::Text(text.into())).await
    }

    /// An event's shared bytes, without copying them.
    pub(super) async fn send_event(&mut self, event: &LiveEvent) -> Result<(), ()> {
        self.feed_event(event).await?;
        self.flush().await
    }

    /// Queues an event to go out with the next flush.
    pub(super) async fn feed_event(&mut self, event: &LiveEvent) -> Result<(), ()> {
        let text = Utf8Bytes::try_from(event.wire.clone()).map_err(|_| ())?;
        match tokio::time::timeout(SEND_TIMEOUT, self.socket.feed(Message::Text(text))).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(()),
        }
    }

    pub(super) async fn flush(&mut self) -> Result<(), ()> {
        match tokio::time::timeout(SEND_TIMEOUT, self.socket.flush()).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(()),
        }
    }

    pub(super) async fn send(&mut self, message: Message) -> Result<(), ()> {
        match tokio::time::timeout(SEND_TIMEOUT, self.socket.send(message)).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(()),
        }
    }

    pub(super) async fn close(&mut self, code: u16, reason: &str) {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        let _ = self.send(Message::Close(Some(frame))).await;
    }

    /// What the peer sent: `false` once it is gone.
    pub(super) fn heard(&mut self, message: Option<Result<Message, axum::Error>>) -> bool {
        match message {
            Some(Ok(Message::Close(_))) | Some(Err(_)) | None => false,
            Some(Ok(_)) => {
                self.heard = Instant::now();
                true
            }
        }
    }

    /// A ping, unless the peer has been silent too long (`false`: gone).
    pub(super) async fn ping(&mut self) -> bool {
        self.heard.elapsed() < SILENT && self.send(Message::Ping(Default::default())).await.is_ok()
    }
}
