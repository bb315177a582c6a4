//! One live HTTP/2 connection as the calls see it: its request sender and what is known
//! about its health. `handshake` makes one, `connection` hands it out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use hyper::client::conn::http2::SendRequest;

use super::body::OnceBody;
use super::error::{call_error, ErrorContext};
use super::watch::ConnWatch;
use crate::grpc::TransportError;

/// One HTTP/2 connection, as the calls see it. Cheap to clone.
#[derive(Clone)]
pub(super) struct Conn {
    pub(super) sender: SendRequest<OnceBody>,
    /// False once the connection's driver has ended or a call found it broken.
    pub(super) alive: Arc<AtomicBool>,
    pub(super) watch: Arc<ConnWatch>,
    pub(super) context: Arc<ErrorContext>,
}

impl Conn {
    pub(super) fn usable(&self) -> bool {
        self.alive.load(Ordering::Acquire) && !self.sender.is_closed()
    }

    /// Stop handing this connection to new calls.
    pub(super) fn retire(&self) {
        self.alive.store(false, Ordering::Release);
    }

    /// Classify an error of an exchange on this connection.
    pub(super) fn error(&self, error: &hyper::Error) -> TransportError {
        call_error(&self.context, &self.watch, error)
    }

    /// `host:port`, for messages.
    pub(super) fn authority(&self) -> &str {
        &self.context.authority
    }
}
