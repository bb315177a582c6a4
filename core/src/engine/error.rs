//! Classifying hyper, h2, rustls and I/O errors as [`TransportError`]s with readable causes.

use std::error::Error as StdError;
use std::format;
use std::io;
use std::string::{String, ToString};

use crate::grpc::{TransportError, TransportErrorKind};

use super::runtime::ConnectError;

/// The error's message followed by each distinct cause, `": "`-separated.
pub(crate) fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn find<'a, E: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a E> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// A rustls error anywhere in the chain (directly, or inside an `io::Error`).
fn find_rustls<'a>(error: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<rustls::Error>() {
            return Some(found);
        }
        if let Some(inner) = e
            .downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(inner);
        }
        current = e.source();
    }
    None
}

/// A failed [`Runtime::connect`](super::Runtime::connect) to `target`.
pub(crate) fn connect_error(target: &str, error: ConnectError) -> TransportError {
    match error {
        ConnectError::Tcp(e) => TransportError::new(
            TransportErrorKind::Connect,
            format!("cannot connect to {target}: {}", chain(&e)),
        ),
        ConnectError::Tls(e) => {
            let cause = match find_rustls(&e) {
                Some(tls) => tls.to_string(),
                None if e.kind() == io::ErrorKind::UnexpectedEof => {
                    "the server closed the connection during the handshake".to_string()
                }
                None => chain(&e),
            };
            TransportError::new(
                TransportErrorKind::Tls,
                format!("TLS handshake with {target} failed: {cause}"),
            )
        }
    }
}

/// Whether the request of a failed exchange was certainly not processed by the server, so
/// it may be sent again on a new connection: the stream was refused, or the server's GOAWAY
/// said it would not process it.
pub(crate) fn is_refused(error: &hyper::Error) -> bool {
    find::<h2::Error>(error).is_some_and(|h2| {
        h2.reason() == Some(h2::Reason::REFUSED_STREAM)
            || (h2.is_go_away() && h2.is_remote() && h2.reason() == Some(h2::Reason::NO_ERROR))
    })
}

/// Whether the failure concerns the whole connection (not only this stream), so the
/// connection must not be used for new calls.
pub(crate) fn breaks_connection(error: &hyper::Error) -> bool {
    match find::<h2::Error>(error) {
        Some(h2) => !h2.is_reset(),
        None => true,
    }
}

/// Classify an error of a request or of reading its response on the connection to `target`.
pub(crate) fn exchange_error(target: &str, error: &hyper::Error) -> TransportError {
    let (kind, message) = if let Some(tls) = find_rustls(error) {
        (TransportErrorKind::Tls, format!("TLS error: {tls}"))
    } else if error.is_timeout() {
        (
            TransportErrorKind::Io,
            "the connection stopped answering keepalive pings".to_string(),
        )
    } else if let Some(h2) = find::<h2::Error>(error) {
        let reason = h2.reason().map(|r| r.to_string());
        let reason = reason.as_deref().unwrap_or("unknown reason");
        if h2.is_go_away() && h2.is_remote() {
            (
                TransportErrorKind::Io,
                format!("the server closed the connection (GOAWAY: {reason})"),
            )
        } else if h2.is_reset() && h2.is_remote() {
            (
                TransportErrorKind::Io,
                format!("the server reset the stream (RST_STREAM: {reason})"),
            )
        } else if h2.is_io() {
            (TransportErrorKind::Io, chain(error))
        } else {
            (
                TransportErrorKind::Protocol,
                format!("HTTP/2 protocol error: {}", chain(error)),
            )
        }
    } else if let Some(io) = find::<io::Error>(error) {
        let text = match io.kind() {
            io::ErrorKind::UnexpectedEof => "the server closed the connection".to_string(),
            _ => chain(io),
        };
        (TransportErrorKind::Io, text)
    } else if error.is_closed() || error.is_canceled() || error.is_incomplete_message() {
        (
            TransportErrorKind::Io,
            format!("the connection closed: {}", chain(error)),
        )
    } else if error.is_user() || error.is_parse() {
        (TransportErrorKind::Protocol, chain(error))
    } else {
        (TransportErrorKind::Io, chain(error))
    };
    TransportError::new(kind, format!("{message} ({target})"))
}
