//! [`Http2Transport`]: gRPC unary calls over one multiplexed HTTP/2 connection.

use std::boxed::Box;
use std::format;
use std::string::String;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};
use std::time::Duration;
use std::vec::Vec;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE, TE, USER_AGENT};
use http::uri::{Authority, PathAndQuery, Scheme, Uri};
use http::{HeaderMap, Method};
use http_body::Body as _;
use hyper::client::conn::http2::{Builder, SendRequest};

use super::body::OnceBody;
use super::endpoint::Endpoint;
use super::error::{
    breaks_connection, connect_error, exchange_error, explain_tls, is_refused, plaintext_mismatch,
    ErrorContext,
};
use super::runtime::{timeout, Exec, Runtime, Timer, TlsConnect};
use super::tls;
use super::watch::{FailureSlot, IoFailure, PrefixSlot, WatchedIo};
use crate::config::{ConnectOptions, TlsOptions};
use crate::grpc::{Metadata, Request, Response, Transport, TransportError, TransportErrorKind};

/// Default interval of HTTP/2 keepalive pings.
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// Default time a keepalive ping may go unanswered before the connection is declared dead.
pub const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(15);

/// HTTP/2 connection settings of an [`Http2Transport`] beyond the connect options.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Http2Settings {
    /// Send a PING this often, idle or not (`None`: never). Detects dead connections that
    /// TCP alone would notice only much later. Default [`KEEPALIVE_INTERVAL`].
    pub keepalive_interval: Option<Duration>,
    /// Declare the connection dead when a PING is unanswered this long; its calls then fail
    /// with [`TransportErrorKind::Io`]. Default [`KEEPALIVE_TIMEOUT`].
    pub keepalive_timeout: Duration,
}

impl Default for Http2Settings {
    fn default() -> Self {
        Self {
            keepalive_interval: Some(KEEPALIVE_INTERVAL),
            keepalive_timeout: KEEPALIVE_TIMEOUT,
        }
    }
}

/// How often one call may be sent again after its connection refused it unprocessed
/// (GOAWAY, REFUSED_STREAM, connection closed before the request went out).
const MAX_RESENDS: usize = 3;

const USER_AGENT_VALUE: &str = concat!("temporal-lite/", env!("CARGO_PKG_VERSION"));

/// How many distinct sets of request metadata keep their converted headers (see
/// [`HeaderCache`]): calls usually differ only by deadline (normal vs long poll) and by
/// whether they carry the namespace.
const HEADER_CACHE_SIZE: usize = 4;

/// How many distinct request paths stay parsed (see [`Inner::path`]).
const PATH_CACHE_SIZE: usize = 16;

/// The HTTP/2 gRPC transport: one connection, opened on the first call, multiplexing every
/// concurrent call, replaced when it dies or the server sends GOAWAY.
///
/// Built from a [`Runtime`] and [`ConnectOptions`]; TLS (rustls, ALPN `h2`) when the options
/// have TLS settings or the address says `https://`, prior-knowledge h2c otherwise.
/// When the server's stream limit is reached, further calls wait for a free stream.
/// Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct Http2Transport {
    inner: Arc<Inner>,
}

struct Inner {
    runtime: Arc<dyn Runtime>,
    endpoint: Endpoint,
    /// `host:port` for messages.
    authority: String,
    /// The same, as the request URIs' `:authority` (shared, not copied, by each request).
    uri_authority: Authority,
    /// What error messages may say about the settings.
    context: Arc<ErrorContext>,
    scheme: Scheme,
    headers: Mutex<HeaderCache>,
    /// The paths of recent calls, parsed (a client calls few distinct methods).
    paths: Mutex<Vec<PathAndQuery>>,
    tls: Option<TlsConnect>,
    connect_timeout: Duration,
    settings: Http2Settings,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    conn: Option<Conn>,
    /// Whether some call is connecting now; `attempt` numbers the attempts.
    connecting: bool,
    attempt: u64,
    waiters: Vec<Waker>,
    /// The error of the last failed attempt, for the calls that waited for it.
    failure: Option<(u64, TransportError)>,
    closed: bool,
}

#[derive(Clone)]
struct Conn {
    sender: SendRequest<OnceBody>,
    alive: Arc<AtomicBool>,
    /// The I/O error that broke the connection, if one did.
    failure: FailureSlot,
    /// The first bytes the connection received.
    prefix: PrefixSlot,
    context: Arc<ErrorContext>,
}

