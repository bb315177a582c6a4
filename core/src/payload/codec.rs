//! Payload codecs: a byte-level stage after the payload converter (encryption, compression).

use alloc::boxed::Box;
use alloc::vec::Vec;

use async_trait::async_trait;

use super::{Payload, PayloadError};

/// Transforms payloads after the [`PayloadConverter`](super::PayloadConverter) made them
/// (on the way to the server) and before it reads them (on the way back): encryption,
/// compression, offloading to external storage.
///
/// A client with a codec ([`Client::with_payload_codec`](crate::client::Client::with_payload_codec))
/// runs [`encode`](Self::encode) on every payload it sends (workflow, signal, query and
/// update arguments, memo, headers, static summary and details, schedule actions, activity
/// results, heartbeat and failure details) and [`decode`](Self::decode) on every payload it
/// reads (results, query answers, update outcomes, failure details, memo, heartbeat
/// details, schedule actions). Search attributes are never encoded: the server indexes them.
/// History events returned as they are ([`WorkflowHandle::fetch_history`](crate::client::WorkflowHandle::fetch_history))
/// are not decoded either; use [`Client::decode_payloads`](crate::client::Client::decode_payloads) on what you read from them.
///
/// The contract, the same as every Temporal SDK's (so a codec here and one in a Python, Go
/// or TypeScript worker can read each other's payloads when they agree on the format):
/// - `encode` and `decode` return exactly one payload per payload given, in order;
/// - `decode` must return a payload it does not recognise (for example one written by a
///   client without this codec: no marker in its metadata) unchanged, so that mixed
///   histories stay readable;
/// - an encoded payload must carry its own marker (conventionally its `encoding` metadata,
///   such as `binary/encrypted`) so that `decode` can tell.
///
/// It is async so that a codec may call a remote codec server.
#[async_trait]
pub trait PayloadCodec: Send + Sync {
    /// Encode `payloads` (one output per input, in order).
    async fn encode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, PayloadError>;

    /// Decode `payloads` (one output per input, in order), passing through those this codec
    /// did not encode.
    async fn decode(&self, payloads: Vec<Payload>) -> Result<Vec<Payload>, PayloadError>;
}
