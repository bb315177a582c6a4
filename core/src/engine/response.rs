//! Reading a response: its body as it streams, under the receive limit, and its trailers.

use std::format;

use bytes::{Bytes, BytesMut};
use http_body::Body as _;

use super::conn::Conn;
use super::headers::metadata;
use crate::grpc::{Response, TransportError, TransportErrorKind};

/// The length prefix of a gRPC message: a compression flag and a big-endian `u32`.
const PREFIX_LEN: usize = 5;

/// Read the body and trailers of `response`. Fails with
/// [`TransportErrorKind::ResponseTooLarge`] as soon as a message's length prefix announces
/// more than `limit` bytes, or the body grows past one such message, without buffering the
/// rest (dropping the body resets the stream).
pub(super) async fn read_response(
    conn: &Conn,
    response: http::Response<hyper::body::Incoming>,
    limit: usize,
) -> Result<Response, TransportError> {
    let (parts, mut body) = response.into_parts();
    let too_large = |what: &str| {
        TransportError::new(
            TransportErrorKind::ResponseTooLarge,
            format!(
                "the response {what}, over the receive limit of {limit} bytes ({})",
                conn.authority()
            ),
        )
    };
    // Only a gRPC body is framed; a proxy's error page is just bytes (capped below).
    let grpc = parts.status == http::StatusCode::OK
        && parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"));
    let mut frames = grpc.then(|| FrameWalker::new(limit));
    let mut first: Option<Bytes> = None;
    let mut rest = BytesMut::new();
    let mut received = 0usize;
    let mut trailers = None;
    loop {
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx));
        let Some(frame) = frame.await else { break };
        let frame = frame.map_err(|e| conn.error(&e))?;
        match frame.into_data() {
            Ok(data) => {
                if let Some(Err(announced)) = frames.as_mut().map(|f| f.walk(&data)) {
                    return Err(too_large(&format!("message announces {announced} bytes")));
                }
                received = received.saturating_add(data.len());
                // One message of `limit` bytes plus its prefix.
                if received > limit.saturating_add(PREFIX_LEN) {
                    return Err(too_large("body exceeds one message"));
                }
                match &first {
                    None => first = Some(data),
                    Some(head) => {
                        if rest.is_empty() {
                            rest.extend_from_slice(head);
                        }
                        rest.extend_from_slice(&data);
                    }
                }
            }
            Err(frame) => {
                if let Ok(map) = frame.into_trailers() {
                    trailers = Some(map);
                }
            }
        }
    }
    let body = if rest.is_empty() {
        first.unwrap_or_default()
    } else {
        rest.freeze()
    };
    Ok(Response {
        http_status: parts.status.as_u16(),
        headers: metadata(&parts.headers),
        body,
        trailers: trailers.as_ref().map(metadata).unwrap_or_default(),
    })
}

/// Follows the gRPC message framing of a body chunk by chunk, to check each length prefix
/// as soon as its last byte arrives.
#[derive(Debug)]
pub(super) struct FrameWalker {
    limit: usize,
    prefix: [u8; PREFIX_LEN],
    /// Bytes of the current prefix seen so far.
    prefix_seen: usize,
    /// Bytes of the current message still to come.
    message_left: usize,
}

impl FrameWalker {
    pub(super) fn new(limit: usize) -> Self {
        Self {
            limit,
            prefix: [0; PREFIX_LEN],
            prefix_seen: 0,
            message_left: 0,
        }
    }

    /// Walk over `data`; `Err(announced)` when a prefix announces more than the limit.
    pub(super) fn walk(&mut self, mut data: &[u8]) -> Result<(), u64> {
        while !data.is_empty() {
            if self.message_left > 0 {
                let skip = self.message_left.min(data.len());
                self.message_left -= skip;
                data = &data[skip..];
                continue;
            }
            let take = (PREFIX_LEN - self.prefix_seen).min(data.len());
            self.prefix[self.prefix_seen..self.prefix_seen + take].copy_from_slice(&data[..take]);
            self.prefix_seen += take;
            data = &data[take..];
            if self.prefix_seen == PREFIX_LEN {
                self.prefix_seen = 0;
                let announced = u32::from_be_bytes([
                    self.prefix[1],
                    self.prefix[2],
                    self.prefix[3],
                    self.prefix[4],
                ]);
                let length = usize::try_from(announced).unwrap_or(usize::MAX);
                if length > self.limit {
                    return Err(u64::from(announced));
                }
                self.message_left = length;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::FrameWalker;

    #[test]
    fn prefixes_are_checked_across_chunk_boundaries() {
        // Two messages of 3 bytes under a limit of 4, fed one byte at a time.
        let body = [
            0u8, 0, 0, 0, 3, b'a', b'b', b'c', 0, 0, 0, 0, 3, b'x', b'y', b'z',
        ];
        let mut walker = FrameWalker::new(4);
        for byte in body {
            assert_eq!(walker.walk(&[byte]), Ok(()));
        }
        // A prefix announcing 1 GiB fails on its last byte, before any payload.
        let mut walker = FrameWalker::new(1000);
        assert_eq!(walker.walk(&[0, 0x40, 0]), Ok(()));
        assert_eq!(walker.walk(&[0, 0]), Err(1 << 30));
        // The second message is the one over the limit.
        let mut walker = FrameWalker::new(3);
        assert_eq!(
            walker.walk(&[0, 0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0, 4]),
            Err(4)
        );
    }
}
