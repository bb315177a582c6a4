//! An I/O wrapper that watches a connection for the engine.
//!
//! hyper reports a dead connection to each call only as "broken pipe" or "connection
//! closed"; the error that killed it (say, a TLS alert from a server that rejected our client
//! certificate after a TLS 1.3 handshake) is dropped inside hyper. The engine reads it back
//! from here to give the call a precise cause. The first bytes received tell an HTTP/2
//! server (whose first frame is SETTINGS) from a TLS or HTTP/1 one, and their arrival is
//! what the connect waits for: hyper's handshake only sends our preface.
//!
//! It also coalesces writes (see [`WatchedIo`]'s `flushed`): hyper queues a request's
//! HEADERS and its DATA from two tasks, and h2 would otherwise write each in its own syscall.

use std::io;
use std::pin::Pin;
use std::string::{String, ToString};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{ready, Context, Poll, Waker};
use std::time::{Duration, Instant};
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
    /// The I/O error's kind (`ConnectionReset`, `UnexpectedEof`, ...).
    pub(crate) kind: io::ErrorKind,
}

/// How many of the first bytes received are kept (see [`ConnWatch::prefix`]).
const PREFIX_LEN: usize = 512;

/// An HTTP/2 frame header: length (3), type (1), flags (1), stream id (4).
const FRAME_HEADER_LEN: usize = 9;

/// HTTP/2 frame type SETTINGS, which every HTTP/2 server sends first.
const SETTINGS: u8 = 0x04;

/// What a [`WatchedIo`] saw of its connection, shared with the engine.
#[derive(Debug, Default)]
pub(crate) struct ConnWatch {
    state: Mutex<WatchState>,
}

#[derive(Debug, Default)]
struct WatchState {
    failure: Option<IoFailure>,
    prefix: Vec<u8>,
    /// The connection ended (end of stream, error, or its driver task finished).
    ended: bool,
    /// The connect waiting for the server's first frame.
    waker: Option<Waker>,
    /// When a read last completed (bytes or end of stream).
    last_read: Option<Instant>,
}

/// How the wait for the server's first frame ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FirstFrame {
    /// The server's first frame is SETTINGS: it speaks HTTP/2.
    Settings,
    /// The first bytes are not an HTTP/2 SETTINGS frame (TLS, HTTP/1, garbage).
    Other,
    /// The connection ended before a whole frame header arrived.
    Ended,
}

impl ConnWatch {
    fn lock(&self) -> MutexGuard<'_, WatchState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The first I/O error of the connection, if any.
    pub(crate) fn failure(&self) -> Option<IoFailure> {
        self.lock().failure.clone()
    }

    /// The first bytes the connection received (up to 512).
    pub(crate) fn prefix(&self) -> Vec<u8> {
        self.lock().prefix.clone()
    }

    /// How long the connection has received nothing (since it was opened, if never).
    ///
    /// hyper ends a connection whose keepalive ping went unanswered without an error when
    /// no call is waiting on it, the same as a connection closed in order: a long silence
    /// before the end tells the two apart.
    pub(crate) fn silent_for(&self, opened: Instant) -> Duration {
        self.lock().last_read.unwrap_or(opened).elapsed()
    }

    fn read_completed(&self) {
        self.lock().last_read = Some(Instant::now());
    }

    /// Record that the connection is over (its driver task ended).
    pub(crate) fn end(&self) {
        let waker = {
            let mut state = self.lock();
            state.ended = true;
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Ready once the server's first frame header has arrived or the connection ended.
    pub(crate) fn poll_first_frame(&self, cx: &mut Context<'_>) -> Poll<FirstFrame> {
        let mut state = self.lock();
        if state.prefix.len() >= FRAME_HEADER_LEN {
            return Poll::Ready(if state.prefix[3] == SETTINGS {
                FirstFrame::Settings
            } else {
                FirstFrame::Other
            });
        }
        if state.ended || state.failure.is_some() {
            return Poll::Ready(FirstFrame::Ended);
        }
        state.waker = Some(cx.waker().clone());
        Poll::Pending
    }

    /// Keep `received`; returns whether the prefix is now full.
    fn received(&self, received: &[u8]) -> bool {
        let (full, waker) = {
            let mut state = self.lock();
            if received.is_empty() {
                state.ended = true;
            } else {
                let room = PREFIX_LEN.saturating_sub(state.prefix.len());
                state
                    .prefix
                    .extend_from_slice(&received[..received.len().min(room)]);
            }
            (state.prefix.len() >= PREFIX_LEN, state.waker.take())
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        full
    }

    /// Keep `error` unless an earlier one is kept already.
    fn note(&self, error: &io::Error) {
        let waker = {
            let mut state = self.lock();
            if state.failure.is_none() {
                state.failure = Some(failure(error));
            }
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Wraps a connection and records in a [`ConnWatch`] its first bytes and its first read or
/// write error.
pub(crate) struct WatchedIo {
    io: BoxIo,
    watch: Arc<ConnWatch>,
    /// Whether the prefix is full (saves taking the watch's lock on every read).
    prefix_full: bool,
    /// A write error held back while the peer's last bytes are read.
    write_error: Option<io::Error>,
    /// Whether the last write batch has been flushed: the next write is the first of a new
    /// batch, and yields once before it goes out (see [`Self::cork`]).
    flushed: bool,
}

impl WatchedIo {
    pub(crate) fn new(io: BoxIo, watch: Arc<ConnWatch>) -> Self {
        Self {
            io,
            watch,
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
        let mut scratch = [0u8; PREFIX_LEN];
        let want = PREFIX_LEN.min(cursor.remaining());
        let mut buf = hyper::rt::ReadBuf::new(&mut scratch[..want]);
        let result = Pin::new(&mut self.io).poll_read(cx, buf.unfilled());
        if let Poll::Ready(Ok(())) = result {
            let filled = buf.filled();
            self.prefix_full = self.watch.received(filled);
            cursor.put_slice(filled);
        }
        self.record_read(result)
    }

    fn record<T>(&self, result: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        if let Poll::Ready(Err(error)) = &result {
            self.watch.note(error);
        }
        result
    }

    fn record_read(&self, result: Poll<io::Result<()>>) -> Poll<io::Result<()>> {
        if result.is_ready() {
            self.watch.read_completed();
        }
        self.record(result)
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
                    self.watch.note(&error);
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
            kind: error.kind(),
        },
        None => IoFailure {
            message: error.to_string(),
            tls: None,
            kind: error.kind(),
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
        self.record_read(result)
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
