//! The contract between the engine and a runtime adapter, and the glue that hands hyper an
//! executor and a timer built from it.

use std::boxed::Box;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::string::String;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use std::vec::Vec;

use rustls::pki_types::ServerName;
use rustls::ClientConfig;

use crate::time::{Clock, Sleep as ClockSleep};

/// A boxed, `Send` future, as spawned and returned through [`Runtime`].
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A byte stream the engine speaks HTTP/2 over: a TCP or TLS connection from an adapter.
///
/// Implemented for every type with hyper's I/O traits; adapters wrap their runtime's socket
/// types once (hyper-util's `TokioIo` for tokio, `AsyncStdIo` for async-std).
pub trait Io: hyper::rt::Read + hyper::rt::Write + Send + Unpin + 'static {}

impl<T: hyper::rt::Read + hyper::rt::Write + Send + Unpin + 'static> Io for T {}

/// A boxed connection.
pub type BoxIo = Box<dyn Io>;

/// What a TLS connection needs: the client configuration (ALPN `h2` already set) and the
/// name to send as SNI and verify the certificate against.
#[derive(Clone)]
pub struct TlsConnect {
    /// The rustls client configuration built from the connect options.
    pub config: Arc<ClientConfig>,
    /// The server name for SNI and certificate verification.
    pub server_name: ServerName<'static>,
}

impl fmt::Debug for TlsConnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConnect")
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

/// Where [`Runtime::connect`] connects. Owned, so the adapter's future can keep it.
#[derive(Clone, Debug)]
pub struct ConnectTarget {
    /// A DNS name or an IP address, without brackets.
    pub host: String,
    /// The TCP port.
    pub port: u16,
    /// The TLS handshake to perform over the TCP connection; `None` for plaintext.
    pub tls: Option<TlsConnect>,
}

/// Why [`Runtime::connect`] failed, by phase: the engine reports the two differently
/// (a TCP failure may be retried; a TLS failure usually needs a configuration change).
#[derive(Debug)]
pub enum ConnectError {
    /// Name resolution or the TCP connect failed.
    Tcp(io::Error),
    /// The TLS handshake failed. Adapters using rustls pass its error through as the inner
    /// error of the `io::Error`, so the engine can report it precisely.
    Tls(io::Error),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectError::Tcp(e) => write!(f, "TCP connect failed: {e}"),
            ConnectError::Tls(e) => write!(f, "TLS handshake failed: {e}"),
        }
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConnectError::Tcp(e) | ConnectError::Tls(e) => Some(e),
        }
    }
}

/// What a runtime adapter supplies to the engine: tasks, time and connections.
///
/// Time is the [`Clock`] supertrait (the same clock the client reads, so an adapter
/// implements sleeping once): the engine uses it for call timeouts, the connect timeout
/// and HTTP/2 keepalive. Object safe; the engine holds an `Arc<dyn Runtime>`. Adapters only
/// do I/O and time: the engine decides when to connect, what timeouts apply and how errors
/// are classified. Every future returned must be pollable from any task (adapters that
/// need a runtime context capture a handle when they are built, not when a future is
/// polled).
pub trait Runtime: Clock + 'static {
    /// Run `future` to completion in the background. Called for each connect attempt and
    /// each HTTP/2 connection's driver task; must not block, and must not poll `future`
    /// before returning.
    fn spawn(&self, future: BoxFuture<()>);

    /// Run `work`, which may block (reading config files), where it does not hold up the
    /// runtime's tasks (tokio's or async-std's blocking pool); the future completes when
    /// `work` has run. The default runs `work` at once, on the calling thread.
    fn spawn_blocking(&self, work: Box<dyn FnOnce() + Send + 'static>) -> BoxFuture<()> {
        work();
        Box::pin(std::future::ready(()))
    }

    /// Open a TCP connection to `target`, then, when it names TLS, perform a TLS client
    /// handshake over it.
    ///
    /// The engine runs it on a task of its own and bounds the whole future with the
    /// connect timeout (and drops it when that elapses), so adapters need no timeout of
    /// their own. Adapters should set `TCP_NODELAY`.
    fn connect(&self, target: ConnectTarget) -> BoxFuture<Result<BoxIo, ConnectError>>;

    /// Resolve `host` (a DNS name) to the addresses [`connect`](Self::connect) would try,
    /// in its order. Only the connection doctor calls it, to report name resolution as a
    /// step of its own (and then connects to each address by its IP); the default answers
    /// [`io::ErrorKind::Unsupported`], which the doctor reports as a skipped step.
    fn resolve(&self, host: &str, port: u16) -> BoxFuture<io::Result<Vec<SocketAddr>>> {
        let _ = (host, port);
        Box::pin(std::future::ready(Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this runtime adapter does not resolve names on its own",
        ))))
    }
}

/// hyper's executor, backed by [`Runtime::spawn`].
#[derive(Clone)]
pub(crate) struct Exec(pub(crate) Arc<dyn Runtime>);

impl<F> hyper::rt::Executor<F> for Exec
where
    F: Future + Send + Unpin + 'static,
{
    fn execute(&self, future: F) {
        self.0.spawn(Box::pin(Discard(future)));
    }
}

/// A future with its output dropped. Unlike an `async` block awaiting the future, it does
/// not hold the future twice (captured, and being awaited): the task hyper spawns for each
/// call is boxed at half the size, and not moved within the box on its first poll.
struct Discard<F>(F);

impl<F: Future + Unpin> Future for Discard<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(drop)
    }
}

/// hyper's timer, backed by [`Clock::sleep`].
#[derive(Clone)]
pub(crate) struct Timer(pub(crate) Arc<dyn Runtime>);

impl hyper::rt::Timer for Timer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(Sleep(self.0.sleep(duration)))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep(deadline.saturating_duration_since(Instant::now()))
    }
}

struct Sleep(ClockSleep);

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.as_mut().poll(cx)
    }
}

impl hyper::rt::Sleep for Sleep {}

/// The result of [`timeout`] when the time ran out first.
pub(crate) struct Elapsed;

/// Run `future`, giving up after `duration` (never, for `None`).
pub(crate) async fn timeout<F: Future>(
    runtime: &dyn Runtime,
    duration: Option<Duration>,
    future: F,
) -> Result<F::Output, Elapsed> {
    let Some(duration) = duration else {
        return Ok(future.await);
    };
    let mut future = std::pin::pin!(future);
    let mut sleep = runtime.sleep(duration);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed)),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}
