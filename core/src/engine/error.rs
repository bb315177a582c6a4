//! Classifying hyper, h2, rustls and I/O errors as [`TransportError`]s with readable causes.

use std::error::Error as StdError;
use std::format;
use std::io;
use std::string::{String, ToString};

use crate::grpc::{TransportError, TransportErrorKind};

use super::runtime::ConnectError;
use super::watch::{ConnWatch, IoFailure};

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

/// What the engine knows about a connection's settings, so that errors can say what to
/// change. Holds no secret.
#[derive(Clone, Debug, Default)]
pub(crate) struct ErrorContext {
    /// `host:port`, for messages.
    pub(crate) authority: String,
    /// Whether the connection uses TLS.
    pub(crate) tls: bool,
    /// Whether a server CA certificate is configured (else the public web roots are used).
    pub(crate) custom_ca: bool,
    /// Whether a client certificate is configured.
    pub(crate) client_cert: bool,
}

/// Hints naming the settings, in every form a user may have set them.
const CA_SETTING: &str = "the server CA certificate (tls.server_ca_cert_path in a profile, \
                          TEMPORAL_TLS_SERVER_CA_CERT_PATH, or TlsOptions::server_root_ca_cert)";
const NAME_SETTING: &str = "the server name (tls.server_name, TEMPORAL_TLS_SERVER_NAME, or \
                            TlsOptions::domain)";
const CLIENT_CERT_SETTING: &str = "a client certificate and key (tls.client_cert_path and \
                                   tls.client_key_path, TEMPORAL_TLS_CLIENT_CERT_PATH and \
                                   TEMPORAL_TLS_CLIENT_KEY_PATH, or TlsOptions::client_cert and \
                                   client_private_key)";
const NO_TLS_SETTING: &str = "connect without TLS (no tls settings and no API key, `tls.disabled \
                              = true`, TEMPORAL_TLS=false, or an http:// address)";
const TLS_SETTING: &str = "enable TLS (a [tls] section in the profile, TEMPORAL_TLS=true, an \
                           https:// address, or ConnectOptions::tls)";

/// A rustls error as what went wrong and what to change, with rustls' own text in
/// parentheses. Never contains key material (rustls errors carry none).
pub(crate) fn explain_tls(error: &rustls::Error, context: &ErrorContext) -> String {
    use rustls::{AlertDescription as Alert, CertificateError as Cert, InvalidMessage};
    let raw = error.to_string();
    match error {
        rustls::Error::InvalidCertificate(Cert::UnknownIssuer) if context.custom_ca => format!(
            "the server's certificate was not issued by the configured server CA certificate \
             ({raw}); check that {CA_SETTING} is the CA that issued the server's certificate"
        ),
        rustls::Error::InvalidCertificate(Cert::UnknownIssuer) => format!(
            "the server's certificate is not issued by a publicly trusted CA ({raw}); no server \
             CA certificate is configured, so only the public web roots are trusted: if the \
             server uses a private CA, configure {CA_SETTING}"
        ),
        rustls::Error::InvalidCertificate(
            Cert::NotValidForName | Cert::NotValidForNameContext { .. },
        ) => {
            format!(
                "the server's certificate does not match the name this client expects ({raw}); \
                 connect with an address whose host the certificate names, or set {NAME_SETTING} \
                 to a name it holds"
            )
        }
        rustls::Error::InvalidCertificate(Cert::Expired | Cert::ExpiredContext { .. }) => format!(
            "the server's certificate has expired ({raw}); the server must renew it (or this \
             machine's clock is wrong)"
        ),
        rustls::Error::InvalidCertificate(Cert::NotValidYet | Cert::NotValidYetContext { .. }) => {
            format!("the server's certificate is not valid yet ({raw}); check this machine's clock")
        }
        rustls::Error::InvalidCertificate(
            Cert::InvalidPurpose | Cert::InvalidPurposeContext { .. },
        ) => format!(
            "the server's certificate is not meant for TLS servers ({raw}); the server must use \
             a certificate with the serverAuth extended key usage"
        ),
        rustls::Error::InvalidCertificate(_) => {
            format!("the server's certificate was rejected ({raw})")
        }
        rustls::Error::AlertReceived(Alert::CertificateRequired) if !context.client_cert => {
            format!(
                "the server requires a client certificate (mTLS) and none is configured \
                 ({raw}); configure {CLIENT_CERT_SETTING}"
            )
        }
        rustls::Error::AlertReceived(
            Alert::CertificateRequired
            | Alert::BadCertificate
            | Alert::UnsupportedCertificate
            | Alert::CertificateRevoked
            | Alert::CertificateExpired
            | Alert::CertificateUnknown
            | Alert::UnknownCA
            | Alert::AccessDenied,
        ) if context.client_cert => format!(
            "the server rejected this client's certificate ({raw}); check that it is issued by \
             a CA the server trusts (with its intermediate certificates in the certificate \
             file), has not expired and allows client authentication"
        ),
        rustls::Error::AlertReceived(Alert::NoApplicationProtocol) => format!(
            "the server does not offer HTTP/2 over TLS (ALPN h2), which gRPC needs ({raw}); \
             check the address"
        ),
        rustls::Error::InvalidMessage(
            InvalidMessage::InvalidContentType | InvalidMessage::UnknownProtocolVersion,
        ) => format!(
            "the server did not answer with TLS ({raw}): it seems to speak plaintext (HTTP/2 \
             without TLS, or HTTP/1); is TLS enabled on the server? If the server is plaintext, \
             {NO_TLS_SETTING}"
        ),
        _ => raw,
    }
}

