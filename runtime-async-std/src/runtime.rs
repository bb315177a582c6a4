use std::boxed::Box;
use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use async_std::net::TcpStream;
use futures_rustls::TlsConnector;
use temporal_lite_core::engine::{BoxFuture, BoxIo, ConnectError, ConnectTarget, Runtime};
use temporal_lite_core::time::{Clock, Sleep};

use crate::io::AsyncStdIo;

/// The async-std runtime, as temporal-lite's engine [`Runtime`] and the client's [`Clock`].
///
/// async-std has one global runtime that starts on first use, so there is no handle to hold:
/// tasks go to async-std's global executor, timers and sockets to its reactor (async-io),
/// and every future this returns can be polled from any executor or thread.
#[derive(Clone, Copy, Debug)]
pub struct AsyncStdRuntime {
    /// The origin of [`Clock::now`].
    origin: Instant,
}

impl AsyncStdRuntime {
    /// The async-std runtime; its clock starts now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for AsyncStdRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl Runtime for AsyncStdRuntime {
    fn spawn(&self, future: BoxFuture<()>) {
        // Dropping an async-std join handle detaches the task; it runs to completion.
        drop(async_std::task::spawn(future));
    }

    fn spawn_blocking(&self, work: Box<dyn FnOnce() + Send + 'static>) -> BoxFuture<()> {
        Box::pin(async_std::task::spawn_blocking(work))
    }

    fn connect(&self, target: ConnectTarget) -> BoxFuture<Result<BoxIo, ConnectError>> {
        let ConnectTarget { host, port, tls } = target;
        // Nothing here needs a runtime context, so the future runs on the task that polls
        // it (the engine's connect task); dropping it (the connect timeout) abandons the
        // attempt.
        Box::pin(async move {
            let tcp = TcpStream::connect((host.as_str(), port))
                .await
                .map_err(ConnectError::Tcp)?;
            tcp.set_nodelay(true).map_err(ConnectError::Tcp)?;
            let Some(tls) = tls else {
                return Ok(Box::new(AsyncStdIo::new(tcp).with_write_vectored(true)) as BoxIo);
            };
            let stream = TlsConnector::from(tls.config)
                .connect(tls.server_name, tcp)
                .await
                .map_err(ConnectError::Tls)?;
            Ok(Box::new(AsyncStdIo::new(stream).with_write_vectored(true)) as BoxIo)
        })
    }

    fn resolve(&self, host: &str, port: u16) -> BoxFuture<io::Result<Vec<SocketAddr>>> {
        let host = host.to_owned();
        // The same lookup `TcpStream::connect` makes.
        Box::pin(async move {
            async_std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
                .await
                .map(Iterator::collect)
        })
    }
}

impl Clock for AsyncStdRuntime {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(async_std::task::sleep(duration))
    }
}
