//! The one custom certificate verifier: the WebPKI verifier's checks, with its verdict on
//! the certificate adjusted (a wrong name accepted, or any verdict recorded and accepted).

use std::sync::{Arc, Mutex};
use std::vec::Vec;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

/// What a [`recording_config`](super::tls::recording_config) saw of the server's
/// certificate.
#[derive(Debug, Default)]
pub(crate) struct CertRecord {
    /// The certificate chain the server presented, leaf first.
    pub(crate) chain: Vec<CertificateDer<'static>>,
    /// What the verifier the client would use said about it (trust roots, name, expiry).
    pub(crate) verdict: Option<Result<(), rustls::Error>>,
}

/// How [`AdjustedVerifier`] turns the WebPKI verdict into its own.
#[derive(Debug)]
pub(crate) enum Judge {
    /// Accept a certificate that chains to a trusted root but was issued for another name
    /// (`disable_host_verification`); every other failure stands.
    IgnoreName,
    /// Record the chain and the verdict, then accept the certificate: for the connection
    /// doctor, which reports what is wrong and goes on to check ALPN and the client
    /// certificate. Connections made with it must carry nothing of value.
    RecordAndAccept(Arc<Mutex<CertRecord>>),
}

/// The WebPKI verifier (`inner`) with its certificate verdict adjusted by `judge`.
/// Signatures are always `inner`'s, so the handshake still proves the server holds the key
/// of the certificate it showed.
#[derive(Debug)]
pub(crate) struct AdjustedVerifier {
    pub(crate) inner: Arc<WebPkiServerVerifier>,
    pub(crate) judge: Judge,
}

impl ServerCertVerifier for AdjustedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        match &self.judge {
            Judge::IgnoreName => match verdict {
                Err(rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. },
                )) => Ok(ServerCertVerified::assertion()),
                other => other,
            },
            Judge::RecordAndAccept(record) => {
                let mut record = record.lock().unwrap_or_else(|p| p.into_inner());
                record.chain = std::iter::once(end_entity)
                    .chain(intermediates)
                    .map(|c| c.clone().into_owned())
                    .collect();
                record.verdict = Some(verdict.map(|_| ()));
                Ok(ServerCertVerified::assertion())
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}
