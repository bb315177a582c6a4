//! Loopback peers for failure tests: a port that refuses, a peer that never answers.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use temporal_lite_core::client::Error;
use temporal_lite_core::grpc::{TransportError, TransportErrorKind};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A loopback port nothing listens on (bound, then released): connecting is refused.
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Check what a first connect to a [`closed_port`], begun at `started`, gave: a `Connect`
/// transport error, at once (a client that never reached its server takes a refusal for a
/// wrong address, not for an outage to wait out).
#[track_caller]
pub fn assert_refused_at_once(error: &Error, started: Instant) {
    assert!(
        matches!(error, Error::Transport(e) if e.kind() == TransportErrorKind::Connect),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

/// Check how a call, begun at `started`, to a peer that stopped answering (its connection
/// open, nothing read) ended: an `Io` error from the keepalive ping, within 3 s.
#[track_caller]
pub fn assert_ended_by_keepalive(error: &TransportError, started: Instant) {
    assert_eq!(error.kind(), TransportErrorKind::Io, "{error}");
    assert!(error.message().contains("keepalive"), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// A loopback peer that accepts TCP connections, holds them open and never sends a byte.
/// Runs on the current tokio runtime; dropping it closes the listener and the connections.
pub struct SilentPeer {
    address: SocketAddr,
    task: JoinHandle<()>,
}

impl SilentPeer {
    /// Start listening on a free loopback port.
    pub async fn start() -> SilentPeer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        SilentPeer { address, task }
    }

    /// Where it listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for SilentPeer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
