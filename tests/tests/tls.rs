//! Temporal Cloud connectivity against real TLS fronts: nginx (mTLS and API-key modes) before
//! a real dev server, plus in-process rustls servers for what nginx cannot show (an expired
//! certificate, a rejection at the TLS layer), on both runtime adapters.
//!
//! Every failure mode a user can hit has a test asserting its kind and the words that tell
//! the user what to change, and that no secret (API key, private key) is in any message.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use temporal_lite_async_std::AsyncStdRuntime;
use temporal_lite_core::client::{Client, Error, RpcOptions, StartWorkflowOptions};
use temporal_lite_core::config::{
    load_profile, ClientConfigProfile, ConfigError, ConfigSource, ConnectOptions, EnvVars,
    ErrorCategory, LoadProfileOptions, PrivateKey, StdFiles, TlsOptions,
};
use temporal_lite_core::grpc::{Transport, TransportError, TransportErrorKind};
use temporal_lite_core::time::Clock;
use temporal_lite_tests::certs::{files, shared_pki, CertKey, PkiFiles};
use temporal_lite_tests::mock_server::{tls_server_config, MockServer, Reply};
use temporal_lite_tests::tls_front::{
    shared_api_key, FrontAuth, MISSING_CERT_MESSAGE, MISSING_KEY_MESSAGE, REJECTED_CERT_MESSAGE,
    WRONG_KEY_MESSAGE,
};
use temporal_lite_tests::{
    shared_api_key_front, shared_env, shared_mtls_front, unique_id, NginxFront,
};
use temporal_lite_tokio::TokioRuntime;
use tokio_rustls::rustls;

// ---------------------------------------------------------------------------------------
// Runtimes

type TransportAndClock = (Arc<dyn Transport>, Arc<dyn Clock>);

#[path = "common/rt.rs"]
mod rt;
use rt::Rt;

impl Rt {
    /// A transport and a clock for `options` on this runtime (call inside `block_on`).
    fn transport(self, options: &ConnectOptions) -> Result<TransportAndClock, TransportError> {
        match self {
            Rt::Tokio => {
                let runtime = TokioRuntime::try_current().expect("inside tokio");
                let transport = temporal_lite_tokio::transport_with(runtime.clone(), options)?;
                Ok((transport, Arc::new(runtime)))
            }
            Rt::AsyncStd => {
                let runtime = AsyncStdRuntime::new();
                let transport = temporal_lite_async_std::transport_with(runtime, options)?;
                Ok((transport, Arc::new(runtime)))
            }
        }
    }

    /// A client that makes no call yet and never retries: for errors that would otherwise
    /// be retried until the deadline (once a server was reached).
    fn client_without_retries(self, options: ConnectOptions) -> Result<Client, Error> {
        let (transport, clock) = self.transport(&options)?;
        let mut rpc = RpcOptions::default();
        rpc.retry.max_attempts = Some(1);
        Ok(Client::new(transport, clock, options).with_rpc_options(rpc))
    }
}

/// The same checks as `#[test]`s for each runtime: `tokio::NAME` and `async_std::NAME`.
macro_rules! on_both_runtimes {
    ($($name:ident),* $(,)?) => {
        mod tokio_rt {
            $(#[test] fn $name() { super::Rt::Tokio.block_on(super::$name(super::Rt::Tokio)) })*
        }
        mod async_std_rt {
            $(#[test] fn $name() { super::Rt::AsyncStd.block_on(super::$name(super::Rt::AsyncStd)) })*
        }
    };
}

on_both_runtimes!(
    client_flow_through_mtls_front,
    client_flow_through_api_key_front,
    every_key_format_and_a_chain_through_mtls_front,
    api_key_is_replaced_on_a_live_client_without_reconnecting,
    api_key_turns_tls_on_and_public_roots_reject_a_private_ca,
    server_cert_from_an_unknown_ca,
    hostname_mismatch_then_disabled_host_verification,
    expired_server_certificate,
    missing_client_certificate,
    client_certificate_rejected,
    plaintext_client_to_a_tls_port,
    tls_client_to_a_plaintext_port,
    seed_staging_profile_with_an_api_key,
    seed_mtls_profile_with_cert_and_key_paths,
    seed_cloud_environment_variables,
);

// ---------------------------------------------------------------------------------------
// Helpers

/// Mock servers run on a tokio runtime of their own, whichever runtime the client uses.
fn server_runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("server runtime")
    })
}

fn pki() -> &'static PkiFiles {
    shared_pki()
}

fn path_str(path: &Path) -> String {
    path.to_str().expect("UTF-8 test path").to_string()
}