/// A failed [`Runtime::connect`](super::Runtime::connect). A TLS handshake that ends in a
/// reset or a close without a TLS error is the same fault as a reset anywhere else during
/// the connect: [`TransportErrorKind::Connect`], with no guess about TLS.
pub(crate) fn connect_error(context: &ErrorContext, error: ConnectError) -> TransportError {
    let target = &context.authority;
    match error {
        ConnectError::Tcp(e) => TransportError::new(
            TransportErrorKind::Connect,
            format!("cannot connect to {target}: {}", chain(&e)),
        ),
        ConnectError::Tls(e) => match find_rustls(&e) {
            Some(tls) => TransportError::new(
                TransportErrorKind::Tls,
                format!(
                    "TLS handshake with {target} failed: {}",
                    explain_tls(tls, context)
                ),
            ),
            None => {
                let how = match e.kind() {
                    io::ErrorKind::UnexpectedEof => "closed the connection".to_string(),
                    io::ErrorKind::ConnectionReset => {
                        format!("reset the connection ({})", chain(&e))
                    }
                    _ => format!("broke the connection ({})", chain(&e)),
                };
                TransportError::new(
                    TransportErrorKind::Connect,
                    format!("the server at {target} {how} during the TLS handshake"),
                )
            }
        },
    }
}

/// What the first bytes a plaintext (h2c) connection received say about a server that does
/// not speak HTTP/2 there, if they say something: `None` when they start like an HTTP/2
/// server's SETTINGS frame, or when there are none (silence or a reset tells nothing about
/// TLS).
pub(crate) fn plaintext_mismatch(prefix: &[u8], target: &str) -> Option<TransportError> {
    let looks_like_h2 = prefix.len() >= 4 && prefix[3] == 0x04;
    if looks_like_h2 || prefix.is_empty() {
        return None;
    }
    let requires_tls = |what: &str| {
        TransportError::new(
            TransportErrorKind::Tls,
            format!(
                "the server at {target} requires TLS: it answered this plaintext connection \
                 {what}; {TLS_SETTING}"
            ),
        )
    };
    match prefix {
        [0x14..=0x17, 0x03, ..] => Some(requires_tls("with a TLS record")),
        _ if prefix.starts_with(b"HTTP/") => {
            let text = String::from_utf8_lossy(prefix);
            let status = text.lines().next().unwrap_or_default().trim().to_string();
            let server = text
                .lines()
                .take_while(|line| !line.trim().is_empty())
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.trim()
                        .eq_ignore_ascii_case("server")
                        .then(|| format!(", server {}", value.trim()))
                })
                .unwrap_or_default();
            let lower = text.to_ascii_lowercase();
            if lower.contains("https") || lower.contains("tls") || lower.contains("ssl") {
                Some(requires_tls(&format!(
                    "in HTTP/1 (\"{status}\"{server}, about HTTPS)"
                )))
            } else {
                Some(TransportError::new(
                    TransportErrorKind::Protocol,
                    format!(
                        "the server at {target} answered in HTTP/1 (\"{status}\"{server}), not \
                         HTTP/2: it is not a plaintext gRPC endpoint. If it is a TLS endpoint \
                         (as Temporal Cloud and most proxies are), {TLS_SETTING}; otherwise \
                         check the address"
                    ),
                ))
            }
        }
        _ => None,
    }
}

/// Why a connection failed before the server's HTTP/2 settings arrived, from what it
/// received and how it ended. A reset or a close without a word is
/// [`TransportErrorKind::Connect`] (the same fault as a refused connection, whatever the
/// moment it strikes); bytes that show TLS or HTTP/1 say so.
pub(crate) fn setup_error(context: &ErrorContext, watch: &ConnWatch) -> TransportError {
    let target = &context.authority;
    let prefix = watch.prefix();
    if !context.tls {
        if let Some(mismatch) = plaintext_mismatch(&prefix, target) {
            return mismatch;
        }
    }
    let failure = watch.failure();
    if let Some(IoFailure { tls: Some(tls), .. }) = &failure {
        return TransportError::new(
            TransportErrorKind::Tls,
            format!("TLS error: {} ({target})", explain_tls(tls, context)),
        );
    }
    if prefix.len() >= 9 {
        // A whole frame header that is not SETTINGS.
        return TransportError::new(
            TransportErrorKind::Protocol,
            format!(
                "the server at {target} does not speak HTTP/2: its first bytes are not an \
                 HTTP/2 SETTINGS frame; check the address"
            ),
        );
    }
    let how = match &failure {
        Some(f) if f.kind == io::ErrorKind::ConnectionReset => {
            format!("reset the connection ({})", f.message)
        }
        Some(f) => format!("broke the connection ({})", f.message),
        None if prefix.is_empty() => "closed the connection without a word".to_string(),
        None => "closed the connection in the middle of its first frame".to_string(),
    };
    TransportError::new(
        TransportErrorKind::Connect,
        format!("the server at {target} {how} before HTTP/2 setup completed"),
    )
}

