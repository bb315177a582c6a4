//! The server's address as the transport uses it: the config's parsed address, with a
//! parse failure reported as a transport (`Connect`) error.

pub(crate) use crate::config::address::ServerAddress as Endpoint;
use crate::grpc::{TransportError, TransportErrorKind};

/// Parse `host:port`, `[v6]:port`, optionally with `http://` or `https://` and a trailing
/// `/` (see [`Endpoint::parse`]).
pub(crate) fn parse_endpoint(address: &str) -> Result<Endpoint, TransportError> {
    Endpoint::parse(address)
        .map_err(|message| TransportError::new(TransportErrorKind::Connect, message))
}