/// Every secret a message could leak: the API keys in use and the base64 bodies of every
/// private key of the test PKI.
fn assert_secret_free(text: &str) {
    assert!(!text.contains(shared_api_key()), "API key leaked: {text}");
    assert!(!text.contains("wrong-key-SECRET"), "API key leaked: {text}");
    let p = &pki().pki;
    for key in [
        &p.client.key_pem,
        &p.client_sec1_key_pem,
        &p.client_rsa_pkcs1.key_pem,
        &p.client_chain.key_pem,
        &p.rogue_client.key_pem,
        &p.server.key_pem,
    ] {
        for line in key.lines().filter(|l| !l.starts_with("-----")) {
            assert!(!text.contains(line), "private key material leaked: {text}");
        }
    }
}

fn assert_contains(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{text:?}\n  should contain {part:?}");
    }
    assert_secret_free(text);
}

/// The transport error inside `error` (which must be one), after checking its kind and the
/// words of its message and of the client error's `Display`.
fn assert_transport(error: &Error, kind: TransportErrorKind, parts: &[&str]) {
    let Error::Transport(transport) = error else {
        panic!("expected a transport error, got {error:?}: {error}");
    };
    assert_eq!(transport.kind(), kind, "{error}");
    assert_contains(&error.to_string(), parts);
    assert_secret_free(&format!("{error:?}"));
}

fn assert_unauthenticated(error: &Error, message: &str) {
    let Error::Unauthenticated { message: got } = error else {
        panic!("expected Unauthenticated, got {error:?}: {error}");
    };
    assert!(
        got.starts_with(message),
        "{got:?} should start with {message:?}"
    );
    assert_contains(
        &error.to_string(),
        &["unauthenticated", "check the API key or client certificate"],
    );
}

fn expect_err<T>(result: Result<T, Error>, what: &str) -> Error {
    match result {
        Ok(_) => panic!("{what}: expected an error"),
        Err(error) => error,
    }
}

fn mtls_options(front: &NginxFront, cert_pem: &str, key_pem: &str) -> ConnectOptions {
    let mut tls = front.server_tls_options();
    tls.client_cert = Some(cert_pem.as_bytes().to_vec());
    tls.client_private_key = Some(PrivateKey::new(key_pem.as_bytes().to_vec()));
    ConnectOptions::new(front.address()).tls(tls)
}

/// Start, describe, history and result of an `Echo` workflow.
async fn client_flow(client: &Client, what: &str) {
    let env = shared_env();
    let id = unique_id(what);
    let handle = client
        .start_workflow(
            "Echo",
            ("through the front",),
            StartWorkflowOptions::new(id.clone(), env.task_queue()),
        )
        .await
        .expect("start");
    let result: String = handle.result().await.expect("result");
    assert_eq!(result, "through the front");
    let description = handle.describe().await.expect("describe");
    assert_eq!(description.info.workflow_id, id);
    let history = handle.fetch_history().await.expect("history");
    assert!(history.len() >= 5, "{} events", history.len());
}

