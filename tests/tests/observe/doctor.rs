//! The connection doctor against real fronts: a good connection passes every check, and
//! each misconfiguration fails the right check with a fix that names what to change.

use temporal_lite_core::config::{ConnectOptions, PrivateKey};
use temporal_lite_core::engine::doctor::{Check, Report, Verdict};
use temporal_lite_tests::certs::shared_pki;
use temporal_lite_tests::tls_front::{shared_api_key, MISSING_CERT_MESSAGE, WRONG_KEY_MESSAGE};
use temporal_lite_tests::{shared_api_key_front, shared_env, shared_mtls_front, unique_id};

use crate::Rt;

/// The report, printed (so a failing test shows it), after checking it holds no secret.
fn show(report: &Report) -> String {
    let text = report.to_string();
    println!("{text}");
    assert!(
        !text.contains(shared_api_key()),
        "API key in the report: {text}"
    );
    assert!(
        !text.contains("wrong-key-SECRET"),
        "API key in the report: {text}"
    );
    let pki = &shared_pki().pki;
    for key in [&pki.client.key_pem, &pki.rogue_client.key_pem] {
        for line in key.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!text.contains(line), "private key in the report: {text}");
        }
    }
    text
}

/// Every check before `failed` passed (or did not apply), `failed` failed with words
/// `detail` and `fix`, and every later check was skipped.
fn assert_fails_at(report: &Report, failed: Check, detail: &[&str], fix: &[&str]) {
    let text = show(report);
    let mut seen = false;
    for step in &report.steps {
        if step.check == failed {
            seen = true;
            assert_eq!(step.verdict, Verdict::Fail, "{text}");
            for word in detail {
                assert!(
                    step.detail.contains(word),
                    "{word:?} not in the detail:\n{text}"
                );
            }
            let got = step.fix.as_deref().unwrap_or_default();
            for word in fix {
                assert!(got.contains(word), "{word:?} not in the fix:\n{text}");
            }
        } else if seen {
            assert_eq!(step.verdict, Verdict::Skip, "{text}");
        } else {
            assert!(
                matches!(step.verdict, Verdict::Pass | Verdict::Skip),
                "{:?} before the failure:\n{text}",
                step.check
            );
        }
    }
    assert!(seen, "no {failed:?} step:\n{text}");
    assert_eq!(
        report.first_failure().map(|s| s.check),
        Some(failed),
        "{text}"
    );
}

fn assert_passes(report: &Report, tls: bool) {
    let text = show(report);
    assert!(report.passed(), "{text}");
    for check in [
        Check::Config,
        Check::Address,
        Check::Dns,
        Check::Tcp,
        Check::Auth,
        Check::Grpc,
        Check::Namespace,
        Check::Server,
    ] {
        let step = report.step(check).expect("every check is reported");
        assert_eq!(step.verdict, Verdict::Pass, "{check:?}:\n{text}");
    }
    let tls_step = report.step(Check::Tls).expect("tls");
    let expected = if tls { Verdict::Pass } else { Verdict::Skip };
    assert_eq!(tls_step.verdict, expected, "{text}");
    assert!(text.contains("where each setting came from"), "{text}");
    assert!(text.contains("Temporal server 1."), "{text}");
}

pub(crate) async fn good_connections_pass_every_check(rt: Rt) {
    let plain = rt
        .diagnose(&ConnectOptions::new(shared_env().address()))
        .await;
    assert_passes(&plain, false);
    let mtls = rt.diagnose(&shared_mtls_front().connect_options()).await;
    assert_passes(&mtls, true);
    let step = mtls.step(Check::Tls).unwrap();
    assert!(step.detail.contains("ALPN h2"), "{}", step.detail);
    assert!(step.detail.contains("the configured CA"), "{}", step.detail);
    assert!(
        mtls.step(Check::Auth)
            .unwrap()
            .detail
            .contains("client certificate"),
        "{mtls}"
    );
    let api_key = rt.diagnose(&shared_api_key_front().connect_options()).await;
    assert_passes(&api_key, true);
    assert!(
        api_key
            .step(Check::Auth)
            .unwrap()
            .detail
            .contains("API key"),
        "{api_key}"
    );
}

pub(crate) async fn wrong_ca(rt: Rt) {
    let front = shared_mtls_front();
    let mut options = front.connect_options();
    if let Some(tls) = options.tls.as_mut() {
        tls.server_root_ca_cert = Some(shared_pki().pki.rogue_ca_pem.clone().into_bytes());
    }
    let report = rt.diagnose(&options).await;
    assert_fails_at(
        &report,
        Check::Tls,
        &["UnknownIssuer"],
        &["does not chain", "server CA certificate"],
    );
}

