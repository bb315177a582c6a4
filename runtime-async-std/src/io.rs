use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

/// Size of the staging buffer for reads: one maximal TLS record.
const READ_BUF: usize = 16 * 1024;

/// A futures-io stream (TCP or TLS) as hyper I/O.
///
/// Works for any [`futures_io::AsyncRead`] + [`futures_io::AsyncWrite`] type: async-std's and
/// smol's sockets alike, and futures-rustls streams over them.
///
/// futures-io reads into initialised memory and hyper hands out an uninitialised buffer,
/// which cannot be bridged without `unsafe`; reads therefore go through a small owned
/// buffer, allocated on the first read (one extra copy, cheap next to TLS).
#[derive(Debug)]
pub struct AsyncStdIo<T> {
    inner: T,
    buffer: Box<[u8]>,
    vectored: bool,
}

impl<T> AsyncStdIo<T> {
    /// Wrap a futures-io stream. Writes of several buffers go out one buffer at a time
    /// unless [`with_write_vectored`](Self::with_write_vectored) says otherwise.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            buffer: Box::default(),
            vectored: false,
        }
    }

    /// Tell hyper whether the stream writes several buffers in one go efficiently, so that
    /// it hands them over without copying them together first. True for async-std's and
    /// smol's TCP streams and for futures-rustls streams; false for streams that keep
    /// futures-io's default `poll_write_vectored` (which writes only the first buffer).
    pub fn with_write_vectored(mut self, vectored: bool) -> Self {
        self.vectored = vectored;
        self
    }

    /// The wrapped stream.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped stream.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: AsyncRead + Unpin> hyper::rt::Read for AsyncStdIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut cursor: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.buffer.is_empty() {
            this.buffer = vec![0; READ_BUF].into_boxed_slice();
        }
        let len = cursor.remaining().min(this.buffer.len());
        match Pin::new(&mut this.inner).poll_read(cx, &mut this.buffer[..len]) {
            Poll::Ready(Ok(read)) => {
                // A reader that claims more than it was given is broken; never panic on it.
                let Some(data) = this.buffer.get(..read) else {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "the stream reported reading more bytes than the buffer holds",
                    )));
                };
                cursor.put_slice(data);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncWrite + Unpin> hyper::rt::Write for AsyncStdIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.vectored
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }
}
