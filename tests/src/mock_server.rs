//! A scriptable in-process HTTP/2 gRPC server on 127.0.0.1, built on h2's server API.
//!
//! Each request is answered by a [`Reply`] chosen by the test's handler: a normal unary reply,
//! a body cut into tiny DATA frames, a Trailers-Only status, an HTML error page, a stream
//! reset, a dropped connection, a delay, a GOAWAY after the reply. The server counts
//! connections and the peak number of concurrent streams, and records every request.
//!
//! ```no_run
//! # async fn demo() {
//! use temporal_lite_tests::mock_server::{MockServer, Reply};
//!
//! let server = MockServer::start(|request| Reply::unary(request.body_message())).await;
//! println!("listening on {}", server.address());
//! # }
//! ```

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use h2::server::SendResponse;
use h2::{Reason, RecvStream};
use http::{HeaderMap, HeaderName, HeaderValue, Response, StatusCode};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// How the server answers one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete exchange: `:status`, headers, the body in the given DATA chunks (each sent
    /// as its own frame), then trailers (`None`: end the stream with the last DATA frame).
    Raw {
        /// HTTP status.
        status: u16,
        /// Response headers.
        headers: Vec<(String, String)>,
        /// Body chunks, one DATA frame each.
        chunks: Vec<Bytes>,
        /// Trailers, if any.
        trailers: Option<Vec<(String, String)>>,
    },
    /// A Trailers-Only reply: one HEADERS frame with `grpc-status` and END_STREAM.
    TrailersOnly {
        /// The gRPC status code.
        code: u32,
        /// The `grpc-message` (sent as is: percent-encode it yourself if needed).
        message: String,
    },
    /// Reset the stream with RST_STREAM.
    Reset(Reason),
    /// Close the TCP connection without answering.
    DropConnection,
    /// Never answer (until the client gives up).
    Hang,
    /// Stop serving the whole connection (no more frames read or written, PINGs
    /// included) while keeping the socket open: a peer that silently went away.
    FreezeConnection,
    /// Wait, then answer.
    Delay(Duration, Box<Reply>),
    /// Answer, then send GOAWAY and let the connection end once its streams are done.
    ThenGoAway(Box<Reply>),
}

impl Reply {
    /// An OK unary reply carrying `payload` as its single message.
    pub fn unary(payload: impl Into<Bytes>) -> Reply {
        Reply::framed(frame(&payload.into()), usize::MAX)
    }

    /// An OK reply whose raw `body` (already framed) goes out in DATA frames of at most
    /// `chunk` bytes.
    pub fn framed(body: Bytes, chunk: usize) -> Reply {
        let chunk = chunk.max(1);
        let chunks = if body.is_empty() {
            Vec::new()
        } else {
            (0..body.len())
                .step_by(chunk)
                .map(|start| body.slice(start..body.len().min(start.saturating_add(chunk))))
                .collect()
        };
        Reply::Raw {
            status: 200,
            headers: vec![("content-type".into(), "application/grpc".into())],
            chunks,
            trailers: Some(vec![("grpc-status".into(), "0".into())]),
        }
    }

    /// A Trailers-Only error.
    pub fn status(code: u32, message: impl Into<String>) -> Reply {
        Reply::TrailersOnly {
            code,
            message: message.into(),
        }
    }

    /// A non-gRPC HTTP reply, like a proxy's error page.
    pub fn http(status: u16, content_type: &str, body: impl Into<Bytes>) -> Reply {
        Reply::Raw {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            chunks: vec![body.into()],
            trailers: None,
        }
    }

    /// This reply after `delay`.
    pub fn delayed(self, delay: Duration) -> Reply {
        Reply::Delay(delay, Box::new(self))
    }

    /// This reply, then GOAWAY.
    pub fn then_go_away(self) -> Reply {
        Reply::ThenGoAway(Box::new(self))
    }
}

