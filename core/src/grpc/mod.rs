//! gRPC over HTTP/2, as pure code over bytes: message framing, status and metadata rules,
//! and the [`Transport`] trait that carries one unary exchange.

pub(crate) mod base64;
mod codec;
pub(crate) mod metadata;
pub(crate) mod percent;
mod response;
mod service;
mod status;
mod timeout;
mod transport;

pub use codec::{encode_message, FrameDecoder, FrameError, DEFAULT_RECEIVE_LIMIT};
pub(crate) use metadata::{check_name as check_metadata_name, check_value as check_metadata_value};
pub use metadata::{is_secret_header, Metadata};
pub use response::decode_unary_response;
pub use service::Service;
pub use status::{Code, Status};
pub use timeout::{decode_timeout, encode_timeout};
pub use transport::{Request, Response, Transport, TransportError, TransportErrorKind};

#[cfg(test)]
mod tests;