/// A TLS server in this process (rustls) answering every call with an empty message.
fn tls_mock(server: &CertKey, client_ca: Option<&str>) -> MockServer {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_slice_iter(server.cert_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("server chain");
    let key = PrivateKeyDer::from_pem_slice(server.key_pem.as_bytes()).expect("server key");
    let config = Arc::new(tls_server_config(chain, key, client_ca));
    // Started from a plain thread: the caller may be inside another tokio runtime.
    std::thread::spawn(move || {
        server_runtime().block_on(
            MockServer::builder()
                .tls(config)
                .start(|_| Reply::unary(&b""[..])),
        )
    })
    .join()
    .expect("mock server thread")
}

// ---------------------------------------------------------------------------------------
// The client through the fronts

async fn client_flow_through_mtls_front(rt: Rt) {
    let front = shared_mtls_front();
    let client = rt.connect(front.connect_options()).await.expect("connect");
    client_flow(&client, "mtls-flow").await;
}

async fn client_flow_through_api_key_front(rt: Rt) {
    let front = shared_api_key_front();
    let options = front.connect_options();
    assert!(options.tls.is_some(), "an API key turns TLS on");
    let client = rt.connect(options).await.expect("connect");
    client_flow(&client, "api-key-flow").await;
    assert_secret_free(&format!("{client:?}"));
}

async fn every_key_format_and_a_chain_through_mtls_front(rt: Rt) {
    let front = shared_mtls_front();
    let p = &front.pki().pki;
    let cases = [
        (
            "EC key, PKCS#8",
            &p.client.cert_pem,
            &p.client.key_pem,
            "BEGIN PRIVATE KEY",
        ),
        (
            "EC key, SEC1",
            &p.client.cert_pem,
            &p.client_sec1_key_pem,
            "BEGIN EC PRIVATE KEY",
        ),
        (
            "RSA key, PKCS#1",
            &p.client_rsa_pkcs1.cert_pem,
            &p.client_rsa_pkcs1.key_pem,
            "BEGIN RSA PRIVATE KEY",
        ),
        (
            "leaf + intermediate chain",
            &p.client_chain.cert_pem,
            &p.client_chain.key_pem,
            "BEGIN PRIVATE KEY",
        ),
    ];
    for (what, cert, key, label) in cases {
        assert!(key.contains(label), "{what}: the test key is not {label}");
        let client = rt
            .connect(mtls_options(front, cert, key))
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        client
            .count_workflows("")
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
    }
    // The chain really needs its intermediate: the leaf alone is rejected.
    let leaf_only: String = p
        .client_chain
        .cert_pem
        .split_inclusive("-----END CERTIFICATE-----\n")
        .next()
        .unwrap_or_default()
        .to_string();
    let error = expect_err(
        rt.connect(mtls_options(front, &leaf_only, &p.client_chain.key_pem))
            .await,
        "leaf without its intermediate",
    );
    assert_unauthenticated(&error, REJECTED_CERT_MESSAGE);
}

async fn api_key_is_replaced_on_a_live_client_without_reconnecting(rt: Rt) {
    // A front of its own, so that its access log holds only this test's calls.
    let key = format!("{}-live", shared_api_key());
    let front = NginxFront::api_key(shared_env().address(), key.clone());
    let options = front.connect_options().api_key("wrong-key-SECRET");
    let client = rt.client_without_retries(options).expect("client");

    let wrong = expect_err(client.get_system_info().await, "wrong key");
    assert_unauthenticated(&wrong, WRONG_KEY_MESSAGE);
    client.set_api_key(None).expect("remove the key");
    let missing = expect_err(client.get_system_info().await, "no key");
    assert_unauthenticated(&missing, MISSING_KEY_MESSAGE);
    client.set_api_key(Some(key.clone())).expect("set the key");
    client.get_system_info().await.expect("the right key works");
    // A clone shares the key.
    client.clone().count_workflows("").await.expect("clone");

    // nginx numbers connections: the four calls used one.
    let deadline = Instant::now() + Duration::from_secs(3);
    let connections = loop {
        let connections = front.logged_connections();
        if connections.len() >= 4 || Instant::now() > deadline {
            break connections;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(connections.len(), 4, "{}", front.access_log());
    assert!(
        connections.iter().all(|c| *c == connections[0]),
        "calls used several connections:\n{}",
        front.access_log()
    );
    let log = front.access_log() + &front.error_log();
    assert!(!log.contains(&key), "nginx logged the key");
}

async fn api_key_turns_tls_on_and_public_roots_reject_a_private_ca(rt: Rt) {
    let front = shared_api_key_front();
    // As a Cloud user would write it: address and key, nothing about TLS.
    let options = ConnectOptions::new(front.address()).api_key(shared_api_key());
    let error = expect_err(rt.connect(options).await, "web roots vs test CA");
    assert_transport(
        &error,
        TransportErrorKind::Tls,
        &[
            "TLS handshake with",
            "not issued by a publicly trusted CA",
            "UnknownIssuer",
            "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
        ],
    );
    // Explicitly disabled TLS stays off, even with a key: this front then says it wants TLS.
    let options = ConnectOptions::new(front.address())
        .api_key(shared_api_key())
        .plaintext();
    let error = expect_err(
        rt.client_without_retries(options)
            .expect("client")
            .get_system_info()
            .await,
        "plaintext with a key",
    );
    assert_transport(
        &error,
        TransportErrorKind::Protocol,
        &["answered in HTTP/1", "If it is a TLS endpoint"],
    );
}

// ---------------------------------------------------------------------------------------
// Failure modes

async fn server_cert_from_an_unknown_ca(rt: Rt) {
    let front = shared_mtls_front();
    let mut options = front.connect_options();
    if let Some(tls) = options.tls.as_mut() {
        tls.server_root_ca_cert = Some(pki().pki.rogue_ca_pem.clone().into_bytes());
    }
    let error = expect_err(rt.connect(options).await, "rogue CA");
    assert_transport(
        &error,
        TransportErrorKind::Tls,
        &[
            "was not issued by the configured server CA certificate",
            "UnknownIssuer",
            "check that the server CA certificate",
        ],
    );
}

async fn hostname_mismatch_then_disabled_host_verification(rt: Rt) {
    let front = shared_mtls_front();
    let mut options = front.connect_options();
    if let Some(tls) = options.tls.as_mut() {
        tls.domain = Some("wrong.example".into());
    }
    let error = expect_err(rt.connect(options.clone()).await, "name mismatch");
    assert_transport(
        &error,
        TransportErrorKind::Tls,
        &[
            "does not match the name this client expects",
            "\"wrong.example\"",
            "localhost",
            "TEMPORAL_TLS_SERVER_NAME",
        ],
    );
    // Only an explicit setting accepts the wrong name (the chain is still checked).
    if let Some(tls) = options.tls.as_mut() {
        tls.disable_host_verification = true;
    }
    rt.connect(options.clone())
        .await
        .expect("disable_host_verification accepts the name");
    if let Some(tls) = options.tls.as_mut() {
        tls.server_root_ca_cert = Some(pki().pki.rogue_ca_pem.clone().into_bytes());
    }
    let error = expect_err(rt.connect(options).await, "chain still checked");
    assert_transport(&error, TransportErrorKind::Tls, &["UnknownIssuer"]);
}

async fn expired_server_certificate(rt: Rt) {
    let server = tls_mock(&pki().pki.server_expired, None);
    let tls = TlsOptions {
        server_root_ca_cert: Some(pki().pki.ca_pem.clone().into_bytes()),
        ..TlsOptions::default()
    };
    let options = ConnectOptions::new(server.address_string()).tls(tls);
    let error = expect_err(rt.connect(options).await, "expired");
    assert_transport(
        &error,
        TransportErrorKind::Tls,
        &[
            "the server's certificate has expired",
            "the server must renew it",
        ],
    );
}

async fn missing_client_certificate(rt: Rt) {
    // nginx completes the handshake and answers UNAUTHENTICATED.
    let front = shared_mtls_front();
    let options = ConnectOptions::new(front.address()).tls(front.server_tls_options());
    let error = expect_err(rt.connect(options).await, "nginx without client cert");
    assert_unauthenticated(&error, MISSING_CERT_MESSAGE);

    // A server that enforces mTLS in the handshake itself sends a TLS alert instead.
    let server = tls_mock(&pki().pki.server, Some(&pki().pki.ca_pem));
    let tls = TlsOptions {
        server_root_ca_cert: Some(pki().pki.ca_pem.clone().into_bytes()),
        ..TlsOptions::default()
    };
    let options = ConnectOptions::new(server.address_string()).tls(tls);
    let error = expect_err(rt.connect(options).await, "rustls without client cert");
    assert_transport(
        &error,
        TransportErrorKind::Tls,
        &[
            "the server requires a client certificate (mTLS) and none is configured",
            "CertificateRequired",
            "TEMPORAL_TLS_CLIENT_CERT_PATH",
        ],
    );
}

async fn client_certificate_rejected(rt: Rt) {
    let p = &pki().pki;
    let front = shared_mtls_front();
    let options = mtls_options(front, &p.rogue_client.cert_pem, &p.rogue_client.key_pem);
    let error = expect_err(rt.connect(options).await, "nginx, rogue client cert");
    assert_unauthenticated(&error, REJECTED_CERT_MESSAGE);
    let Error::Unauthenticated { message } = &error else {
        unreachable!()
    };
    assert!(message.contains("FAILED"), "{message}");

    let server = tls_mock(&p.server, Some(&p.ca_pem));
    let mut tls = TlsOptions {
        server_root_ca_cert: Some(p.ca_pem.clone().into_bytes()),
        ..TlsOptions::default()
    };
    tls.client_cert = Some(p.rogue_client.cert_pem.clone().into_bytes());
    tls.client_private_key = Some(PrivateKey::new(p.rogue_client.key_pem.clone().into_bytes()));
    let options = ConnectOptions::new(server.address_string()).tls(tls);
    let error = expect_err(rt.connect(options).await, "rustls, rogue client cert");
    assert_transport(
        &error,
        TransportErrorKind::Tls,
        &[
            "the server rejected this client's certificate",
            "issued by a CA the server trusts",
        ],
    );
}

async fn plaintext_client_to_a_tls_port(rt: Rt) {
    // nginx answers a plaintext HTTP/2 preface on its TLS port with an HTTP/1 400.
    let front = shared_mtls_front();
    let error = expect_err(
        rt.connect(ConnectOptions::new(front.address())).await,
        "plaintext to nginx",
    );
    assert_transport(
        &error,
        TransportErrorKind::Protocol,
        &[
            "answered in HTTP/1 (\"HTTP/1.1 400 Bad Request\", server nginx",
            "not HTTP/2",
            "If it is a TLS endpoint",
            "TEMPORAL_TLS=true",
        ],
    );

    // rustls answers with a TLS alert record.
    let server = tls_mock(&pki().pki.server, None);
    let error = expect_err(
        rt.connect(ConnectOptions::new(server.address_string()))
            .await,
        "plaintext to rustls",
    );
    assert_transport(
        &error,
        TransportErrorKind::Tls,
        &["requires TLS", "with a TLS record"],
    );

    // Some TLS servers close without a word: nothing in that says TLS, so the error says
    // what happened (a close before HTTP/2 setup), the same kind as any failed connect, and
    // guesses nothing.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    std::thread::spawn(move || {
        for mut stream in listener.incoming().take(4).flatten() {
            let mut buf = [0u8; 64];
            let _ = std::io::Read::read(&mut stream, &mut buf);
        }
    });
    let client = rt
        .client_without_retries(ConnectOptions::new(address.to_string()))
        .expect("client");
    let error = expect_err(client.get_system_info().await, "silent close");
    // (Closed with unread bytes, the socket sends a reset: either way the same kind.)
    assert_transport(
        &error,
        TransportErrorKind::Connect,
        &["the connection", "before HTTP/2 setup completed"],
    );
    assert!(!error.to_string().contains("TLS"), "{error}");
}

async fn tls_client_to_a_plaintext_port(rt: Rt) {
    // The dev server itself is plaintext.
    let options = ConnectOptions::new(shared_env().address()).tls(pki_tls_options_without_client());
    let error = expect_err(rt.connect(options).await, "TLS to plaintext");
    assert_transport(
        &error,
        TransportErrorKind::Tls,
        &[
            "the server did not answer with TLS",
            "is TLS enabled on the server?",
            "TEMPORAL_TLS=false",
        ],
    );
}

fn pki_tls_options_without_client() -> TlsOptions {
    TlsOptions {
        server_root_ca_cert: Some(pki().pki.ca_pem.clone().into_bytes()),
        ..TlsOptions::default()
    }
}

// ---------------------------------------------------------------------------------------
// The seeds' configuration examples

/// The `staging` profile of the seeds, as written, with a Temporal Cloud API key.
const SEED_STAGING: &str = r#"
[profile.default]
address = "localhost:7233"
namespace = "default"

[profile.staging]
address = "my-namespace.a1b2c.tmprl.cloud:7233"
namespace = "my-namespace.a1b2c"
api_key = "my-api-key"
"#;

/// The mTLS profile of the seeds, as written.
const SEED_MTLS: &str = r#"
[profile.prod]
address = "my-namespace.a1b2c.tmprl.cloud:7233"
namespace = "my-namespace.a1b2c"

[profile.prod.tls]
client_cert_path = "/path/to/client.pem"
client_key_path = "/path/to/client.key"
"#;

/// Load `profile` from the TOML text `toml` with exactly the variables `env`.
fn load(
    toml: &str,
    profile: &str,
    env: &[(&str, String)],
) -> Result<ClientConfigProfile, ConfigError> {
    let env: EnvVars = env.iter().map(|(k, v)| (*k, v.clone())).collect();
    let options = LoadProfileOptions::new()
        .config_source(ConfigSource::Data(toml.as_bytes().to_vec()))
        .profile(profile);
    load_profile(&options, &env, &StdFiles::with_default_path(None))
}

fn to_options(profile: &ClientConfigProfile) -> Result<ConnectOptions, ConfigError> {
    profile.to_connect_options(&StdFiles::with_default_path(None))
}

/// The test fronts use a private CA named `localhost`; Temporal Cloud needs neither.
fn test_ca_env() -> Vec<(&'static str, String)> {
    vec![
        (
            "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
            path_str(&pki().path(files::CA)),
        ),
        ("TEMPORAL_TLS_SERVER_NAME", "localhost".to_string()),
    ]
}

async fn seed_staging_profile_with_an_api_key(rt: Rt) {
    // As written: Cloud address and namespace, the key, TLS on with the public roots.
    let options = to_options(&load(SEED_STAGING, "staging", &[]).expect("load")).expect("options");
    assert_eq!(options.address, "my-namespace.a1b2c.tmprl.cloud:7233");
    assert_eq!(options.namespace, "my-namespace.a1b2c");
    assert_eq!(
        options.api_key.as_ref().map(|k| k.expose()),
        Some("my-api-key")
    );
    let tls = options.tls.as_ref().expect("TLS on with an API key");
    assert_eq!(tls, &TlsOptions::default());
    assert!(!format!("{options:?}").contains("my-api-key"));

    // Against the API-key front: the same text with the front's address and key.
    let front = shared_api_key_front();
    let toml = SEED_STAGING
        .replace("my-namespace.a1b2c.tmprl.cloud:7233", &front.address())
        .replace("my-namespace.a1b2c", "default")
        .replace("my-api-key", shared_api_key());
    let options =
        to_options(&load(&toml, "staging", &test_ca_env()).expect("load")).expect("options");
    let client = rt
        .connect(options)
        .await
        .expect("connect with the staging profile");
    client.count_workflows("").await.expect("a namespaced call");

    // A wrong key in the profile: UNAUTHENTICATED.
    let bad = toml.replace(shared_api_key(), "wrong-key-SECRET");
    let options =
        to_options(&load(&bad, "staging", &test_ca_env()).expect("load")).expect("options");
    let error = expect_err(rt.connect(options).await, "wrong key");
    assert_unauthenticated(&error, WRONG_KEY_MESSAGE);

    // TLS explicitly disabled stays off with a key.
    let disabled = format!("{toml}\n[profile.staging.tls]\ndisabled = true\n");
    let options = to_options(&load(&disabled, "staging", &[]).expect("load")).expect("options");
    assert!(options.tls.is_none());
    let env = [("TEMPORAL_TLS", "false".to_string())];
    let options = to_options(&load(&toml, "staging", &env).expect("load")).expect("options");
    assert!(options.tls.is_none());
}

async fn seed_mtls_profile_with_cert_and_key_paths(rt: Rt) {
    let options = load(SEED_MTLS, "prod", &[]).expect("load");
    // As written, the paths do not exist here: the error names the file and the setting.
    let error = to_options(&options).expect_err("no such file");
    assert_eq!(error.category(), ErrorCategory::CertFileReadError);
    assert_eq!(error.file(), Some("/path/to/client.pem"));
    assert_contains(
        &error.to_string(),
        &[
            "/path/to/client.pem",
            "tls.client_cert_path",
            "no such file",
        ],
    );

    // With the test client's files at those places, through the mTLS front.
    let front = shared_mtls_front();
    let toml = SEED_MTLS
        .replace("my-namespace.a1b2c.tmprl.cloud:7233", &front.address())
        .replace("my-namespace.a1b2c", "default")
        .replace(
            "/path/to/client.pem",
            &path_str(&pki().path(files::CLIENT_CERT)),
        )
        .replace(
            "/path/to/client.key",
            &path_str(&pki().path(files::CLIENT_KEY)),
        );
    let options = to_options(&load(&toml, "prod", &test_ca_env()).expect("load")).expect("options");
    assert!(
        !format!("{options:?}").contains(pki().pki.client.key_pem.lines().nth(1).unwrap_or("-"))
    );
    let client = rt
        .connect(options)
        .await
        .expect("connect with the mTLS profile");
    client.count_workflows("").await.expect("a namespaced call");

    // Every key format from files too.
    for (cert, key) in [
        (files::CLIENT_CERT, files::CLIENT_SEC1_KEY),
        (files::CLIENT_RSA_CERT, files::CLIENT_RSA_KEY),
        (files::CLIENT_CHAIN_CERT, files::CLIENT_CHAIN_KEY),
    ] {
        let toml = toml
            .replace(
                &path_str(&pki().path(files::CLIENT_CERT)),
                &path_str(&pki().path(cert)),
            )
            .replace(
                &path_str(&pki().path(files::CLIENT_KEY)),
                &path_str(&pki().path(key)),
            );
        let options =
            to_options(&load(&toml, "prod", &test_ca_env()).expect("load")).expect("options");
        rt.connect(options)
            .await
            .unwrap_or_else(|e| panic!("{cert} + {key}: {e}"));
    }
}

async fn seed_cloud_environment_variables(rt: Rt) {
    // API key: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, no file at all.
    let front = shared_api_key_front();
    let mut env = vec![
        ("TEMPORAL_ADDRESS", front.address()),
        ("TEMPORAL_NAMESPACE", "default".to_string()),
        ("TEMPORAL_API_KEY", shared_api_key().to_string()),
    ];
    env.extend(test_ca_env());
    let env_vars: EnvVars = env.iter().map(|(k, v)| (*k, v.clone())).collect();
    let files = StdFiles::with_default_path(None);
    let profile = load_profile(&LoadProfileOptions::new(), &env_vars, &files).expect("load");
    let options = profile.to_connect_options(&files).expect("options");
    assert_secret_free(&format!("{profile:?} {options:?} {env_vars:?}"));
    rt.connect(options)
        .await
        .expect("connect with API-key variables");

    // mTLS: TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH.
    let front = shared_mtls_front();
    let mut env = vec![
        ("TEMPORAL_ADDRESS", front.address()),
        ("TEMPORAL_NAMESPACE", "default".to_string()),
        (
            "TEMPORAL_TLS_CLIENT_CERT_PATH",
            path_str(&pki().path(files::CLIENT_CERT)),
        ),
        (
            "TEMPORAL_TLS_CLIENT_KEY_PATH",
            path_str(&pki().path(files::CLIENT_KEY)),
        ),
    ];
    env.extend(test_ca_env());
    let env_vars: EnvVars = env.iter().map(|(k, v)| (*k, v.clone())).collect();
    let profile = load_profile(&LoadProfileOptions::new(), &env_vars, &files).expect("load");
    let options = profile.to_connect_options(&files).expect("options");
    rt.connect(options)
        .await
        .expect("connect with mTLS variables");
}

// ---------------------------------------------------------------------------------------
// Bad PEM, and secrets (no server needed)

fn profile_error(toml: &str, env: &[(&str, String)]) -> ConfigError {
    let profile = load(toml, "default", env).expect("load");
    match to_options(&profile) {
        Ok(options) => panic!("expected an error, got {options:?}"),
        Err(error) => error,
    }
}

#[test]
fn unreadable_or_malformed_pem_names_the_file_and_the_setting() {
    let p = pki();
    let scratch = p.dir.join(unique_id("bad-pem"));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let garbage = scratch.join("garbage.pem");
    std::fs::write(&garbage, "this is not a certificate").expect("write");
    let bad_base64 = scratch.join("bad-base64.key");
    std::fs::write(
        &bad_base64,
        "-----BEGIN PRIVATE KEY-----\nnot*base64!\n-----END PRIVATE KEY-----\n",
    )
    .expect("write");
    let der = scratch.join("binary.der");
    std::fs::write(&der, [0x30u8, 0x82, 0x01, 0xff, 0x80, 0x81]).expect("write");
    let encrypted = scratch.join("encrypted.key");
    std::fs::write(
        &encrypted,
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nQUJD\n-----END ENCRYPTED PRIVATE KEY-----\n",
    )
    .expect("write");
    let cert = path_str(&p.path(files::CLIENT_CERT));
    let key = path_str(&p.path(files::CLIENT_KEY));

    let mtls = |cert: &str, key: &str| {
        format!(
            "[profile.default]\naddress = \"h:7233\"\n[profile.default.tls]\n\
             client_cert_path = {cert:?}\nclient_key_path = {key:?}\n"
        )
    };
    // (toml, category, file, key, words)
    let cases: Vec<(String, ErrorCategory, String, &str, Vec<&str>)> = vec![
        (
            mtls(&cert, "/no/such/client.key"),
            ErrorCategory::CertFileReadError,
            "/no/such/client.key".into(),
            "tls.client_key_path",
            vec!["cannot read the TLS client_key file", "no such file"],
        ),
        (
            mtls(&cert, &path_str(&scratch)),
            ErrorCategory::CertFileReadError,
            path_str(&scratch),
            "tls.client_key_path",
            vec!["cannot read the TLS client_key file"],
        ),
        (
            mtls(&cert, &cert),
            ErrorCategory::TlsInvalidPem,
            cert.clone(),
            "tls.client_key_path",
            vec![
                "TEMPORAL_TLS_CLIENT_KEY_PATH",
                "holds a certificate, not a private key",
                "swapped",
            ],
        ),
        (
            mtls(&key, &key),
            ErrorCategory::TlsInvalidPem,
            key.clone(),
            "tls.client_cert_path",
            vec!["holds a private key, not a certificate"],
        ),
        (
            mtls(&cert, &path_str(&bad_base64)),
            ErrorCategory::TlsInvalidPem,
            path_str(&bad_base64),
            "tls.client_key_path",
            vec!["\"PRIVATE KEY\" PEM block whose content is not valid base64"],
        ),
        (
            mtls(&cert, &path_str(&encrypted)),
            ErrorCategory::TlsInvalidPem,
            path_str(&encrypted),
            "tls.client_key_path",
            vec!["encrypted private key, which is not supported"],
        ),
        (
            format!(
                "[profile.default.tls]\nserver_ca_cert_path = {:?}\n",
                path_str(&garbage)
            ),
            ErrorCategory::TlsInvalidPem,
            path_str(&garbage),
            "tls.server_ca_cert_path",
            vec![
                "TEMPORAL_TLS_SERVER_CA_CERT_PATH",
                "holds no PEM certificate",
            ],
        ),
        (
            format!(
                "[profile.default.tls]\nserver_ca_cert_path = {:?}\n",
                path_str(&der)
            ),
            ErrorCategory::TlsInvalidPem,
            path_str(&der),
            "tls.server_ca_cert_path",
            vec!["is not PEM text", "DER"],
        ),
    ];
    for (toml, category, file, setting, words) in cases {
        let error = profile_error(&toml, &[]);
        assert_eq!(error.category(), category, "{error}");
        assert_eq!(error.file(), Some(file.as_str()), "{error}");
        assert_eq!(error.key(), Some(setting), "{error}");
        let text = error.to_string();
        assert_contains(&text, &words);
        assert_contains(&text, &[&file, setting]);
    }

    // Data that holds no key, from a variable: the variable and the setting are named.
    let env = [
        ("TEMPORAL_TLS_CLIENT_CERT_PATH", cert.clone()),
        (
            "TEMPORAL_TLS_CLIENT_KEY_DATA",
            "SECRET-not-a-key".to_string(),
        ),
    ];
    let error = profile_error("[profile.default]\n", &env);
    assert_eq!(error.category(), ErrorCategory::TlsInvalidPem, "{error}");
    assert_eq!(error.key(), Some("tls.client_key_data"));
    assert_contains(
        &error.to_string(),
        &[
            "TEMPORAL_TLS_CLIENT_KEY_DATA",
            "holds no PEM private key",
            "PKCS#1",
            "SEC1",
        ],
    );
    assert!(!error.to_string().contains("SECRET-not-a-key"));
    assert!(!format!("{error:?}").contains("SECRET-not-a-key"));

    // From code, the engine names the option.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let _guard = runtime.enter();
    for (tls, words) in [
        (
            TlsOptions {
                client_cert: Some(p.pki.client.cert_pem.clone().into_bytes()),
                client_private_key: Some(PrivateKey::new(b"SECRET-garbage".to_vec())),
                ..TlsOptions::default()
            },
            vec!["client key", "no usable PEM private key"],
        ),
        (
            TlsOptions {
                server_root_ca_cert: Some(b"garbage".to_vec()),
                ..TlsOptions::default()
            },
            vec!["server CA certificate", "no PEM CERTIFICATE block"],
        ),
    ] {
        let Err(error) = temporal_lite_tokio::transport(&ConnectOptions::new("h:1").tls(tls))
        else {
            panic!("expected a TLS setup error");
        };
        assert_eq!(error.kind(), TransportErrorKind::Tls, "{error}");
        assert_contains(&error.to_string(), &words);
        assert!(!error.to_string().contains("SECRET"));
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn secrets_never_appear_in_debug_or_display() {
    let p = pki();
    let key_line = p.pki.client.key_pem.lines().nth(1).expect("key body");
    let options = ConnectOptions::new("ns.acct.tmprl.cloud:7233")
        .api_key(shared_api_key())
        .tls(TlsOptions {
            client_cert: Some(p.pki.client.cert_pem.clone().into_bytes()),
            client_private_key: Some(PrivateKey::new(p.pki.client.key_pem.clone().into_bytes())),
            ..TlsOptions::default()
        })
        .metadata("authorization", format!("Bearer {}", shared_api_key()));
    let mut texts = vec![format!("{options:?}")];
    if let Some(key) = &options.api_key {
        texts.push(format!("{key} {key:?}"));
    }
    if let Some(tls) = &options.tls {
        texts.push(format!("{tls:?}"));
    }
    texts.push(format!("{:?}", options.metadata));

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let _guard = runtime.enter();
    let tokio_runtime = TokioRuntime::try_current().expect("runtime");
    let engine =
        temporal_lite_core::engine::Http2Transport::new(Arc::new(tokio_runtime.clone()), &options)
            .expect("transport");
    texts.push(format!("{engine:?}"));
    let transport: Arc<dyn Transport> = Arc::new(engine);
    let clock: Arc<dyn Clock> = Arc::new(tokio_runtime);
    let client = Client::new(transport, clock, options.clone());
    texts.push(format!("{client:?}"));

    let toml = format!(
        "[profile.default]\napi_key = {:?}\n[profile.default.tls]\nclient_cert_path = {:?}\n\
         client_key_path = {:?}\n",
        shared_api_key(),
        path_str(&p.path(files::CLIENT_CERT)),
        path_str(&p.path(files::CLIENT_KEY)),
    );
    let profile = load(&toml, "default", &[]).expect("load");
    texts.push(format!("{profile:?}"));
    let from_profile = to_options(&profile).expect("options");
    texts.push(format!("{from_profile:?}"));
    let env: EnvVars = [("TEMPORAL_API_KEY", shared_api_key())]
        .into_iter()
        .collect();
    texts.push(format!("{env:?}"));

    for text in texts {
        assert!(!text.contains(shared_api_key()), "API key in {text}");
        assert!(!text.contains(key_line), "private key in {text}");
    }
}

#[test]
fn front_errors_and_logs_hold_no_secret() {
    // nginx's own logs, after calls with right and wrong keys and certificates.
    let front = shared_api_key_front();
    Rt::Tokio.block_on(async {
        let _ = Rt::Tokio.connect(front.connect_options()).await;
        let _ = Rt::Tokio
            .connect(front.connect_options().api_key("wrong-key-SECRET"))
            .await;
    });
    let logs = front.access_log() + &front.error_log();
    assert!(!logs.is_empty());
    assert_secret_free(&logs);
    assert_secret_free(&format!(
        "{front:?} {:?}",
        FrontAuth::ApiKey(shared_api_key().into())
    ));
}

#[test]
fn no_private_key_is_checked_in() {
    // The harness makes its keys at run time: no test code, script or example holds a
    // private key. (tests/data holds the envconfig conformance cases, recorded with random
    // bytes as "key data"; they are not keys.)
    let p = &pki().pki;
    for key in [
        &p.client.key_pem,
        &p.client_sec1_key_pem,
        &p.client_rsa_pkcs1.key_pem,
    ] {
        assert!(holds_a_key(key), "the check must see a real key");
    }
    let root = temporal_lite_tests::paths::workspace_root();
    let mut stack: Vec<_> = [
        "tests/src",
        "tests/tests",
        "tests/python",
        "runtime-tokio",
        "scripts",
    ]
    .iter()
    .map(|d| root.join(d))
    .collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read tests/").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(text) = std::fs::read_to_string(&path) {
                assert!(!holds_a_key(&text), "checked-in key in {}", path.display());
            }
        }
    }
}

/// Whether `text` holds a PEM private key block with a real-sized body (dummies in tests
/// have a few characters).
fn holds_a_key(text: &str) -> bool {
    let mut rest = text;
    while let Some(start) = rest.find("PRIVATE KEY-----") {
        let after = &rest[start + 16..];
        let body = after.split("-----").next().unwrap_or_default();
        let base64_only = body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=\\ \r\n".contains(c));
        if base64_only && body.chars().filter(char::is_ascii_alphanumeric).count() >= 100 {
            return true;
        }
        rest = after;
    }
    false
}
