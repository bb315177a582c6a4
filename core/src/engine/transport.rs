//! [`Http2Transport`]: gRPC unary calls over one multiplexed HTTP/2 connection.

use std::boxed::Box;
use std::format;
use std::string::String;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use http::uri::{Authority, PathAndQuery, Scheme, Uri};
use http::{HeaderMap, Method};

use super::body::OnceBody;
use super::connection::Connector;
use super::endpoint::parse_endpoint;
use super::error::{breaks_connection, is_refused, ErrorContext};
use super::handshake::Dial;
use super::headers::RequestCaches;
use super::observe::ConnObserver;
use super::response::read_response;
use super::runtime::{timeout, Runtime, TlsConnect};
use super::settings::Http2Settings;
use super::tls;
use crate::config::{ConnectOptions, TlsOptions};
use crate::grpc::{Metadata, Request, Response, Transport, TransportError, TransportErrorKind};

/// How often one call may be sent again after its connection refused it unprocessed
/// (GOAWAY, REFUSED_STREAM, connection closed before the request went out).
const MAX_RESENDS: usize = 3;

/// Where an exchange stands, for the message (and the unprocessed mark) when its time runs
/// out: waiting for a connection, sent (or queued for a stream), reading the response.
const PHASE_CONNECTING: u8 = 0;
const PHASE_SENT: u8 = 1;
const PHASE_RECEIVING: u8 = 2;

/// The HTTP/2 gRPC transport: one connection, opened on the first call, multiplexing every
/// concurrent call, replaced when it dies or the server sends GOAWAY.
///
/// Built from a [`Runtime`] and [`ConnectOptions`]; TLS (rustls, ALPN `h2`) when the options
/// have TLS settings or the address says `https://`, prior-knowledge h2c otherwise.
/// Connecting (TCP, TLS, and the server's HTTP/2 settings, within
/// [`ConnectOptions::connect_timeout`]) runs on a task of its own, shared by every call
/// waiting for it. When the server's stream limit is reached, further calls wait for a free
/// stream. Each call is bounded by its [`Request::timeout`], the wait for a connection
/// included. Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct Http2Transport {
    inner: Arc<Inner>,
}

struct Inner {
    runtime: Arc<dyn Runtime>,
    connector: Arc<Connector>,
    /// `host:port`, for messages.
    authority: String,
    /// The same, as the request URIs' `:authority` (shared, not copied, by each request).
    uri_authority: Authority,
    scheme: Scheme,
    caches: RequestCaches,
}

impl std::fmt::Debug for Http2Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http2Transport")
            .field("target", &self.inner.authority)
            .field("tls", &(self.inner.scheme == Scheme::HTTPS))
            .finish_non_exhaustive()
    }
}

impl Http2Transport {
    /// A transport for `options.address` using `runtime`; does not connect yet. The HTTP/2
    /// settings are the defaults with the options' keep-alive
    /// ([`Http2Settings::from_options`]).
    ///
    /// Fails with [`TransportErrorKind::Connect`] for an unusable address and
    /// [`TransportErrorKind::Tls`] for unusable TLS settings (bad PEM, a key without a
    /// certificate, `http://` with TLS configured, ...).
    pub fn new(
        runtime: Arc<dyn Runtime>,
        options: &ConnectOptions,
    ) -> Result<Self, TransportError> {
        Self::with_settings(runtime, options, Http2Settings::from_options(options))
    }

