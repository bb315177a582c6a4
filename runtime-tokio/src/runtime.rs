use std::boxed::Box;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use temporal_lite_core::engine::{BoxFuture, BoxIo, ConnectError, ConnectTarget, Runtime};
use temporal_lite_core::time::{Clock, Sleep};
use tokio::net::TcpStream;
use tokio::runtime::Handle;
use tokio::time::Instant;
use tokio_rustls::TlsConnector;

/// The tokio runtime, as temporal-lite's engine [`Runtime`] and the client's [`Clock`].
///
/// Holds a runtime [`Handle`], so its futures and tasks work even when polled or created
/// outside that runtime's context.
#[derive(Clone, Debug)]
pub struct TokioRuntime {
    handle: Handle,
    origin: Instant,
}

impl TokioRuntime {
    /// Use the runtime behind `handle`.
    pub fn new(handle: Handle) -> Self {
        let origin = {
            let _context = handle.enter();
            Instant::now()
        };
        Self { handle, origin }
    }

    /// Use the runtime this is called from; `None` outside a tokio runtime.
    pub fn try_current() -> Option<Self> {
        Handle::try_current().ok().map(Self::new)
    }

    /// The runtime handle.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    fn sleep_future(&self, duration: Duration) -> tokio::time::Sleep {
        let _context = self.handle.enter();
        tokio::time::sleep(duration)
    }
}

impl Runtime for TokioRuntime {
    fn spawn(&self, future: BoxFuture<()>) {
        drop(self.handle.spawn(future));
    }

    fn spawn_blocking(&self, work: Box<dyn FnOnce() + Send + 'static>) -> BoxFuture<()> {
        let task = self.handle.spawn_blocking(work);
        Box::pin(async move {
            // A cancelled task (runtime shutting down) is reported by the caller, which
            // finds no result.
            let _ = task.await;
        })
    }

    fn connect(&self, target: ConnectTarget) -> BoxFuture<Result<BoxIo, ConnectError>> {
        let ConnectTarget { host, port, tls } = target;
        // Run on the runtime: DNS and socket registration need its context.
        let task = self.handle.spawn(async move {
            let tcp = TcpStream::connect((host.as_str(), port))
                .await
                .map_err(ConnectError::Tcp)?;
            tcp.set_nodelay(true).map_err(ConnectError::Tcp)?;
            let Some(tls) = tls else {
                return Ok(Box::new(TokioIo::new(tcp)) as BoxIo);
            };
            let stream = TlsConnector::from(tls.config)
                .connect(tls.server_name, tcp)
                .await
                .map_err(ConnectError::Tls)?;
            Ok(Box::new(TokioIo::new(stream)) as BoxIo)
        });
        abort_on_drop(task)
    }

    fn resolve(&self, host: &str, port: u16) -> BoxFuture<io::Result<Vec<SocketAddr>>> {
        let host = host.to_owned();
        // The same lookup `TcpStream::connect` makes, on the runtime (its blocking pool).
        let task = self.handle.spawn(async move {
            tokio::net::lookup_host((host.as_str(), port))
                .await
                .map(Iterator::collect)
        });
        let abort = task.abort_handle();
        Box::pin(async move {
            let _abort_on_drop = AbortOnDrop(abort);
            task.await.unwrap_or_else(|e| Err(io::Error::other(e)))
        })
    }
}

/// `task`'s outcome as a future that aborts the task when dropped (dropping a join handle
/// would let the task run on).
fn abort_on_drop(
    task: tokio::task::JoinHandle<Result<BoxIo, ConnectError>>,
) -> BoxFuture<Result<BoxIo, ConnectError>> {
    let abort = task.abort_handle();
    Box::pin(async move {
        let _abort_on_drop = AbortOnDrop(abort);
        match task.await {
            Ok(result) => result,
            Err(e) => Err(ConnectError::Tcp(io::Error::other(e))),
        }
    })
}

struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Clock for TokioRuntime {
    fn now(&self) -> Duration {
        let _context = self.handle.enter();
        Instant::now().saturating_duration_since(self.origin)
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(self.sleep_future(duration))
    }
}
