//! Converting between gRPC metadata and HTTP headers, and the caches that make the request
//! side cheap: a client sends few distinct paths and few distinct sets of metadata.

use std::format;
use std::string::String;
use std::sync::Mutex;
use std::vec::Vec;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, TE, USER_AGENT};
use http::uri::PathAndQuery;
use http::HeaderMap;

use crate::grpc::{Metadata, TransportError, TransportErrorKind};

const USER_AGENT_VALUE: &str = concat!("temporal-lite/", env!("CARGO_PKG_VERSION"));

/// How many distinct sets of request metadata keep their converted headers: calls usually
/// differ only by deadline (normal vs long poll) and by whether they carry the namespace.
const HEADER_CACHE_SIZE: usize = 4;

/// How many distinct request paths stay parsed.
const PATH_CACHE_SIZE: usize = 16;

/// The request-side caches of one transport.
#[derive(Default)]
pub(super) struct RequestCaches {
    headers: Mutex<HeaderCache>,
    /// The paths of recent calls, parsed.
    paths: Mutex<Vec<PathAndQuery>>,
}

impl RequestCaches {
    /// `path` parsed: taken from the cache when a call went to it before.
    pub(super) fn path(&self, path: String) -> Result<PathAndQuery, TransportError> {
        let mut paths = self.paths.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(cached) = paths.iter().find(|cached| cached.as_str() == path) {
            return Ok(cached.clone());
        }
        let parsed = request_path(path)?;
        if paths.len() >= PATH_CACHE_SIZE {
            paths.remove(0);
        }
        paths.push(parsed.clone());
        Ok(parsed)
    }

    /// The request headers for `metadata`: converted once per distinct set of metadata,
    /// then cloned from the cache (which shares the names and values, not copies them).
    pub(super) fn headers(&self, metadata: &Metadata) -> Result<HeaderMap, TransportError> {
        let mut cache = self.headers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(headers) = cache.get(metadata) {
            return Ok(headers.clone());
        }
        drop(cache);
        let headers = request_headers(metadata)?;
        cache = self.headers.lock().unwrap_or_else(|p| p.into_inner());
        cache.put(metadata, &headers);
        Ok(headers)
    }
}

/// Convert request metadata into HTTP headers, with the fixed gRPC ones added.
fn request_headers(metadata: &Metadata) -> Result<HeaderMap, TransportError> {
    let mut headers = HeaderMap::with_capacity(metadata.len() + 3);
    for (name, value) in metadata.iter() {
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            TransportError::new(
                TransportErrorKind::Protocol,
                format!("invalid metadata name {name:?}"),
            )
        })?;
        // The value may be a secret: never print it.
        let value = HeaderValue::from_str(value).map_err(|_| {
            TransportError::new(
                TransportErrorKind::Protocol,
                format!("invalid characters in the value of metadata {name:?}"),
            )
        })?;
        // Keep secrets out of HPACK's dynamic table (and so out of reach of compression
        // side channels): a sensitive value is sent literally, never indexed.
        let mut value = value;
        value.set_sensitive(crate::grpc::is_secret_header(name));
        headers.append(header, value);
    }
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
    headers.insert(TE, HeaderValue::from_static("trailers"));
    if !headers.contains_key(USER_AGENT) {
        headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
    }
    Ok(headers)
}

/// Request metadata converted to headers, for the last few distinct sets of metadata.
#[derive(Default)]
struct HeaderCache {
    entries: Vec<(Metadata, HeaderMap)>,
    /// The entry to replace next when full.
    next: usize,
}

impl HeaderCache {
    fn get(&self, metadata: &Metadata) -> Option<&HeaderMap> {
        self.entries
            .iter()
            .find(|(cached, _)| cached == metadata)
            .map(|(_, headers)| headers)
    }

    fn put(&mut self, metadata: &Metadata, headers: &HeaderMap) {
        let entry = (metadata.clone(), headers.clone());
        if self.entries.len() < HEADER_CACHE_SIZE {
            self.entries.push(entry);
        } else {
            self.entries[self.next] = entry;
            self.next = (self.next + 1) % HEADER_CACHE_SIZE;
        }
    }
}

/// The request's `:path` (taken over without a copy).
fn request_path(path: String) -> Result<PathAndQuery, TransportError> {
    let invalid = |path: &str| {
        TransportError::new(
            TransportErrorKind::Protocol,
            format!("invalid request path {path:?}"),
        )
    };
    if !path.starts_with('/') {
        return Err(invalid(&path));
    }
    let bytes = Bytes::from(path.into_bytes());
    PathAndQuery::from_maybe_shared(bytes.clone())
        .map_err(|_| invalid(&String::from_utf8_lossy(&bytes)))
}

/// Response headers or trailers as metadata; non-UTF-8 bytes become U+FFFD.
pub(super) fn metadata(headers: &HeaderMap) -> Metadata {
    let mut metadata = Metadata::with_capacity(headers.len());
    for (name, value) in headers {
        // HTTP/2 header names are lower case.
        match value.to_str() {
            Ok(text) => metadata.append_lowercase(name.as_str(), text),
            Err(_) => {
                metadata.append_lowercase(name.as_str(), &String::from_utf8_lossy(value.as_bytes()))
            }
        }
    }
    metadata
}