impl Conn {
    fn usable(&self) -> bool {
        self.alive.load(Ordering::Acquire) && !self.sender.is_closed()
    }

    /// Classify an error of an exchange on this connection. When the connection itself
    /// failed, its I/O error is the real cause (hyper tells the call only "broken pipe").
    fn error(&self, error: &hyper::Error) -> TransportError {
        let context = &*self.context;
        let authority = &context.authority;
        let error = exchange_error(context, error);
        if !context.tls
            && matches!(
                error.kind(),
                TransportErrorKind::Io | TransportErrorKind::Protocol
            )
        {
            // A plaintext connection that fails before the server spoke HTTP/2: what the
            // server sent instead (TLS, HTTP/1, nothing) says what is wrong.
            let prefix = self
                .prefix
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            if let Some(mismatch) = plaintext_mismatch(&prefix, authority) {
                return mismatch;
            }
        }
        if error.kind() != TransportErrorKind::Io {
            return error;
        }
        let failure = self
            .failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match failure {
            Some(IoFailure { tls: Some(tls), .. }) => TransportError::new(
                TransportErrorKind::Tls,
                format!("TLS error: {} ({authority})", explain_tls(&tls, context)),
            ),
            Some(failure) => TransportError::new(
                TransportErrorKind::Io,
                format!("{}; cause: {}", error.message(), failure.message),
            ),
            None => error,
        }
    }
}

impl std::fmt::Debug for Http2Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http2Transport")
            .field("target", &self.inner.authority)
            .field("tls", &self.inner.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Http2Transport {
    /// A transport for `options.address` using `runtime`; does not connect yet.
    ///
    /// Fails with [`TransportErrorKind::Connect`] for an unusable address and
    /// [`TransportErrorKind::Tls`] for unusable TLS settings (bad PEM, a key without a
    /// certificate, `http://` with TLS configured, ...).
    pub fn new(
        runtime: Arc<dyn Runtime>,
        options: &ConnectOptions,
    ) -> Result<Self, TransportError> {
        Self::with_settings(runtime, options, Http2Settings::default())
    }

    /// Like [`new`](Self::new), with non-default HTTP/2 settings.
    pub fn with_settings(
        runtime: Arc<dyn Runtime>,
        options: &ConnectOptions,
        settings: Http2Settings,
    ) -> Result<Self, TransportError> {
        let endpoint = Endpoint::parse(&options.address)?;
        let tls_options = match (endpoint.scheme_tls, &options.tls) {
            (Some(false), Some(_)) => {
                return Err(TransportError::new(
                    TransportErrorKind::Tls,
                    format!(
                        "the address {:?} says http:// (plaintext) but TLS is configured",
                        options.address
                    ),
                ))
            }
            (Some(true), None) => Some(TlsOptions::default()),
            (_, tls) => tls.clone(),
        };
        if let Some(options) = &tls_options {
            tls::warn_if_insecure(options, &endpoint.host);
        }
        let context = Arc::new(ErrorContext {
            authority: endpoint.authority(),
            tls: tls_options.is_some(),
            custom_ca: tls_options
                .as_ref()
                .is_some_and(|t| t.server_ca_cert.is_some()),
            client_cert: tls_options
                .as_ref()
                .is_some_and(|t| t.client_cert.is_some()),
        });
        let tls = match &tls_options {
            Some(options) => Some(TlsConnect {
                config: tls::client_config(options)?,
                server_name: tls::server_name(options, &endpoint.host)?,
            }),
            None => None,
        };
        let authority = endpoint.authority();
        let uri_authority =
            Authority::from_maybe_shared(Bytes::from(authority.clone())).map_err(|_| {
                TransportError::new(
                    TransportErrorKind::Connect,
                    format!("invalid server address {:?}", options.address),
                )
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                runtime,
                authority,
                uri_authority,
                context,
                endpoint,
                scheme: if tls.is_some() {
                    Scheme::HTTPS
                } else {
                    Scheme::HTTP
                },
                headers: Mutex::new(HeaderCache::default()),
                paths: Mutex::new(Vec::new()),
                tls,
                connect_timeout: options.connect_timeout,
                settings,
                state: Mutex::new(State::default()),
            }),
        })
    }

    /// Close the connection; every later call fails with [`TransportErrorKind::Closed`].
    /// Calls in flight finish on the old connection.
    pub fn close(&self) {
        let mut state = self.inner.lock();
        state.closed = true;
        state.conn = None;
        for waker in state.waiters.drain(..) {
            waker.wake();
        }
    }
}

