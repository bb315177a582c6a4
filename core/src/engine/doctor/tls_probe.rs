//! A TLS handshake of the doctor's own, over a TCP connection from the runtime, driven here
//! with rustls' sans-I/O connection so that everything the handshake shows can be read:
//! the certificate chain and the verifier's verdict on it, the protocol version, ALPN, and
//! an alert the server sends after the handshake (a rejected client certificate, in TLS
//! 1.3). Nothing but the handshake is sent.

use std::boxed::Box;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::string::{String, ToString};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use std::vec::Vec;

use hyper::rt::ReadBuf;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::ClientConnection;

use crate::config::TlsOptions;
use crate::engine::runtime::{timeout, BoxIo, Runtime};
use crate::engine::tls::recording_config;
use crate::engine::verifier::CertRecord;
use crate::grpc::TransportError;

/// What the handshake showed.
pub(super) struct TlsSeen {
    /// The chain the server presented, leaf first (empty if it sent none).
    pub(super) chain: Vec<CertificateDer<'static>>,
    /// The verifier's verdict on it (`None`: the server sent no certificate).
    pub(super) verdict: Option<Result<(), rustls::Error>>,
    /// How the handshake ended.
    pub(super) outcome: Result<Negotiated, HandshakeFailure>,
}

/// A completed handshake.
pub(super) struct Negotiated {
    /// `TLSv1_3`, ...
    pub(super) version: String,
    /// The ALPN protocol the server chose, if any.
    pub(super) alpn: Option<Vec<u8>>,
    /// A TLS error that arrived just after the handshake (a TLS 1.3 server rejecting the
    /// client certificate sends its alert then).
    pub(super) late_error: Option<rustls::Error>,
}

/// A handshake that did not complete.
pub(super) enum HandshakeFailure {
    /// rustls rejected what the server sent, or the server sent an alert.
    Tls(rustls::Error),
    /// The connection closed or broke.
    Io(io::Error),
    /// No answer in time.
    Timeout,
}

/// Options that cannot make a TLS configuration (bad PEM, ...), as the engine says it.
pub(super) fn config_error(options: &TlsOptions) -> Option<TransportError> {
    recording_config(options, Arc::default()).err()
}

/// Shake hands over `io` as the client would, with `options` and `server_name`, within
/// `limit`; then wait briefly for a late alert.
pub(super) async fn probe(
    runtime: &dyn Runtime,
    io: BoxIo,
    options: &TlsOptions,
    server_name: ServerName<'static>,
    limit: Duration,
) -> Result<TlsSeen, TransportError> {
    let record = Arc::new(Mutex::new(CertRecord::default()));
    let config = recording_config(options, record.clone())?;
    let mut conn = ClientConnection::new(config, server_name)
        .map_err(|e| TransportError::new(crate::grpc::TransportErrorKind::Tls, e.to_string()))?;
    let mut io = io;
    let outcome = match timeout(runtime, Some(limit), handshake(&mut conn, &mut io)).await {
        Ok(Ok(())) => {
            // A server that rejects the client certificate after a TLS 1.3 handshake says
            // so at once; a server that accepts it says nothing until asked. Wait a little.
            let late = timeout(
                runtime,
                Some(Duration::from_millis(300)),
                read_more(&mut conn, &mut io),
            )
            .await
            .ok()
            .and_then(|r| r.err());
            Ok(Negotiated {
                version: match conn.protocol_version() {
                    Some(rustls::ProtocolVersion::TLSv1_3) => String::from("TLS 1.3"),
                    Some(rustls::ProtocolVersion::TLSv1_2) => String::from("TLS 1.2"),
                    other => std::format!("{other:?}"),
                },
                alpn: conn.alpn_protocol().map(<[u8]>::to_vec),
                late_error: late.and_then(|e| match e {
                    HandshakeFailure::Tls(tls) => Some(tls),
                    _ => None,
                }),
            })
        }
        Ok(Err(failure)) => Err(failure),
        Err(_) => Err(HandshakeFailure::Timeout),
    };
    let record = std::mem::take(&mut *record.lock().unwrap_or_else(|p| p.into_inner()));
    Ok(TlsSeen {
        chain: record.chain,
        verdict: record.verdict,
        outcome,
    })
}

async fn handshake(conn: &mut ClientConnection, io: &mut BoxIo) -> Result<(), HandshakeFailure> {
    loop {
        flush(conn, io).await?;
        if !conn.is_handshaking() {
            return Ok(());
        }
        receive(conn, io).await?;
    }
}

/// After the handshake: read what the server sends until an error (or forever).
async fn read_more(conn: &mut ClientConnection, io: &mut BoxIo) -> Result<(), HandshakeFailure> {
    loop {
        flush(conn, io).await?;
        receive(conn, io).await?;
    }
}

/// Write everything rustls has to send.
async fn flush(conn: &mut ClientConnection, io: &mut BoxIo) -> Result<(), HandshakeFailure> {
    while conn.wants_write() {
        let mut out = Vec::new();
        conn.write_tls(&mut out).map_err(HandshakeFailure::Io)?;
        let mut written = 0;
        while written < out.len() {
            let n = poll_fn(|cx| Pin::new(&mut **io).poll_write(cx, &out[written..]))
                .await
                .map_err(HandshakeFailure::Io)?;
            if n == 0 {
                return Err(HandshakeFailure::Io(io::ErrorKind::WriteZero.into()));
            }
            written += n;
        }
    }
    poll_fn(|cx| Pin::new(&mut **io).poll_flush(cx))
        .await
        .map_err(HandshakeFailure::Io)
}

/// Read one chunk from the server and let rustls process it.
async fn receive(conn: &mut ClientConnection, io: &mut BoxIo) -> Result<(), HandshakeFailure> {
    let mut buf = Box::new([0u8; 16 * 1024]);
    let n = poll_fn(|cx| {
        let mut read = ReadBuf::new(&mut buf[..]);
        match Pin::new(&mut **io).poll_read(cx, read.unfilled()) {
            std::task::Poll::Ready(Ok(())) => std::task::Poll::Ready(Ok(read.filled().len())),
            std::task::Poll::Ready(Err(e)) => std::task::Poll::Ready(Err(e)),
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    })
    .await
    .map_err(HandshakeFailure::Io)?;
    if n == 0 {
        return Err(HandshakeFailure::Io(io::ErrorKind::UnexpectedEof.into()));
    }
    let mut received = &buf[..n];
    while !received.is_empty() {
        conn.read_tls(&mut received).map_err(HandshakeFailure::Io)?;
        if let Err(error) = conn.process_new_packets() {
            // Send the alert rustls queued, then report.
            let _ = flush(conn, io).await;
            return Err(HandshakeFailure::Tls(error));
        }
    }
    Ok(())
}