pub(crate) async fn no_client_certificate(rt: Rt) {
    let front = shared_mtls_front();
    let options = ConnectOptions::new(front.address()).tls(front.server_tls_options());
    let report = rt.diagnose(&options).await;
    assert_fails_at(
        &report,
        Check::Auth,
        &[MISSING_CERT_MESSAGE],
        &[
            "requires a client certificate",
            "TEMPORAL_TLS_CLIENT_CERT_PATH",
        ],
    );
}

pub(crate) async fn rogue_client_certificate(rt: Rt) {
    let front = shared_mtls_front();
    let pki = &shared_pki().pki;
    let mut tls = front.server_tls_options();
    tls.client_cert = Some(pki.rogue_client.cert_pem.clone().into_bytes());
    tls.client_private_key = Some(PrivateKey::new(
        pki.rogue_client.key_pem.clone().into_bytes(),
    ));
    let options = ConnectOptions::new(front.address()).tls(tls);
    let report = rt.diagnose(&options).await;
    assert_fails_at(
        &report,
        Check::Auth,
        &["client certificate rejected"],
        &[
            "does not trust the client certificate",
            "tls.client_cert from code",
        ],
    );
}

pub(crate) async fn wrong_api_key(rt: Rt) {
    let front = shared_api_key_front();
    let options = ConnectOptions::new(front.address())
        .tls(front.server_tls_options())
        .api_key("wrong-key-SECRET");
    let report = rt.diagnose(&options).await;
    assert_fails_at(
        &report,
        Check::Auth,
        &[WRONG_KEY_MESSAGE],
        &["the API key", "api_key from code", "set a valid one"],
    );
}

pub(crate) async fn plaintext_to_a_tls_port(rt: Rt) {
    let front = shared_mtls_front();
    let report = rt.diagnose(&ConnectOptions::new(front.address())).await;
    assert_fails_at(
        &report,
        Check::Grpc,
        &["HTTP/1"],
        &["the server speaks TLS", "turn TLS on", "TEMPORAL_TLS=true"],
    );
}

pub(crate) async fn tls_to_a_plaintext_port(rt: Rt) {
    let front = shared_mtls_front();
    let options = ConnectOptions::new(shared_env().address()).tls(front.server_tls_options());
    let report = rt.diagnose(&options).await;
    assert_fails_at(
        &report,
        Check::Tls,
        &["InvalidContentType"],
        &[
            "answered in plaintext",
            "turn TLS off",
            "TEMPORAL_TLS=false",
        ],
    );
}

pub(crate) async fn wrong_namespace(rt: Rt) {
    let namespace = unique_id("no-such-namespace");
    let options = ConnectOptions::new(shared_env().address()).namespace(namespace.clone());
    let report = rt.diagnose(&options).await;
    assert_fails_at(
        &report,
        Check::Namespace,
        &[&namespace, "does not exist"],
        &["namespace from code", "temporal operator namespace list"],
    );
}

pub(crate) async fn unresolvable_host(rt: Rt) {
    let report = rt
        .diagnose(&ConnectOptions::new("no-such-host.invalid:7233"))
        .await;
    assert_fails_at(
        &report,
        Check::Dns,
        &["cannot resolve \"no-such-host.invalid\""],
        &["check the host name", "address from code"],
    );
}

pub(crate) async fn refused_port(rt: Rt) {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let report = rt
        .diagnose(&ConnectOptions::new(format!("127.0.0.1:{port}")))
        .await;
    assert_fails_at(
        &report,
        Check::Tcp,
        &["refused"],
        &[
            &format!("nothing listens on port {port}"),
            "is the server running",
        ],
    );
}

/// A TLS server in this process (rustls, ALPN h2) with `server`'s certificate, answering
/// every call with an empty message.
fn tls_mock(
    server: &temporal_lite_tests::certs::CertKey,
) -> temporal_lite_tests::mock_server::MockServer {
    use std::sync::Arc;
    use temporal_lite_tests::mock_server::{MockServer, Reply};
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = CertificateDer::pem_slice_iter(server.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("server chain");
    let key = PrivateKeyDer::from_pem_slice(server.key_pem.as_bytes()).expect("server key");
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server config");
    config.alpn_protocols = vec![b"h2".to_vec()];
    let config = Arc::new(config);
    // Started on a runtime of its own, from a plain thread: the caller may be inside another.
    std::thread::spawn(move || {
        let runtime = Box::leak(Box::new(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("server runtime"),
        ));
        runtime.block_on(
            MockServer::builder()
                .tls(config)
                .start(|_| Reply::unary(&b""[..])),
        )
    })
    .join()
    .expect("mock server thread")
}

pub(crate) async fn expired_server_certificate(rt: Rt) {
    let server = tls_mock(&shared_pki().pki.server_expired);
    let tls = shared_mtls_front().server_tls_options();
    let options = ConnectOptions::new(server.address_string()).tls(tls);
    let report = rt.diagnose(&options).await;
    assert_fails_at(
        &report,
        Check::Tls,
        &["the server's certificate expired on 2021-01-01"],
        &["the server must renew its certificate"],
    );
}