#[async_trait]
impl Transport for Http2Transport {
    async fn unary(&self, request: Request) -> Result<Response, TransportError> {
        let inner = &*self.inner;
        let Request {
            path,
            metadata,
            body,
            timeout: deadline,
            receive_limit,
        } = request;
        let path = inner.path(path)?;
        let exchange = inner.exchange(&path, &metadata, body, receive_limit);
        match timeout(&*inner.runtime, deadline, exchange).await {
            Ok(result) => result,
            Err(_) => Err(TransportError::new(
                TransportErrorKind::Timeout,
                format!(
                    "no response within {:?} for {} ({})",
                    deadline.unwrap_or_default(),
                    path,
                    inner.authority
                ),
            )),
        }
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent across a panic in another call: keep going.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    async fn exchange(
        &self,
        path: &PathAndQuery,
        metadata: &Metadata,
        body: Bytes,
        receive_limit: usize,
    ) -> Result<Response, TransportError> {
        let mut headers = Some(self.headers(metadata)?);
        let mut resends = 0;
        loop {
            let conn = self.connection().await?;
            // hyper consumes the request; a resend takes the headers from the cache again.
            let headers = match headers.take() {
                Some(headers) => headers,
                None => self.headers(metadata)?,
            };
            let http_request = self.http_request(path.clone(), headers, body.clone())?;
            // No `ready()` first: for HTTP/2 it only reports whether the connection is
            // closed (checked in `usable()`), it never waits for a free stream. Requests
            // beyond the server's stream limit queue inside hyper until a stream frees up;
            // a request the connection never sent comes back with `take_message()`.
            let mut sender = conn.sender.clone();
            match sender.try_send_request(http_request).await {
                Ok(response) => return self.read_response(&conn, response, receive_limit).await,
                Err(mut error) => {
                    let unsent = error.take_message().is_some();
                    let error = error.into_error();
                    if unsent || breaks_connection(&error) {
                        conn.alive.store(false, Ordering::Release);
                    }
                    if (unsent || is_refused(&error)) && resends < MAX_RESENDS {
                        resends += 1;
                        continue;
                    }
                    return Err(conn.error(&error));
                }
            }
        }
    }

    /// `path` parsed: taken from the cache when a call went to it before.
    fn path(&self, path: String) -> Result<PathAndQuery, TransportError> {
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
    fn headers(&self, metadata: &Metadata) -> Result<HeaderMap, TransportError> {
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

    fn http_request(
        &self,
        path: PathAndQuery,
        headers: HeaderMap,
        body: Bytes,
    ) -> Result<http::Request<OnceBody>, TransportError> {
        let mut parts = http::uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.uri_authority.clone());
        parts.path_and_query = Some(path);
        let uri = Uri::from_parts(parts).map_err(|_| {
            TransportError::new(
                TransportErrorKind::Protocol,
                format!("invalid request URI for {}", self.authority),
            )
        })?;
        let mut http_request = http::Request::new(OnceBody::new(body));
        *http_request.method_mut() = Method::POST;
        *http_request.uri_mut() = uri;
        *http_request.version_mut() = http::Version::HTTP_2;
        *http_request.headers_mut() = headers;
        Ok(http_request)
    }

    async fn read_response(
        &self,
        conn: &Conn,
        response: http::Response<hyper::body::Incoming>,
        limit: usize,
    ) -> Result<Response, TransportError> {
        let (parts, mut body) = response.into_parts();
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
                    received = received.saturating_add(data.len());
                    // One message of `limit` bytes plus its frame prefix.
                    if received > limit.saturating_add(5) {
                        // Dropping the body resets the stream.
                        return Err(TransportError::new(
                            TransportErrorKind::ResponseTooLarge,
                            format!(
                                "the response body exceeds the receive limit of {limit} bytes \
                                 ({})",
                                self.authority
                            ),
                        ));
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

    /// A live connection: the current one, one that another call is opening, or a new one.
    async fn connection(&self) -> Result<Conn, TransportError> {
        enum Step {
            Lead(u64),
            Wait(u64),
        }
        loop {
            let step = {
                let mut state = self.lock();
                if state.closed {
                    return Err(closed_error());
                }
                if let Some(conn) = &state.conn {
                    if conn.usable() {
                        return Ok(conn.clone());
                    }
                    state.conn = None;
                }
                if state.connecting {
                    Step::Wait(state.attempt)
                } else {
                    state.connecting = true;
                    state.attempt += 1;
                    Step::Lead(state.attempt)
                }
            };
            let attempt = match step {
                // Boxed: connecting is rare, and its future (TCP, TLS, handshake) would
                // otherwise make every call's future twice as large.
                Step::Lead(attempt) => return Box::pin(self.lead_connect(attempt)).await,
                Step::Wait(attempt) => attempt,
            };
            // Another call is connecting: wait for its outcome.
            std::future::poll_fn(|cx| {
                let mut state = self.lock();
                if state.connecting && state.attempt == attempt && !state.closed {
                    if !state.waiters.iter().any(|w| w.will_wake(cx.waker())) {
                        state.waiters.push(cx.waker().clone());
                    }
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            })
            .await;
            let state = self.lock();
            if let Some((failed, error)) = &state.failure {
                if *failed == attempt {
                    return Err(error.clone());
                }
            }
        }
    }

    /// Connect on behalf of every call waiting, and publish the outcome.
    async fn lead_connect(&self, attempt: u64) -> Result<Conn, TransportError> {
        /// Lets the waiting calls retry if this call is cancelled while connecting.
        struct Abandon<'a>(Option<&'a Inner>);
        impl Drop for Abandon<'_> {
            fn drop(&mut self) {
                if let Some(inner) = self.0 {
                    let mut state = inner.lock();
                    state.connecting = false;
                    for waker in state.waiters.drain(..) {
                        waker.wake();
                    }
                }
            }
        }
        let mut abandon = Abandon(Some(self));
        let outcome = self.connect().await;
        abandon.0 = None;
        let mut state = self.lock();
        state.connecting = false;
        let outcome = match outcome {
            Ok(_) if state.closed => Err(closed_error()),
            Ok(conn) => {
                state.failure = None;
                state.conn = Some(conn.clone());
                Ok(conn)
            }
            Err(error) => {
                state.failure = Some((attempt, error.clone()));
                Err(error)
            }
        };
        for waker in state.waiters.drain(..) {
            waker.wake();
        }
        outcome
    }

    /// Open a new connection: TCP (+ TLS) and the HTTP/2 handshake, within the connect
    /// timeout. Spawns the connection's driver task.
    async fn connect(&self) -> Result<Conn, TransportError> {
        let runtime = &self.runtime;
        let failure = FailureSlot::default();
        let prefix = PrefixSlot::default();
        let handshake = async {
            let io = runtime
                .connect(&self.endpoint.host, self.endpoint.port, self.tls.clone())
                .await
                .map_err(|e| connect_error(&self.context, e))?;
            let io = WatchedIo::new(io, failure.clone(), prefix.clone());
            let mut builder = Builder::new(Exec(runtime.clone()));
            builder
                .timer(Timer(runtime.clone()))
                .keep_alive_interval(self.settings.keepalive_interval)
                .keep_alive_timeout(self.settings.keepalive_timeout)
                .keep_alive_while_idle(true)
                .initial_stream_window_size(2 * 1024 * 1024)
                .initial_connection_window_size(8 * 1024 * 1024);
            builder.handshake::<_, OnceBody>(io).await.map_err(|e| {
                let error = exchange_error(&self.context, &e);
                let kind = match error.kind() {
                    TransportErrorKind::Tls => TransportErrorKind::Tls,
                    _ => TransportErrorKind::Connect,
                };
                TransportError::new(
                    kind,
                    format!("HTTP/2 handshake failed: {}", error.message()),
                )
            })
        };
        let (sender, connection) = timeout(&**runtime, Some(self.connect_timeout), handshake)
            .await
            .map_err(|_| {
                TransportError::new(
                    TransportErrorKind::Connect,
                    format!(
                        "connecting to {} timed out after {:?}",
                        self.authority, self.connect_timeout
                    ),
                )
            })??;
        let alive = Arc::new(AtomicBool::new(true));
        let driver_alive = alive.clone();
        runtime.spawn(Box::pin(async move {
            // The connection's fate reaches each call through its own stream; here it only
            // matters that the connection is gone.
            let _ = connection.await;
            driver_alive.store(false, Ordering::Release);
        }));
        Ok(Conn {
            sender,
            alive,
            failure,
            prefix,
            context: self.context.clone(),
        })
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

fn closed_error() -> TransportError {
    TransportError::new(TransportErrorKind::Closed, "the transport was closed")
}

/// Headers or trailers as metadata; non-UTF-8 bytes become U+FFFD.
fn metadata(headers: &HeaderMap) -> Metadata {
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