/// A length-prefixed, uncompressed gRPC frame around `payload`.
pub fn frame(payload: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(payload.len() + 5);
    out.put_u8(0);
    out.put_u32(payload.len() as u32);
    out.put_slice(payload);
    out.freeze()
}

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// The `:method`.
    pub method: String,
    /// The `:scheme`, if any.
    pub scheme: Option<String>,
    /// The `:authority`, if any.
    pub authority: Option<String>,
    /// The `:path`.
    pub path: String,
    /// Regular headers.
    pub headers: HeaderMap,
    /// The whole request body (framed).
    pub body: Bytes,
    /// Which connection it came on (0 for the first accepted).
    pub connection: usize,
}

impl RecordedRequest {
    /// The payload of the body's first gRPC frame (empty if there is none).
    pub fn body_message(&self) -> Bytes {
        if self.body.len() < 5 {
            return Bytes::new();
        }
        let len = u32::from_be_bytes([self.body[1], self.body[2], self.body[3], self.body[4]]);
        self.body.slice(5..(5 + len as usize).min(self.body.len()))
    }

    /// A header value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

type Handler = Arc<dyn Fn(&RecordedRequest) -> Reply + Send + Sync>;

struct Shared {
    handler: Handler,
    connections: AtomicUsize,
    active_streams: AtomicUsize,
    peak_streams: AtomicUsize,
    requests: Mutex<Vec<RecordedRequest>>,
}

/// Options of a [`MockServer`].
#[derive(Default)]
pub struct MockServerBuilder {
    max_concurrent_streams: Option<u32>,
    tls: Option<Arc<ServerConfig>>,
}

impl MockServerBuilder {
    /// Advertise this SETTINGS_MAX_CONCURRENT_STREAMS.
    pub fn max_concurrent_streams(mut self, max: u32) -> Self {
        self.max_concurrent_streams = Some(max);
        self
    }

    /// Serve over TLS with this configuration (set ALPN `h2` in it).
    pub fn tls(mut self, config: Arc<ServerConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// Bind 127.0.0.1 on a free port and serve until the server is dropped.
    pub async fn start(
        self,
        handler: impl Fn(&RecordedRequest) -> Reply + Send + Sync + 'static,
    ) -> MockServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let address = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            handler: Arc::new(handler),
            connections: AtomicUsize::new(0),
            active_streams: AtomicUsize::new(0),
            peak_streams: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
        });
        let task = tokio::spawn(accept_loop(
            listener,
            shared.clone(),
            self.max_concurrent_streams,
            self.tls.map(TlsAcceptor::from),
        ));
        MockServer {
            address,
            shared,
            task,
        }
    }
}

/// A running mock server; stops (and closes its connections) when dropped.
pub struct MockServer {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Options for a server.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// A plaintext server with default settings.
    pub async fn start(
        handler: impl Fn(&RecordedRequest) -> Reply + Send + Sync + 'static,
    ) -> MockServer {
        MockServer::builder().start(handler).await
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `127.0.0.1:PORT`, for connect options.
    pub fn address_string(&self) -> String {
        self.address.to_string()
    }

    /// How many connections were accepted.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// The most streams that were open at once.
    pub fn peak_concurrent_streams(&self) -> usize {
        self.shared.peak_streams.load(Ordering::SeqCst)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    max_streams: Option<u32>,
    tls: Option<TlsAcceptor>,
) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let shared = shared.clone();
        let tls = tls.clone();
        connections.spawn(async move {
            serve_tcp(tcp, shared, max_streams, tls).await;
        });
        // Reap finished connection tasks; the set aborts the rest when the server drops.
        while connections.try_join_next().is_some() {}
    }
}

async fn serve_tcp(
    tcp: TcpStream,
    shared: Arc<Shared>,
    max_streams: Option<u32>,
    tls: Option<TlsAcceptor>,
) {
    match tls {
        None => serve_connection(tcp, shared, max_streams).await,
        Some(acceptor) => {
            if let Ok(stream) = acceptor.accept(tcp).await {
                serve_connection(stream, shared, max_streams).await;
            }
        }
    }
}

enum Control {
    GoAway,
    Drop,
    Freeze,
}

