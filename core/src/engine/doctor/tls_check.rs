//! The TLS check: a handshake of the doctor's own ([`tls_probe`](super::tls_probe)) and
//! what it says about the certificate chain, the server name, the dates and ALPN.

use std::format;
use std::string::String;

use rustls::pki_types::UnixTime;
use rustls::{AlertDescription as Alert, CertificateError as Cert, InvalidMessage};

use super::network::Endpoint;
use super::report::{Check, Step, Verdict};
use super::tls_probe::{self, HandshakeFailure, TlsSeen};
use super::{validity, Doctor};
use crate::config::TlsOptions;
use crate::engine::error::{explain_tls, ErrorContext};
use crate::engine::runtime::{BoxIo, Runtime};
use crate::engine::tls::server_name;

/// A server certificate that expires within this many days is a warning.
const EXPIRY_WARNING_DAYS: u64 = 14;

/// The settings named in fixes.
const CA: &str = "the server CA certificate (tls.server_ca_cert_path, \
                  TEMPORAL_TLS_SERVER_CA_CERT_PATH, or TlsOptions::server_root_ca_cert)";
const SERVER_NAME: &str =
    "the server name (tls.server_name, TEMPORAL_TLS_SERVER_NAME, or TlsOptions::domain)";
const CLIENT_CERT: &str = "a client certificate and key (tls.client_cert_path and \
                           tls.client_key_path, TEMPORAL_TLS_CLIENT_CERT_PATH and \
                           TEMPORAL_TLS_CLIENT_KEY_PATH)";
const TLS_OFF: &str = "turn TLS off (tls.disabled = true, TEMPORAL_TLS=false, or an http:// \
                       address), or use the server's TLS port";

