//! Where to connect: host, port, scheme and `:authority`, parsed from the address by the
//! core's parser (`config::address`), with its errors as transport errors.

use std::string::String;

use crate::config::address::ServerAddress;
use crate::grpc::{TransportError, TransportErrorKind};

/// A parsed address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// DNS name or IP address, without IPv6 brackets.
    pub(crate) host: String,
    pub(crate) port: u16,
    /// `Some(true)` for `https://`, `Some(false)` for `http://`, `None` without a scheme.
    pub(crate) scheme_tls: Option<bool>,
}

impl Endpoint {
    /// Parse `host:port`, `[v6]:port`, optionally with `http://` or `https://` and a
    /// trailing `/`. Without a port: 80 for `http://`, 443 for `https://`, else 7233.
    pub(crate) fn parse(address: &str) -> Result<Self, TransportError> {
        let ServerAddress {
            host,
            port,
            scheme_tls,
        } = ServerAddress::parse(address)
            .map_err(|message| TransportError::new(TransportErrorKind::Connect, message))?;
        Ok(Self {
            host,
            port,
            scheme_tls,
        })
    }

    /// The `:authority` value: `host:port`, with brackets around an IPv6 host.
    pub(crate) fn authority(&self) -> String {
        ServerAddress {
            host: self.host.clone(),
            port: self.port,
            scheme_tls: self.scheme_tls,
        }
        .authority()
    }
}