async fn serve_connection<IO>(io: IO, shared: Arc<Shared>, max_streams: Option<u32>)
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = h2::server::Builder::new();
    if let Some(max) = max_streams {
        builder.max_concurrent_streams(max);
    }
    let Ok(mut connection) = builder.handshake::<_, Bytes>(io).await else {
        return;
    };
    let index = shared.connections.fetch_add(1, Ordering::SeqCst);
    let (control, mut controls) = mpsc::unbounded_channel();
    let mut streams = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = connection.accept() => match accepted {
                Some(Ok((request, respond))) => {
                    let shared = shared.clone();
                    let control = control.clone();
                    streams.spawn(async move {
                        handle_stream(request, respond, shared, index, control).await;
                    });
                }
                _ => break,
            },
            Some(command) = controls.recv() => match command {
                Control::GoAway => connection.graceful_shutdown(),
                // Dropping the connection closes the socket under every open stream.
                Control::Drop => return,
                Control::Freeze => {
                    // Hold the socket open but never poll the connection again.
                    std::future::pending::<()>().await;
                }
            },
        }
    }
}

/// Counts a stream as open for its lifetime.
struct StreamGuard(Arc<Shared>);

impl StreamGuard {
    fn new(shared: Arc<Shared>) -> Self {
        let now = shared.active_streams.fetch_add(1, Ordering::SeqCst) + 1;
        shared.peak_streams.fetch_max(now, Ordering::SeqCst);
        StreamGuard(shared)
    }
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        self.0.active_streams.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle_stream(
    request: http::Request<RecvStream>,
    respond: SendResponse<Bytes>,
    shared: Arc<Shared>,
    connection: usize,
    control: mpsc::UnboundedSender<Control>,
) {
    let guard = StreamGuard::new(shared.clone());
    let (parts, mut body) = request.into_parts();
    let mut received = BytesMut::new();
    while let Some(chunk) = body.data().await {
        let Ok(chunk) = chunk else { return };
        let _ = body.flow_control().release_capacity(chunk.len());
        received.extend_from_slice(&chunk);
    }
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        scheme: parts.uri.scheme_str().map(str::to_owned),
        authority: parts.uri.authority().map(|a| a.to_string()),
        path: parts.uri.path().to_owned(),
        headers: parts.headers,
        body: received.freeze(),
        connection,
    };
    let reply = (shared.handler)(&recorded);
    shared
        .requests
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(recorded);
    send_reply(reply, respond, &control, guard).await;
}

async fn send_reply(
    mut reply: Reply,
    mut respond: SendResponse<Bytes>,
    control: &mpsc::UnboundedSender<Control>,
    guard: StreamGuard,
) {
    let mut go_away = false;
    loop {
        match reply {
            Reply::Delay(delay, inner) => {
                tokio::time::sleep(delay).await;
                reply = *inner;
            }
            Reply::ThenGoAway(inner) => {
                go_away = true;
                reply = *inner;
            }
            _ => break,
        }
    }
    // Stop counting the stream before its last frame is queued: once that frame is on the
    // wire the client may reuse the slot, possibly before this task runs again.
    drop(guard);
    match reply {
        Reply::Raw {
            status,
            headers,
            chunks,
            trailers,
        } => {
            let mut response = Response::new(());
            *response.status_mut() = StatusCode::from_u16(status).expect("valid status");
            *response.headers_mut() = header_map(&headers);
            let end_now = chunks.is_empty() && trailers.is_none();
            let Ok(mut stream) = respond.send_response(response, end_now) else {
                return;
            };
            let count = chunks.len();
            for (i, chunk) in chunks.into_iter().enumerate() {
                let last = i + 1 == count && trailers.is_none();
                if stream.send_data(chunk, last).is_err() {
                    return;
                }
            }
            if let Some(trailers) = trailers {
                let _ = stream.send_trailers(header_map(&trailers));
            }
        }
        Reply::TrailersOnly { code, message } => {
            let mut response = Response::new(());
            let headers = response.headers_mut();
            headers.insert("content-type", HeaderValue::from_static("application/grpc"));
            headers.insert("grpc-status", HeaderValue::from(code));
            if let Ok(value) = HeaderValue::from_str(&message) {
                headers.insert("grpc-message", value);
            }
            let _ = respond.send_response(response, true);
        }
        Reply::Reset(reason) => respond.send_reset(reason),
        Reply::DropConnection => {
            let _ = control.send(Control::Drop);
            // Keep the stream open until the connection goes.
            std::future::pending::<()>().await;
        }
        Reply::FreezeConnection => {
            let _ = control.send(Control::Freeze);
            std::future::pending::<()>().await;
        }
        Reply::Hang => {
            // Answer only when the client resets the stream.
            let _ = std::future::poll_fn(|cx| respond.poll_reset(cx)).await;
        }
        Reply::Delay(..) | Reply::ThenGoAway(..) => unreachable!("unwrapped above"),
    }
    if go_away {
        let _ = control.send(Control::GoAway);
    }
}