impl<R: Runtime> Doctor<'_, R> {
    /// The handshake over `io`; whether the run goes on.
    pub(super) async fn check_tls(&mut self, endpoint: &Endpoint, io: BoxIo) -> bool {
        if !self.options.uses_tls() {
            drop(io);
            return self.record(Step::skip(Check::Tls, "TLS is off"));
        }
        let tls = self.options.tls.clone().unwrap_or_default();
        let name = match server_name(&tls, &endpoint.host) {
            Ok(name) => name,
            Err(error) => {
                return self.record(Step::fail(
                    Check::Tls,
                    String::from(error.message()),
                    format!("set {SERVER_NAME} to a DNS name or IP address"),
                ))
            }
        };
        if let Some(error) = tls_probe::config_error(&tls) {
            return self.record(Step::fail(
                Check::Tls,
                format!("the TLS settings are not usable: {}", error.message()),
                "correct the certificate or key file the message names",
            ));
        }
        let shown_name = tls.domain.clone().unwrap_or(endpoint.host.clone());
        let limit = self.options.connect_timeout;
        let seen = match tls_probe::probe(&*self.runtime, io, &tls, name, limit).await {
            Ok(seen) => seen,
            Err(error) => {
                return self.record(Step::fail(
                    Check::Tls,
                    String::from(error.message()),
                    "check the TLS settings",
                ))
            }
        };
        let step = self.judge(&tls, &shown_name, seen);
        self.record(step)
    }

    fn judge(&mut self, tls: &TlsOptions, name: &str, seen: TlsSeen) -> Step {
        let context = ErrorContext {
            authority: self.options.address.clone(),
            tls: true,
            custom_ca: tls.server_root_ca_cert.is_some(),
            client_cert: tls.client_cert.is_some(),
        };
        let roots = if tls.server_root_ca_cert.is_some() {
            format!("the configured CA ({})", self.origin("tls.server_ca_cert"))
        } else {
            String::from("the public web roots (no server CA configured)")
        };
        let certificates = match seen.chain.len() {
            1 => String::from("1 certificate"),
            n => format!("{n} certificates"),
        };
        let expires = seen
            .chain
            .first()
            .and_then(|leaf| validity::not_after(leaf))
            .map(|at| (at, at.saturating_sub(UnixTime::now().as_secs()) / 86_400));
        // The certificate first: a handshake can fail for its sake only after rustls saw it.
        if let Some(Err(error)) = &seen.verdict {
            return self.certificate_failure(error, tls, name, &roots);
        }
        let negotiated = match seen.outcome {
            Ok(negotiated) => negotiated,
            Err(HandshakeFailure::Tls(error)) => {
                let mut fix = handshake_fix(&error, &context);
                if is_plaintext_answer(&error) {
                    fix.push_str(&format!("; why TLS is on: {}", self.tls_reason()));
                }
                return Step::fail(Check::Tls, format!("TLS handshake failed ({error})"), fix);
            }
            Err(HandshakeFailure::Io(error)) => {
                return Step::fail(
                    Check::Tls,
                    format!("the server ended the connection during the TLS handshake ({error})"),
                    format!(
                        "check that this port serves TLS; if the server is plaintext, {TLS_OFF}"
                    ),
                )
            }
            Err(HandshakeFailure::Timeout) => {
                return Step::fail(
                    Check::Tls,
                    format!(
                        "no TLS answer within {:?} (connect_timeout)",
                        self.options.connect_timeout
                    ),
                    format!("check that this port serves TLS; if it is plaintext, {TLS_OFF}"),
                )
            }
        };
        if negotiated.alpn.as_deref() != Some(b"h2") {
            return Step::fail(
                Check::Tls,
                format!(
                    "{} handshake done, but the server did not choose HTTP/2 (ALPN h2), which \
                     gRPC needs",
                    negotiated.version
                ),
                "check that the address is a gRPC endpoint (a Temporal frontend or a proxy \
                 that passes gRPC)",
            );
        }
        if let Some(error) = &negotiated.late_error {
            // Handled as the auth check: the server refused the client certificate.
            let step = Step::pass(
                Check::Tls,
                format!(
                    "{}, ALPN h2, certificate chains to {roots} and holds {name:?}",
                    negotiated.version
                ),
            );
            self.record(step);
            return Step::fail(
                Check::Auth,
                format!(
                    "the server refused the connection after the handshake: {}",
                    explain_tls(error, &context)
                ),
                if tls.client_cert.is_some() {
                    format!(
                        "use a client certificate ({}) issued by a CA the server trusts",
                        self.origin("tls.client_cert")
                    )
                } else {
                    format!("configure {CLIENT_CERT}")
                },
            );
        }
        let host_check = if tls.disable_host_verification {
            "; host name verification is OFF"
        } else {
            ""
        };
        let until = match expires {
            Some((at, days)) => format!("valid until {} ({days} days)", validity::date(at)),
            None => String::from("within its validity dates"),
        };
        let step = Step::pass(
            Check::Tls,
            format!(
                "{}, ALPN h2; the server's chain ({certificates}) leads to {roots}, names \
                 {name:?}, {until}{host_check}",
                negotiated.version
            ),
        );
        if expires.is_some_and(|(_, days)| days < EXPIRY_WARNING_DAYS) {
            return Step {
                verdict: Verdict::Warn,
                ..step
            }
            .with_fix("the server's certificate expires soon: the server must renew it");
        }
        if tls.disable_host_verification {
            Step {
                verdict: Verdict::Warn,
                ..step
            }
            .with_fix(format!(
                "set {SERVER_NAME} instead of disable_host_verification ({})",
                self.origin("tls.disable_host_verification")
            ))
        } else {
            step
        }
    }

    fn certificate_failure(
        &self,
        error: &rustls::Error,
        tls: &TlsOptions,
        name: &str,
        roots: &str,
    ) -> Step {
        let detail = match error {
            rustls::Error::InvalidCertificate(Cert::ExpiredContext { not_after, .. }) => format!(
                "the server's certificate expired on {} ({error})",
                validity::date(not_after.as_secs())
            ),
            _ => format!("the server's certificate was refused ({error})"),
        };
        let fix = match error {
            rustls::Error::InvalidCertificate(Cert::UnknownIssuer | Cert::BadSignature) => {
                if tls.server_root_ca_cert.is_some() {
                    format!(
                        "it does not chain to {roots}: configure the CA that issued the server's \
                         certificate as {CA}"
                    )
                } else {
                    format!("the server uses a private CA: configure it as {CA}")
                }
            }
            rustls::Error::InvalidCertificate(
                Cert::NotValidForName | Cert::NotValidForNameContext { .. },
            ) => {
                format!(
                    "the certificate is not for {name:?}: connect with a host name it holds \
                     ({}), or set {SERVER_NAME}",
                    self.origin("address")
                )
            }
            rustls::Error::InvalidCertificate(Cert::Expired | Cert::ExpiredContext { .. }) => {
                String::from(
                    "the server must renew its certificate (or this machine's clock is wrong)",
                )
            }
            rustls::Error::InvalidCertificate(
                Cert::NotValidYet | Cert::NotValidYetContext { .. },
            ) => String::from("check this machine's clock"),
            _ => String::from("the server's certificate must be valid for TLS servers"),
        };
        Step::fail(Check::Tls, detail, fix)
    }
}

/// Whether the server answered the TLS hello with something that is not TLS.
fn is_plaintext_answer(error: &rustls::Error) -> bool {
    matches!(
        error,
        rustls::Error::InvalidMessage(
            InvalidMessage::InvalidContentType | InvalidMessage::UnknownProtocolVersion
        )
    )
}

/// The fix for a handshake that rustls or the server ended.
fn handshake_fix(error: &rustls::Error, context: &ErrorContext) -> String {
    match error {
        rustls::Error::InvalidMessage(
            InvalidMessage::InvalidContentType | InvalidMessage::UnknownProtocolVersion,
        ) => format!("the server answered in plaintext: {TLS_OFF}"),
        rustls::Error::AlertReceived(Alert::CertificateRequired) if !context.client_cert => {
            format!("the server requires mTLS: configure {CLIENT_CERT}")
        }
        rustls::Error::AlertReceived(
            Alert::BadCertificate
            | Alert::UnsupportedCertificate
            | Alert::CertificateRevoked
            | Alert::CertificateExpired
            | Alert::CertificateUnknown
            | Alert::UnknownCA
            | Alert::AccessDenied
            | Alert::CertificateRequired,
        ) => String::from(
            "use a client certificate issued by a CA the server trusts, not expired, allowing \
             client authentication",
        ),
        rustls::Error::AlertReceived(Alert::NoApplicationProtocol) => {
            String::from("the server does not offer HTTP/2 over TLS: check the address")
        }
        _ => String::from("check the TLS settings and that the address is a TLS endpoint"),
    }
}
