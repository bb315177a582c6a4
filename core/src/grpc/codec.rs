//! gRPC message framing: each message is a 5-byte prefix (a compression flag byte and a
//! big-endian `u32` length) followed by the encoded message.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use core::fmt;

/// The largest response message accepted by default: 128 MiB, as the official clients use.
pub const DEFAULT_RECEIVE_LIMIT: usize = 128 * 1024 * 1024;

/// Length of the prefix in front of every message.
const PREFIX_LEN: usize = 5;

/// Encode `message` as one uncompressed, length-prefixed gRPC frame.
pub fn encode_message<M: prost::Message>(message: &M) -> Bytes {
    let len = message.encoded_len();
    let mut buf = BytesMut::with_capacity(PREFIX_LEN + len);
    buf.put_u8(0);
    // Protobuf messages are limited to 2 GiB, so the length always fits.
    buf.put_u32(u32::try_from(len).unwrap_or(u32::MAX));
    message.encode_raw(&mut buf);
    buf.freeze()
}

/// Why a stream of gRPC frames could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameError {
    /// A frame had its compression flag set (or an unknown flag value). This client never
    /// negotiates compression, so a conforming server never does this.
    Compressed {
        /// The flag byte that was found.
        flag: u8,
    },
    /// A frame declared a message longer than the receive limit. Detected from the prefix,
    /// before the message was buffered.
    TooLarge {
        /// The length the frame declared.
        declared: usize,
        /// The receive limit in force.
        limit: usize,
    },
    /// The stream ended in the middle of a frame.
    Truncated {
        /// How many bytes of the incomplete frame were received.
        buffered: usize,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Compressed { flag: 1 } => f.write_str(
                "received a compressed message, but no compression was negotiated \
                 (this client does not support gRPC compression)",
            ),
            FrameError::Compressed { flag } => write!(
                f,
                "invalid gRPC frame compression flag {flag} (not a gRPC message stream?)"
            ),
            FrameError::TooLarge { declared, limit } => write!(
                f,
                "received a message of {declared} bytes, larger than the receive limit of \
                 {limit} bytes"
            ),
            FrameError::Truncated { buffered } => write!(
                f,
                "the response ended in the middle of a message ({buffered} bytes of an \
                 incomplete frame)"
            ),
        }
    }
}

impl core::error::Error for FrameError {}

/// An incremental decoder of length-prefixed gRPC messages.
///
/// Feed it chunks as they arrive, split anywhere, with [`push`](Self::push); take complete
/// messages with [`next_message`](Self::next_message); call [`finish`](Self::finish) at the
/// end of the stream to detect a truncated last frame. Each frame prefix is checked as soon
/// as it arrives, so an oversized or compressed message fails before its payload is
/// buffered. After an error the decoder keeps returning that error.
#[derive(Debug)]
pub struct FrameDecoder {
    buffer: BytesMut,
    /// Bytes at the front of `buffer` that belong to frames whose prefix has been checked.
    checked: usize,
    limit: usize,
    error: Option<FrameError>,
}

impl FrameDecoder {
    /// A decoder that rejects messages longer than `receive_limit` bytes.
    pub fn new(receive_limit: usize) -> Self {
        Self {
            buffer: BytesMut::new(),
            checked: 0,
            limit: receive_limit,
            error: None,
        }
    }

    /// Append a chunk of the stream and check any frame prefix it completes.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), FrameError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        self.buffer.extend_from_slice(chunk);
        while self.buffer.len() >= self.checked + PREFIX_LEN {
            let len = self.check_prefix(prefix_at(&self.buffer, self.checked))?;
            self.checked += PREFIX_LEN + len;
        }
        Ok(())
    }

    /// Take the next complete message, or `None` until more bytes arrive.
    pub fn next_message(&mut self) -> Result<Option<Bytes>, FrameError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        if self.buffer.len() < PREFIX_LEN {
            return Ok(None);
        }
        let len = self.check_prefix(prefix_at(&self.buffer, 0))?;
        if self.buffer.len() < PREFIX_LEN + len {
            return Ok(None);
        }
        self.buffer.advance(PREFIX_LEN);
        let message = self.buffer.split_to(len).freeze();
        self.checked = self.checked.saturating_sub(PREFIX_LEN + len);
        Ok(Some(message))
    }

    /// Declare the end of the stream: fails if an incomplete frame is left over.
    pub fn finish(&self) -> Result<(), FrameError> {
        if let Some(error) = &self.error {
            return Err(error.clone());
        }
        if self.buffer.is_empty() {
            Ok(())
        } else {
            Err(FrameError::Truncated {
                buffered: self.buffer.len(),
            })
        }
    }

    /// Validate a 5-byte prefix and return the declared length; records any error.
    fn check_prefix(&mut self, prefix: [u8; PREFIX_LEN]) -> Result<usize, FrameError> {
        let flag = prefix[0];
        let declared = u32::from_be_bytes([prefix[1], prefix[2], prefix[3], prefix[4]]);
        let declared = usize::try_from(declared).unwrap_or(usize::MAX);
        let error = if flag != 0 {
            FrameError::Compressed { flag }
        } else if declared > self.limit {
            FrameError::TooLarge {
                declared,
                limit: self.limit,
            }
        } else {
            return Ok(declared);
        };
        self.buffer = BytesMut::new();
        self.checked = 0;
        self.error = Some(error.clone());
        Err(error)
    }
}

/// The 5 prefix bytes at `at`; the caller has checked that they are there.
fn prefix_at(buffer: &[u8], at: usize) -> [u8; PREFIX_LEN] {
    let p = &buffer[at..at + PREFIX_LEN];
    [p[0], p[1], p[2], p[3], p[4]]
}
