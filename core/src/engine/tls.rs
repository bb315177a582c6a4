//! rustls client configuration from [`TlsOptions`].

use std::format;
use std::string::{String, ToString};
use std::sync::Arc;
use std::vec;
use std::vec::Vec;

use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};

use super::verifier::{AdjustedVerifier, CertRecord, Judge};
use crate::config::TlsOptions;
use crate::grpc::{TransportError, TransportErrorKind};

fn tls_error(message: impl Into<String>) -> TransportError {
    TransportError::new(TransportErrorKind::Tls, message)
}

/// Build the client configuration: trusted roots (the configured CA, or the public web
/// roots), mTLS identity, ALPN `h2`, and name checks off only if the options say so.
pub(crate) fn client_config(options: &TlsOptions) -> Result<Arc<ClientConfig>, TransportError> {
    build_config(options, None)
}

/// Like [`client_config`], but accepting any server certificate after recording it and the
/// verdict the real verifier gives in `record`: for the connection doctor, which reports
/// what is wrong with the certificate and goes on to check ALPN and the client certificate.
/// Connections made with it must carry nothing of value.
pub(crate) fn recording_config(
    options: &TlsOptions,
    record: Arc<std::sync::Mutex<CertRecord>>,
) -> Result<Arc<ClientConfig>, TransportError> {
    build_config(options, Some(record))
}

fn build_config(
    options: &TlsOptions,
    record: Option<Arc<std::sync::Mutex<CertRecord>>>,
) -> Result<Arc<ClientConfig>, TransportError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = Arc::new(root_store(options)?);
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(format!("TLS setup failed: {e}")))?;
    let judge = match record {
        Some(record) => Some(Judge::RecordAndAccept(record)),
        None if options.disable_host_verification => Some(Judge::IgnoreName),
        None => None,
    };
    let builder = match judge {
        Some(judge) => {
            let inner = WebPkiServerVerifier::builder_with_provider(roots, provider)
                .build()
                .map_err(|e| tls_error(format!("TLS setup failed: {e}")))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AdjustedVerifier { inner, judge }))
        }
        None => builder.with_root_certificates(roots),
    };
    let mut config = match (&options.client_cert, &options.client_private_key) {
        (None, None) => builder.with_no_client_auth(),
        (Some(_), None) => {
            return Err(tls_error(
                "a client certificate is configured but no client key",
            ))
        }
        (None, Some(_)) => {
            return Err(tls_error(
                "a client key is configured but no client certificate",
            ))
        }
        (Some(cert), Some(key)) => {
            let chain = certificates(cert, "client certificate")?;
            let key = PrivateKeyDer::from_pem_slice(key.expose()).map_err(|e| {
                // Only the error's kind: never any key material.
                tls_error(format!(
                    "client key: no usable PEM private key (PKCS#8, PKCS#1 or SEC1): {e}"
                ))
            })?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| tls_error(format!("client certificate and key: {e}")))?
        }
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(Arc::new(config))
}

/// The configured CA certificates, or the public web roots.
fn root_store(options: &TlsOptions) -> Result<RootCertStore, TransportError> {
    let Some(pem) = &options.server_root_ca_cert else {
        return Ok(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        });
    };
    let mut store = RootCertStore::empty();
    for (index, cert) in certificates(pem, "server CA certificate")?
        .into_iter()
        .enumerate()
    {
        store.add(cert).map_err(|e| {
            tls_error(format!(
                "server CA certificate #{} is not a usable CA: {e}",
                index + 1
            ))
        })?;
    }
    Ok(store)
}

/// Every certificate in a PEM bundle; at least one.
fn certificates(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, TransportError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_error(format!("{what}: invalid PEM: {e}")))?;
    if certs.is_empty() {
        return Err(tls_error(format!("{what}: no PEM CERTIFICATE block found")));
    }
    Ok(certs)
}

/// The warning [`warn_if_insecure`] prints: what is off, what is still checked, and what
/// to do. Names no secret.
pub(crate) fn insecure_warning(host: &str) -> String {
    format!(
        "temporal-lite: WARNING: TLS host name verification is disabled \
         (disable_host_verification) for {host}: the server's certificate must still chain to a \
         trusted CA, but it is accepted whatever name it was issued for, so any server holding a \
         certificate from that CA can impersonate this one. Do not use this in production; set \
         the server name (tls.server_name / TEMPORAL_TLS_SERVER_NAME) instead."
    )
}

/// Print [`insecure_warning`] to stderr, once per process, when `options` turn host name
/// verification off. (The core has no logging framework; stderr is where a user sees it.)
pub(crate) fn warn_if_insecure(options: &TlsOptions, host: &str) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    if options.disable_host_verification {
        WARNED.call_once(|| std::eprintln!("{}", insecure_warning(host)));
    }
}

/// The server name for SNI and verification: the override, or the address host.
pub(crate) fn server_name(
    options: &TlsOptions,
    host: &str,
) -> Result<ServerName<'static>, TransportError> {
    let name = options.domain.as_deref().unwrap_or(host);
    ServerName::try_from(name.to_string())
        .map_err(|_| tls_error(format!("{name:?} is not a valid TLS server name")))
}

#[cfg(test)]
mod tests {
    use crate::config::{PrivateKey, TlsOptions};

    #[test]
    fn the_insecure_warning_explains_and_holds_no_secret() {
        let text = super::insecure_warning("ns.acct.tmprl.cloud");
        for part in [
            "WARNING",
            "disable_host_verification",
            "ns.acct.tmprl.cloud",
            "must still chain to a trusted CA",
            "Do not use this in production",
            "TEMPORAL_TLS_SERVER_NAME",
        ] {
            assert!(text.contains(part), "{text}");
        }
        // Printed at most once per process, and only when asked for.
        let options = TlsOptions {
            client_private_key: Some(PrivateKey::new(b"SECRETKEY".to_vec())),
            disable_host_verification: true,
            ..TlsOptions::default()
        };
        super::warn_if_insecure(&options, "h");
        super::warn_if_insecure(&options, "h");
        super::warn_if_insecure(&TlsOptions::default(), "h");
    }
}
