//! The request body: one gRPC frame, sent in a single DATA frame with END_STREAM.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

/// A body that yields one chunk of bytes and ends.
pub(crate) struct OnceBody(Option<Bytes>);

impl OnceBody {
    pub(crate) fn new(bytes: Bytes) -> Self {
        Self((!bytes.is_empty()).then_some(bytes))
    }
}

impl Body for OnceBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.take().map(|bytes| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_none()
    }

    // No exact size hint on purpose: hyper would turn it into a `content-length` header,
    // which gRPC does not use and which, changing from call to call, HPACK cannot index.
    fn size_hint(&self) -> SizeHint {
        let mut hint = SizeHint::new();
        hint.set_lower(self.0.as_ref().map_or(0, |b| b.len() as u64));
        hint
    }
}