fn header_map(pairs: &[(String, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).expect("valid header name"),
            HeaderValue::from_str(value).expect("valid header value"),
        );
    }
    map
}

/// A fresh test CA with a server certificate for `localhost` and `127.0.0.1` and a client
/// certificate, made in memory: TLS for a [`MockServer`] ([`server_config`](Self::server_config)
/// for [`MockServerBuilder::tls`]).
pub struct MockPki {
    /// The CA certificate (PEM): the client's `server_root_ca_cert`.
    pub ca_pem: String,
    /// A client certificate issued by the CA (PEM).
    pub client_cert_pem: String,
    /// The client certificate's key (PKCS#8 PEM).
    pub client_key_pem: String,
    server_chain: Vec<CertificateDer<'static>>,
    server_key_der: Vec<u8>,
}

impl fmt::Debug for MockPki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockPki").finish_non_exhaustive()
    }
}

impl MockPki {
    /// Make the CA and both certificates.
    pub fn generate() -> MockPki {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "temporal-lite mock server CA");
        let ca_cert = ca_params.self_signed(&ca_key).expect("CA certificate");
        let ca = Issuer::new(ca_params, ca_key);
        let leaf = |names: Vec<String>| {
            let key = KeyPair::generate().expect("leaf key");
            let params = CertificateParams::new(names).expect("leaf params");
            let cert = params.signed_by(&key, &ca).expect("leaf certificate");
            (cert, key)
        };
        let (server_cert, server_key) = leaf(vec!["localhost".into(), "127.0.0.1".into()]);
        let (client_cert, client_key) = leaf(vec!["client".into()]);
        MockPki {
            ca_pem: ca_cert.pem(),
            client_cert_pem: client_cert.pem(),
            client_key_pem: client_key.serialize_pem(),
            server_chain: vec![server_cert.der().clone()],
            server_key_der: server_key.serialize_der(),
        }
    }

    /// A server configuration with the server certificate and ALPN `h2`. With
    /// `require_client_cert`, clients must present a certificate issued by the CA.
    pub fn server_config(&self, require_client_cert: bool) -> Arc<ServerConfig> {
        let key = PrivateKeyDer::Pkcs8(self.server_key_der.clone().into());
        let client_ca = require_client_cert.then_some(self.ca_pem.as_str());
        Arc::new(tls_server_config(self.server_chain.clone(), key, client_ca))
    }
}

/// A rustls server configuration (ring, its safe protocol versions, ALPN `h2`) presenting
/// `chain` and `key`. With `client_ca_pem`, clients must present a certificate that CA
/// issued; without, none is asked for.
pub fn tls_server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    client_ca_pem: Option<&str>,
) -> ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .expect("TLS versions");
    let builder = match client_ca_pem {
        Some(ca_pem) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
                roots.add(cert.expect("CA PEM")).expect("CA certificate");
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()
            .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .expect("server certificate");
    config.alpn_protocols = vec![b"h2".to_vec()];
    config
}
