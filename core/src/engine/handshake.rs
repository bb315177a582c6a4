//! Opening one connection: TCP, TLS, the HTTP/2 handshake and the server's first SETTINGS
//! frame, all within the connect timeout.

use std::boxed::Box;
use std::format;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::client::conn::http2::Builder;

use super::body::OnceBody;
use super::conn::Conn;
use super::endpoint::Endpoint;
use super::error::{connect_error, exchange_error, setup_error, ErrorContext};
use super::observe::ConnObserver;
use super::runtime::{timeout, ConnectTarget, Exec, Runtime, Timer, TlsConnect};
use super::settings::Http2Settings;
use super::watch::{ConnWatch, FirstFrame, WatchedIo};
use crate::grpc::{TransportError, TransportErrorKind};

/// Where a connect stands, for the message when it times out.
const STAGE_SOCKET: u8 = 0;
const STAGE_SETTINGS: u8 = 1;

/// Everything needed to open a connection to the server.
pub(super) struct Dial {
    pub(super) runtime: Arc<dyn Runtime>,
    pub(super) endpoint: Endpoint,
    pub(super) tls: Option<TlsConnect>,
    pub(super) connect_timeout: Duration,
    pub(super) settings: Http2Settings,
    pub(super) context: Arc<ErrorContext>,
    pub(super) observer: ConnObserver,
}

impl Dial {
    /// Open a connection: TCP (+ TLS), the HTTP/2 handshake, and the server's SETTINGS
    /// frame, within the connect timeout; spawns the connection's driver task.
    ///
    /// Waiting for the server's SETTINGS (hyper's handshake only sends ours) means a peer
    /// that accepts TCP and then stays silent, resets or closes fails here, as a
    /// [`TransportErrorKind::Connect`] error, rather than under the first call.
    pub(super) async fn open(&self) -> Result<Conn, TransportError> {
        let stage = AtomicU8::new(STAGE_SOCKET);
        let setup = self.setup(&stage);
        match timeout(&*self.runtime, Some(self.connect_timeout), setup).await {
            Ok(result) => result,
            Err(_) => Err(self.timed_out(stage.load(Ordering::Acquire))),
        }
    }

    async fn setup(&self, stage: &AtomicU8) -> Result<Conn, TransportError> {
        let runtime = &self.runtime;
        let io = runtime
            .connect(ConnectTarget {
                host: self.endpoint.host.clone(),
                port: self.endpoint.port,
                tls: self.tls.clone(),
            })
            .await
            .map_err(|e| connect_error(&self.context, e))?;
        let watch = Arc::new(ConnWatch::default());
        let io = WatchedIo::new(io, watch.clone());
        let mut builder = Builder::new(Exec(runtime.clone()));
        builder
            .timer(Timer(runtime.clone()))
            .keep_alive_interval(self.settings.keepalive_interval)
            .keep_alive_timeout(self.settings.keepalive_timeout)
            .keep_alive_while_idle(true)
            .max_header_list_size(self.settings.max_header_list_size)
            .initial_stream_window_size(2 * 1024 * 1024)
            .initial_connection_window_size(8 * 1024 * 1024);
        let (sender, connection) = builder.handshake::<_, OnceBody>(io).await.map_err(|e| {
            let error = exchange_error(&self.context, &e);
            TransportError::new(
                TransportErrorKind::Connect,
                format!("HTTP/2 handshake failed: {}", error.message()),
            )
        })?;
        let alive = Arc::new(AtomicBool::new(true));
        let driver_alive = alive.clone();
        let driver_watch = watch.clone();
        let observer = self.observer.clone();
        let keepalive = self
            .settings
            .keepalive_interval
            .map(|_| self.settings.keepalive_timeout);
        let opened = Instant::now();
        runtime.spawn(Box::pin(async move {
            // The connection's fate reaches each call through its own stream; here it only
            // matters that the connection is gone (and is reported).
            let result = connection.await;
            // A `Conn` still holds `alive`: the client had not let the connection go.
            let kept = Arc::strong_count(&driver_alive) > 1;
            driver_alive.store(false, Ordering::Release);
            let keepalive_lapsed = result.is_ok()
                && kept
                && keepalive.is_some_and(|timeout| driver_watch.silent_for(opened) >= timeout);
            driver_watch.end();
            observer.closed(&result, keepalive_lapsed);
        }));
        stage.store(STAGE_SETTINGS, Ordering::Release);
        // On failure `sender` is dropped, which makes hyper close the connection.
        match std::future::poll_fn(|cx| watch.poll_first_frame(cx)).await {
            FirstFrame::Settings => Ok(Conn {
                sender,
                alive,
                watch,
                context: self.context.clone(),
            }),
            FirstFrame::Other | FirstFrame::Ended => Err(setup_error(&self.context, &watch)),
        }
    }

    fn timed_out(&self, stage: u8) -> TransportError {
        let target = &self.context.authority;
        let limit = self.connect_timeout;
        let message = if stage == STAGE_SETTINGS {
            format!(
                "no answer from {target} within {limit:?} (connect_timeout): it accepted the \
                 connection but sent no HTTP/2 settings"
            )
        } else if self.tls.is_some() {
            format!(
                "no answer from {target} within {limit:?} (connect_timeout) while connecting \
                 (TCP connect and TLS handshake)"
            )
        } else {
            format!(
                "no answer from {target} within {limit:?} (connect_timeout) while connecting \
                 (TCP connect)"
            )
        };
        TransportError::new(TransportErrorKind::Connect, message)
    }
}
