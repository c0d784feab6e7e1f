//! The deadlines of one connection. While a request is being answered,
//! `http::timeout` bounds the time to its answer; once the answer is ready
//! it must be sent (taken by the socket) within the same time, or the
//! connection is cut. Otherwise the connection waits for a request, with
//! one deadline:
//!
//! - from the opening, and from the first byte of each later request, the
//!   whole head (request line and headers) must arrive within the header
//!   timeout: a client that dribbles its headers one byte at a time gains
//!   nothing;
//! - after an answer, the next request's first byte must come within the
//!   idle timeout.
//!
//! `Watched` is the socket: it notes the first byte read while waiting and
//! when hyper has flushed all it wrote, holds the connection's slot under
//! the cap, and keeps the open connections' gauge (an upgraded WebSocket
//! keeps its socket, so it stays counted until it closes).
//! `Guarded` is an answer's body, which keeps the connection busy until
//! hyper has taken all of it; the answer is sent at the next flush.

use super::counts::{ConnectionCounts, Cut};
use axum::body::Body;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::{Notify, OwnedSemaphorePermit};
use tokio::time::Instant;

pub(super) struct Watch {
    header: Duration,
    idle: Duration,
    state: Mutex<State>,
    /// Set while waiting for a request's first byte, read on every read
    /// without taking the lock.
    awaiting_bytes: AtomicBool,
    /// Told whenever a new deadline is set.
    changed: Notify,
}

struct State {
    requests: usize,
    /// The last answer is in hyper's buffers, not yet all written to the
    /// socket: its deadline still runs.
    sending: bool,
    deadline: Option<(Instant, Cut)>,
}

impl Watch {
    /// A new connection: its first request's head is due within `header`.
    pub(super) fn new(header: Duration, idle: Duration) -> Self {
        Self {
            header,
            idle,
            state: Mutex::new(State {
                requests: 0,
                sending: false,
                deadline: Some((Instant::now() + header, Cut::HeaderTimeout)),
            }),
            awaiting_bytes: AtomicBool::new(false),
            changed: Notify::new(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state stays consistent whatever panicked while holding it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// When the connection is due to be cut, unless something happens.
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.state().deadline.map(|(at, _)| at)
    }

    /// Why the connection must be cut now, if it must.
    pub(super) fn expired(&self) -> Option<Cut> {
        self.state()
            .deadline
            .filter(|(at, _)| *at <= Instant::now())
            .map(|(_, reason)| reason)
    }

    /// Resolves once a new deadline has been set.
    pub(super) async fn changed(&self) {
        self.changed.notified().await;
    }

    fn bytes_read(&self) {
        if !self.awaiting_bytes.load(Ordering::Relaxed) {
            return;
        }
        let mut state = self.state();
        if self.awaiting_bytes.swap(false, Ordering::Relaxed) && state.requests == 0 {
            state.deadline = Some((Instant::now() + self.header, Cut::HeaderTimeout));
            self.changed.notify_one();
        }
    }

    /// A request's head has arrived: busy until the returned guard drops.
    pub(super) fn request_started(self: &Arc<Self>) -> Busy {
        let mut state = self.state();
        state.requests += 1;
        state.sending = false;
        state.deadline = None;
        self.awaiting_bytes.store(false, Ordering::Relaxed);
        Busy(self.clone())
    }

    /// A request's answer is ready: all of it must be sent `within` this,
    /// so that a client that stops reading does not hold the connection.
    pub(super) fn answering(&self, within: Duration) {
        let mut state = self.state();
        state.deadline = Some((Instant::now() + within, Cut::RequestTimeout));
        self.changed.notify_one();
    }

    /// The answer's body is all in hyper's hands; it is sent once the
    /// socket has taken all of it (`flushed`).
    fn request_finished(&self) {
        let mut state = self.state();
        state.requests = state.requests.saturating_sub(1);
        state.sending = state.requests == 0;
    }

    /// Everything written so far has gone to the socket: if that was the
    /// last answer, the connection waits for its next request.
    fn flushed(&self) {
        let mut state = self.state();
        if state.sending {
            state.sending = false;
            state.deadline = Some((Instant::now() + self.idle, Cut::IdleTimeout));
            self.awaiting_bytes.store(true, Ordering::Relaxed);
            self.changed.notify_one();
        }
    }
}

/// A request being answered; dropped once its answer is sent, or given up.
pub(super) struct Busy(Arc<Watch>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}

/// An answer's body, keeping its connection busy until it is sent.
pub(super) struct Guarded {
    pub(super) body: Body,
    pub(super) _busy: Busy,
}

impl http_body::Body for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A connection's socket, with its slot under the cap.
pub(super) struct Watched {
    stream: TcpStream,
    watch: Arc<Watch>,
    counts: ConnectionCounts,
    _slot: OwnedSemaphorePermit,
}

impl Watched {
    pub(super) fn new(
        stream: TcpStream,
        watch: Arc<Watch>,
        counts: ConnectionCounts,
        slot: OwnedSemaphorePermit,
    ) -> Self {
        counts.opened();
        Self {
            stream,
            watch,
            counts,
            _slot: slot,
        }
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        self.counts.closed();
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let read = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(read, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.watch.bytes_read();
        }
        read
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let flushed = Pin::new(&mut this.stream).poll_flush(cx);
        if matches!(flushed, Poll::Ready(Ok(()))) {
            this.watch.flushed();
        }
        flushed
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
