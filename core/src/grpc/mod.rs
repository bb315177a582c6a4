//! gRPC over HTTP/2, as pure code over bytes: message framing, status and metadata rules,
//! and the [`Transport`] trait that carries one unary exchange.

mod metadata;
mod status;
mod transport;

pub use metadata::Metadata;
pub use status::{Code, Status};
pub use transport::{Request, Response, Transport, TransportError, TransportErrorKind};