/// Whether the server certainly did not process the request of a failed exchange, so that
/// it may be sent again even when it is not idempotent: the server refused the stream
/// (`REFUSED_STREAM`), or its GOAWAY named a last stream below this one (h2 fails exactly
/// those streams, and streams opened after the GOAWAY, with the remote GOAWAY error).
pub(crate) fn is_refused(error: &hyper::Error) -> bool {
    find::<h2::Error>(error).is_some_and(|h2| {
        (h2.is_reset() && h2.is_remote() && h2.reason() == Some(h2::Reason::REFUSED_STREAM))
            || (h2.is_go_away() && h2.is_remote())
    })
}

/// An error of an exchange on a connection watched by `watch`, classified. When the
/// connection itself failed, its I/O error is the real cause (hyper tells the call only
/// "broken pipe").
pub(crate) fn call_error(
    context: &ErrorContext,
    watch: &ConnWatch,
    error: &hyper::Error,
) -> TransportError {
    let authority = &context.authority;
    let error = exchange_error(context, error);
    if error.kind() != TransportErrorKind::Io {
        return error;
    }
    match watch.failure() {
        Some(IoFailure { tls: Some(tls), .. }) => TransportError::new(
            TransportErrorKind::Tls,
            format!("TLS error: {} ({authority})", explain_tls(&tls, context)),
        ),
        Some(failure) if !error.message().contains(&failure.message) => TransportError::new(
            TransportErrorKind::Io,
            format!("{}; cause: {}", error.message(), failure.message),
        ),
        _ => error,
    }
}

/// Whether the failure concerns the whole connection (not only this stream), so the
/// connection must not be used for new calls.
pub(crate) fn breaks_connection(error: &hyper::Error) -> bool {
    match find::<h2::Error>(error) {
        Some(h2) => !h2.is_reset(),
        None => true,
    }
}

/// Classify an error of a request or of reading its response on a connection.
pub(crate) fn exchange_error(context: &ErrorContext, error: &hyper::Error) -> TransportError {
    let target = &context.authority;
    let (kind, message) = if let Some(tls) = find_rustls(error) {
        (
            TransportErrorKind::Tls,
            format!("TLS error: {}", explain_tls(tls, context)),
        )
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
        } else if h2.is_reset() && h2.reason() == Some(h2::Reason::REFUSED_STREAM) {
            // h2 refuses a response whose header list exceeds our advertised limit.
            (
                TransportErrorKind::ResponseTooLarge,
                "the response's headers or trailers exceed the client's header list limit \
                 (Http2Settings::max_header_list_size)"
                    .to_string(),
            )
        } else if h2.is_go_away() && h2.reason() == Some(h2::Reason::ENHANCE_YOUR_CALM) {
            // Ours: h2 closes the connection when a header block is far over the limit (or
            // the server's frames look like abuse).
            (
                TransportErrorKind::ResponseTooLarge,
                "the response's headers or trailers are far over the client's header list \
                 limit (Http2Settings::max_header_list_size), or the server's frames looked \
                 abusive; the connection was closed"
                    .to_string(),
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

#[cfg(test)]
mod tests {
    use super::plaintext_mismatch;
    use crate::grpc::TransportErrorKind;

    #[test]
    fn what_a_plaintext_connection_received_says() {
        // An HTTP/2 server's SETTINGS frame: nothing to say.
        assert!(plaintext_mismatch(&[0, 0, 18, 4, 0, 0, 0, 0, 0], "h:1").is_none());
        let tls = plaintext_mismatch(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32], "h:1").unwrap();
        assert_eq!(tls.kind(), TransportErrorKind::Tls);
        assert!(tls.message().contains("requires TLS"), "{tls}");
        let https = plaintext_mismatch(
            b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n",
            "h:1",
        )
        .unwrap();
        assert_eq!(https.kind(), TransportErrorKind::Tls);
        assert!(https.message().contains("about HTTPS"), "{https}");
        let http1 = plaintext_mismatch(b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n", "h:1")
            .unwrap();
        assert_eq!(http1.kind(), TransportErrorKind::Protocol);
        assert!(
            http1
                .message()
                .contains("answered in HTTP/1 (\"HTTP/1.1 400 Bad Request\", server nginx)"),
            "{http1}"
        );
        // Nothing received (silence, a close, a reset) says nothing about TLS.
        assert!(plaintext_mismatch(&[], "h:1").is_none());
    }
}