    /// Like [`new`](Self::new), with these HTTP/2 settings (their keep-alive wins over the
    /// options').
    pub fn with_settings(
        runtime: Arc<dyn Runtime>,
        options: &ConnectOptions,
        settings: Http2Settings,
    ) -> Result<Self, TransportError> {
        let endpoint = parse_endpoint(&options.address)?;
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
                .is_some_and(|t| t.server_root_ca_cert.is_some()),
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
        // The TLS domain, when set, is the `:authority` too, as grpc-go (so the Go SDK) does
        // with a TLS server name: a proxy routing by name then sees the name the certificate
        // is checked against.
        let domain = tls_options.as_ref().and_then(|t| t.domain.clone());
        let uri_authority = Authority::from_maybe_shared(Bytes::from(
            domain.clone().unwrap_or_else(|| authority.clone()),
        ))
        .map_err(|_| {
            TransportError::new(
                TransportErrorKind::Connect,
                match &domain {
                    Some(domain) => format!("invalid TLS domain {domain:?} (TlsOptions::domain)"),
                    None => format!("invalid server address {:?}", options.address),
                },
            )
        })?;
        let scheme = if tls.is_some() {
            Scheme::HTTPS
        } else {
            Scheme::HTTP
        };
        let observer = ConnObserver {
            metrics: options.metrics.clone(),
            target: context.authority.clone(),
        };
        let connector = Connector::new(Dial {
            runtime: runtime.clone(),
            endpoint,
            tls,
            connect_timeout: options.connect_timeout,
            settings,
            context,
            observer,
        });
        Ok(Self {
            inner: Arc::new(Inner {
                runtime,
                connector,
                authority,
                uri_authority,
                scheme,
                caches: RequestCaches::default(),
            }),
        })
    }

    /// Close the connection; every later call fails with [`TransportErrorKind::Closed`].
    /// Calls in flight finish on the old connection.
    pub fn close(&self) {
        self.inner.connector.close();
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
            timeout: limit,
            receive_limit,
        } = request;
        let path = inner.caches.path(path)?;
        let phase = AtomicU8::new(PHASE_CONNECTING);
        let exchange = inner.exchange(&path, &metadata, body, receive_limit, &phase);
        match timeout(&*inner.runtime, limit, exchange).await {
            Ok(result) => result,
            Err(_) => Err(inner.timed_out(
                &path,
                limit.unwrap_or_default(),
                phase.load(Ordering::Acquire),
            )),
        }
    }
}

impl Inner {
    async fn exchange(
        &self,
        path: &PathAndQuery,
        metadata: &Metadata,
        body: Bytes,
        receive_limit: usize,
        phase: &AtomicU8,
    ) -> Result<Response, TransportError> {
        let mut headers = Some(self.caches.headers(metadata)?);
        let mut resends = 0;
        loop {
            phase.store(PHASE_CONNECTING, Ordering::Release);
            let conn = self.connector.connection().await?;
            // hyper consumes the request; a resend takes the headers from the cache again.
            let headers = match headers.take() {
                Some(headers) => headers,
                None => self.caches.headers(metadata)?,
            };
            let http_request = self.http_request(path.clone(), headers, body.clone())?;
            phase.store(PHASE_SENT, Ordering::Release);
            // No `ready()` first: for HTTP/2 it only reports whether the connection is
            // closed (checked when the connection is handed out), it never waits for a free
            // stream. Requests beyond the server's stream limit queue inside hyper until a
            // stream frees up; a request the connection never sent comes back with
            // `take_message()`.
            let mut sender = conn.sender.clone();
            match sender.try_send_request(http_request).await {
                Ok(response) => {
                    phase.store(PHASE_RECEIVING, Ordering::Release);
                    return read_response(&conn, response, receive_limit).await;
                }
                Err(mut error) => {
                    let unsent = error.take_message().is_some();
                    let error = error.into_error();
                    if unsent || breaks_connection(&error) {
                        conn.retire();
                    }
                    let unprocessed = unsent || is_refused(&error);
                    if unprocessed && resends < MAX_RESENDS {
                        resends += 1;
                        self.connector.observer().resent(&error);
                        continue;
                    }
                    let error = conn.error(&error);
                    return Err(if unprocessed {
                        error.unprocessed()
                    } else {
                        error
                    });
                }
            }
        }
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

    /// The error of an exchange whose time ran out in `phase`: silence, said as such.
    fn timed_out(&self, path: &PathAndQuery, limit: Duration, phase: u8) -> TransportError {
        let authority = &self.authority;
        match phase {
            PHASE_CONNECTING => TransportError::new(
                TransportErrorKind::Timeout,
                format!(
                    "no answer from {authority} within {limit:?}: still connecting ({path} was \
                     not sent)"
                ),
            )
            .unprocessed(),
            PHASE_SENT => TransportError::new(
                TransportErrorKind::Timeout,
                format!("no answer from {authority} within {limit:?} ({path})"),
            ),
            _ => TransportError::new(
                TransportErrorKind::Timeout,
                format!("the response from {authority} did not complete within {limit:?} ({path})"),
            ),
        }
    }
}
