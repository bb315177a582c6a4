//! An I/O wrapper that remembers the first error of a connection.
//!
//! hyper reports a dead connection to each call only as "broken pipe" or "connection
//! closed"; the error that killed it (say, a TLS alert from a server that rejected our client
//! certificate after a TLS 1.3 handshake) is dropped inside hyper. The engine reads it back
//! from here to give the call a precise cause.
//!
//! It also coalesces writes (see [`WatchedIo`]'s `flushed`): hyper queues a request's
//! HEADERS and its DATA from two tasks, and h2 would otherwise write each in its own syscall.

use std::io;
use std::pin::Pin;
use std::string::{String, ToString};
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::vec::Vec;

use hyper::rt::Read as _;

use super::runtime::BoxIo;

/// The first I/O error seen on a connection.
#[derive(Clone, Debug)]
pub(crate) struct IoFailure {
    /// The error's text (the rustls error's, when there is one).
    pub(crate) message: String,
    /// The rustls error, when TLS raised it (an alert, a bad record, ...).
    pub(crate) tls: Option<rustls::Error>,
}

/// Where a [`WatchedIo`] leaves its first error.
pub(crate) type FailureSlot = Arc<Mutex<Option<IoFailure>>>;

/// How many of the first bytes received are kept in a [`PrefixSlot`].
const PREFIX_LEN: usize = 512;

/// Where a [`WatchedIo`] keeps the first bytes it received: they tell a plaintext connection
/// to a TLS or HTTP/1 server from an HTTP/2 one.
pub(crate) type PrefixSlot = Arc<Mutex<Vec<u8>>>;

/// Wraps a connection and records its first read or write error in a shared slot.
pub(crate) struct WatchedIo {
    io: BoxIo,
    slot: FailureSlot,
    prefix: PrefixSlot,
    /// Whether `prefix` is full (saves taking its lock on every read).
    prefix_full: bool,
    /// A write error held back while the peer's last bytes are read.
    write_error: Option<io::Error>,
    /// Whether the last write batch has been flushed: the next write is the first of a new
    /// batch, and yields once before it goes out (see [`Self::cork`]).
    flushed: bool,
}

impl WatchedIo {
    pub(crate) fn new(io: BoxIo, slot: FailureSlot, prefix: PrefixSlot) -> Self {
        Self {
            io,
            slot,
            prefix,
            prefix_full: false,
            write_error: None,
            flushed: true,
        }
    }

    /// Hold back the first write of a batch for one turn of the scheduler.
    ///
    /// hyper hands a request's HEADERS to h2 from its dispatch task, but its DATA from the
    /// body task, which h2 lets run only once the connection task has opened the stream. The
    /// connection task would write the HEADERS at once and the DATA on its next turn: two
    /// syscalls (and two TCP segments) per call. Yielding once (after waking ourselves) lets
    /// the body task queue its DATA first, so both frames leave in one vectored write; the
    /// same turn also gathers the frames of other calls made meanwhile.
    fn cork(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.flushed {
            self.flushed = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(())
    }

    /// Read at most what the prefix still lacks, keep a copy, and hand it on.
    fn read_prefix(
        &mut self,
        cx: &mut Context<'_>,
        mut cursor: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let kept = self.prefix.lock().unwrap_or_else(|p| p.into_inner()).len();
        let mut scratch = [0u8; PREFIX_LEN];
        let want = (PREFIX_LEN - kept).min(cursor.remaining());
        let mut buf = hyper::rt::ReadBuf::new(&mut scratch[..want]);
        let result = Pin::new(&mut self.io).poll_read(cx, buf.unfilled());
        if let Poll::Ready(Ok(())) = result {
            let filled = buf.filled();
            let mut prefix = self.prefix.lock().unwrap_or_else(|p| p.into_inner());
            prefix.extend_from_slice(filled);
            self.prefix_full = prefix.len() >= PREFIX_LEN;
            cursor.put_slice(filled);
        }
        self.record(result)
    }

    fn record<T>(&self, result: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if let Poll::Ready(Err(error)) = &result {
            self.note(error);
        }
        result
    }

    /// Keep `error` unless an earlier one is kept already.
    fn note(&self, error: &io::Error) {
        let mut slot = self.slot.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(failure(error));
        }
    }

    /// After a failed write, read what the peer sent before it went away, then fail.
    ///
    /// A server that rejects the client (say, a missing client certificate under TLS 1.3)
    /// sends a TLS alert and closes; our next write fails with a bare "broken pipe" while
    /// the alert that explains it sits unread. So the write error is held back (the write
    /// stays pending) until the read side has reached its end or its own error.
    fn fail_write<T>(
        &mut self,
        cx: &mut Context<'_>,
        result: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match result {
            Poll::Ready(Err(error)) => {
                self.write_error = Some(error);
                self.drain(cx)
            }
            other => other,
        }
    }

    fn drain<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let mut scratch = [0u8; 4096];
        for _ in 0..64 {
            let mut buf = hyper::rt::ReadBuf::new(&mut scratch);
            match Pin::new(&mut self.io).poll_read(cx, buf.unfilled()) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => continue,
                Poll::Ready(Ok(())) => break,
                Poll::Ready(Err(error)) => {
                    self.note(&error);
                    break;
                }
            }
        }
        let error = self
            .write_error
            .take()
            .unwrap_or_else(|| io::ErrorKind::BrokenPipe.into());
        self.record(Poll::Ready(Err(error)))
    }
}

fn tls_error(error: &io::Error) -> Option<&rustls::Error> {
    error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
}

fn failure(error: &io::Error) -> IoFailure {
    match tls_error(error) {
        Some(tls) => IoFailure {
            message: tls.to_string(),
            tls: Some(tls.clone()),
        },
        None => IoFailure {
            message: error.to_string(),
            tls: None,
        },
    }
}

impl hyper::rt::Read for WatchedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.prefix_full && buf.remaining() > 0 {
            return self.read_prefix(cx, buf);
        }
        let result = Pin::new(&mut self.io).poll_read(cx, buf);
        self.record(result)
    }
}

impl hyper::rt::Write for WatchedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.write_error.is_some() {
            return self.drain(cx);
        }
        ready!(self.cork(cx));
        let result = Pin::new(&mut self.io).poll_write(cx, buf);
        self.fail_write(cx, result)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.write_error.is_some() {
            return self.drain(cx);
        }
        let result = Pin::new(&mut self.io).poll_flush(cx);
        if let Poll::Ready(Ok(())) = result {
            self.flushed = true;
        }
        self.fail_write(cx, result)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.write_error.is_some() {
            return self.drain(cx);
        }
        ready!(self.cork(cx));
        let result = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.fail_write(cx, result)
    }
}
