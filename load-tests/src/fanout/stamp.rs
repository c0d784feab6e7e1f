//! When the kernel received what a socket reads: a TCP stream with
//! `SO_TIMESTAMPNS` on, whose every read notes the arrival time of the
//! last bytes it took.
//!
//! The generator shares the cores with the server it drives. Timed when
//! its tasks get to run, a delivery would also count how long those tasks
//! waited behind the generator's own backlog (15,000 sockets read in one
//! process). Timed from these instants, at both ends of a delivery (the
//! call-next answer and the event), it counts what the server and the
//! network did, the same way for Guichet and the bare server.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncRead, AsyncWrite, Interest, ReadBuf};
use tokio::net::TcpStream;

/// The arrival time of the last bytes read, shared with whoever times them.
#[derive(Debug, Default)]
pub struct Received {
    /// Nanoseconds since the Unix epoch (the kernel's clock); 0 for none.
    nanos: AtomicU64,
}

impl Received {
    /// When the last bytes read arrived, as an instant of this process.
    pub fn at(&self) -> Option<Instant> {
        let nanos = self.nanos.load(Ordering::Relaxed);
        if nanos == 0 {
            return None;
        }
        let now = Instant::now();
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
        let ago = wall.saturating_sub(Duration::from_nanos(nanos));
        now.checked_sub(ago)
    }
}

/// A TCP stream whose reads note when the kernel received their bytes.
pub struct Stamped {
    stream: TcpStream,
    received: Arc<Received>,
}

impl Stamped {
    /// Turns on receive timestamps (and `TCP_NODELAY`) for `stream`.
    pub fn new(stream: TcpStream) -> io::Result<Self> {
        stream.set_nodelay(true)?;
        let on: libc::c_int = 1;
        // SAFETY: `setsockopt` reads `size_of::<c_int>()` bytes at `&on`.
        let done = unsafe {
            libc::setsockopt(
                stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_TIMESTAMPNS,
                (&on as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if done != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Self {
            stream,
            received: Arc::default(),
        })
    }

    pub fn received(&self) -> &Arc<Received> {
        &self.received
    }
}

/// One `recvmsg` into `buf`: the bytes read, and the arrival time of the
/// last of them if the kernel gave one.
fn receive(fd: RawFd, buf: &mut [MaybeUninit<u8>]) -> io::Result<(usize, Option<u64>)> {
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // Room for a few control messages, aligned as `cmsghdr` needs.
    let mut control = [0u64; 16];
    // SAFETY: an all-zero `msghdr` is valid (no name, no buffers).
    let mut message: libc::msghdr = unsafe { std::mem::zeroed() };
    message.msg_iov = &mut iov;
    message.msg_iovlen = 1;
    message.msg_control = control.as_mut_ptr().cast();
    message.msg_controllen = std::mem::size_of_val(&control) as _;
    // SAFETY: `message` points at `iov` (into `buf`) and `control`, which
    // outlive the call; the kernel writes no further than their lengths.
    let read = unsafe { libc::recvmsg(fd, &mut message, 0) };
    if read < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut stamp = None;
    // SAFETY: the control messages are walked with the kernel's own
    // macros, within `msg_controllen` as `recvmsg` set it.
    unsafe {
        let mut header = libc::CMSG_FIRSTHDR(&message);
        while !header.is_null() {
            if (*header).cmsg_level == libc::SOL_SOCKET
                && (*header).cmsg_type == libc::SCM_TIMESTAMPNS
            {
                let time: libc::timespec = std::ptr::read_unaligned(libc::CMSG_DATA(header).cast());
                stamp = Some(time.tv_sec as u64 * 1_000_000_000 + time.tv_nsec as u64);
            }
            header = libc::CMSG_NXTHDR(&message, header);
        }
    }
    Ok((read as usize, stamp))
}

impl AsyncRead for Stamped {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            ready!(this.stream.poll_read_ready(cx))?;
            let fd = this.stream.as_raw_fd();
            // SAFETY: `receive` only writes bytes into the unfilled part,
            // and only the `read` bytes it wrote are marked initialized.
            let unfilled = unsafe { buf.unfilled_mut() };
            match this
                .stream
                .try_io(Interest::READABLE, || receive(fd, unfilled))
            {
                Ok((read, stamp)) => {
                    // SAFETY: `recvmsg` wrote these `read` bytes.
                    unsafe { buf.assume_init(read) };
                    buf.advance(read);
                    if let Some(nanos) = stamp {
                        this.received.nanos.store(nanos, Ordering::Relaxed);
                    }
                    return Poll::Ready(Ok(()));
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => continue,
                Err(error) => return Poll::Ready(Err(error)),
            }
        }
    }
}

impl AsyncWrite for Stamped {
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
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
