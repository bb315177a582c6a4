//! Entry points into internals for the `cargo fuzz` targets in `fuzz/`. Built only under
//! `cfg(fuzzing)` (which `cargo fuzz` sets); not part of the API.

use alloc::string::String;
use alloc::vec::Vec;

use crate::client::Error;
use crate::config::address::ServerAddress;
use crate::grpc::{base64, percent, Status};

/// The response header names the client knows (gRPC's own and common HTTP ones), to build
/// plausible responses from.
pub const RESPONSE_HEADER_NAMES: &[&str] = crate::grpc::metadata::WELL_KNOWN;

/// Every `TEMPORAL_*` variable the environment-config loader reads, besides the
/// `TEMPORAL_GRPC_META_*` family.
pub fn env_variables() -> Vec<&'static str> {
    use crate::config::*;
    [
        ENV_CONFIG_FILE,
        ENV_PROFILE,
        ENV_ADDRESS,
        ENV_NAMESPACE,
        ENV_API_KEY,
    ]
    .into_iter()
    .chain(crate::config::env::TLS_VARS)
    .chain([ENV_CODEC_ENDPOINT, ENV_CODEC_AUTH])
    .collect()
}

/// `grpc-message` percent-decoding.
pub fn percent_decode(text: &str) -> String {
    percent::decode(text)
}

/// `grpc-message` percent-encoding.
pub fn percent_encode(text: &str) -> String {
    percent::encode(text)
}

/// `-bin` metadata base64 decoding.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    base64::decode(text)
}

/// `-bin` metadata base64 encoding.
pub fn base64_encode(bytes: &[u8]) -> String {
    base64::encode(bytes)
}

/// The client's interpretation of a non-OK status (`grpc-status-details-bin` included).
pub fn error_from_status(status: Status) -> Error {
    Error::from_status(status)
}

/// A parsed server address: host, port, scheme (`Some(true)` for https), `:authority`, and
/// whether it counts as loopback.
pub struct Address {
    /// Host without brackets.
    pub host: String,
    /// Port.
    pub port: u16,
    /// The scheme, if one was given.
    pub scheme_tls: Option<bool>,
    /// The `:authority` the engine would send.
    pub authority: String,
    /// Whether credentials may go to it over plaintext.
    pub loopback: bool,
}

/// The address parser the engine and the credentials check use.
pub fn parse_address(address: &str) -> Result<Address, String> {
    let parsed = ServerAddress::parse(address)?;
    Ok(Address {
        authority: parsed.authority(),
        loopback: parsed.is_loopback(),
        host: parsed.host,
        port: parsed.port,
        scheme_tls: parsed.scheme_tls,
    })
}
