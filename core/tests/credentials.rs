//! Secrets and credentials through the public API: what is redacted, when credentials may
//! cross a plaintext connection, whose `authorization` header wins, header checks before any
//! call, and where request ids come from.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use temporal_lite_core::client::{Client, Error, RpcOptions, StartWorkflowOptions};
use temporal_lite_core::config::{
    load_all_profiles, load_profile, ClientConfigProfile, ConfigError, ConfigSource,
    ConnectOptions, EnvVars, ErrorCategory, InMemoryFiles, LoadConfigOptions, LoadProfileOptions,
    NoFiles, PrivateKey,
};
use temporal_lite_core::entropy::{Entropy, EntropyError, EntropySource, OsEntropy};
use temporal_lite_core::grpc::{is_secret_header, Metadata, Request, Status};
use temporal_lite_core::testing::{block_on, MockTransport};
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    GetSystemInfoResponse, SignalWorkflowExecutionResponse, StartWorkflowExecutionRequest,
    StartWorkflowExecutionResponse,
};

const START: &str = "StartWorkflowExecution";

/// Every secret planted below; none may appear in any formatted text.
const SECRETS: &[&str] = &[
    "APIKEYSECRET1",
    "KEYBYTESSECRET2A",
    "CODECSECRET3",
    "METASECRET4",
    "METASECRET5",
    "METASECRET6",
    "METASECRET7",
    "ENVSECRET8",
];

const CERT_PEM: &str = "-----BEGIN CERTIFICATE-----\nQUJDRA==\n-----END CERTIFICATE-----\n";
const KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----\nKEYBYTESSECRET2A\n-----END PRIVATE KEY-----\n";

fn config_toml() -> String {
    format!(
        r#"
[profile.default]
address = "temporal.example:7233"
namespace = "prod"
api_key = "APIKEYSECRET1"
codec = {{ endpoint = "https://codec.example", auth = "CODECSECRET3" }}

[profile.default.tls]
client_cert_data = """{CERT_PEM}"""
client_key_data = """{KEY_PEM}"""

[profile.default.grpc_meta]
x-api-key = "METASECRET4"
x-auth-token = "METASECRET5"
cookie = "session=METASECRET7"
"#
    )
}

fn secret_env() -> EnvVars {
    [
        ("TEMPORAL_API_KEY", "ENVSECRET8"),
        ("TEMPORAL_GRPC_META_AUTHORIZATION", "Bearer METASECRET6"),
    ]
    .into_iter()
    .collect()
}

fn assert_no_secret(texts: &[String]) {
    for text in texts {
        for secret in SECRETS {
            assert!(!text.contains(secret), "{secret} leaked in: {text}");
        }
    }
}

fn started(run_id: &str) -> StartWorkflowExecutionResponse {
    StartWorkflowExecutionResponse {
        run_id: run_id.into(),
        started: true,
        ..Default::default()
    }
}

#[test]
fn no_public_config_or_error_type_shows_a_secret() {
    let toml = config_toml();
    let load = LoadProfileOptions::new().config_source(ConfigSource::Data(toml.clone().into()));
    let profile = load_profile(&load, &secret_env(), &NoFiles).expect("profile");
    let all = load_all_profiles(
        &LoadConfigOptions {
            config_source: Some(ConfigSource::Data(toml.clone().into())),
            config_file_strict: true,
        },
        &EnvVars::new(),
        &NoFiles,
    )
    .expect("all profiles");
    let python = profile.to_client_connect_config(&NoFiles).expect("python");
    let options = profile.to_connect_options(&NoFiles).expect("options");
    assert!(options.metadata.get("authorization").is_some());
    let tls = profile.tls.clone().expect("tls");
    let mut files = InMemoryFiles::new();
    files.insert("/key.pem", KEY_PEM);

    let mut texts = Vec::new();
    let mut both = |debug: String, pretty: String| {
        texts.push(debug);
        texts.push(pretty);
    };
    macro_rules! debug {
        ($($value:expr),* $(,)?) => {
            $( both(format!("{:?}", $value), format!("{:#?}", $value)); )*
        };
    }
    debug!(
        &profile,
        &all,
        &python,
        &python.tls,
        &options,
        &options.tls,
        &options.api_key,
        &options.metadata,
        &tls,
        &tls.client_key,
        &profile.codec,
        &secret_env(),
        &load,
        &files,
    );
    let key = options.api_key.clone().expect("key");
    texts.push(format!("{key}"));
    let private = PrivateKey::new(KEY_PEM);
    texts.push(format!("{private:?}"));

    // Errors built from secret-holding input.
    let mut errors: Vec<ConfigError> = Vec::new();
    let with_profile = |edit: &dyn Fn(&mut ClientConfigProfile)| {
        let mut profile = profile.clone();
        edit(&mut profile);
        profile.to_connect_options(&NoFiles).expect_err("invalid")
    };
    errors.push(with_profile(&|p| {
        p.api_key = Some("APIKEYSECRET1\n".into());
    }));
    errors.push(with_profile(&|p| {
        p.grpc_meta
            .insert("x-api-key".into(), "METASECRET4\u{7}".into());
    }));
    errors.push(with_profile(&|p| {
        p.grpc_meta
            .insert("Bad Header".into(), "METASECRET4".into());
    }));
    errors.push(
        ConnectOptions::new("temporal.example:7233")
            .api_key("APIKEYSECRET1")
            .plaintext()
            .validate()
            .expect_err("plaintext"),
    );
    errors.push(
        ConnectOptions::new("temporal.example:7233")
            .metadata("x-auth-token", "METASECRET5")
            .validate()
            .expect_err("plaintext metadata"),
    );
    for broken in [
        "[profile.default]\napi_key = \"APIKEYSECRET1\n",
        "[profile.default]\napi_key = [\"APIKEYSECRET1\"]\n",
        "[profile.default]\ngrpc_meta = { x-api-key = 1 }\nauth = \"METASECRET4\"\n",
        "[profile.default.tls]\nclient_key_data = \"KEYBYTESSECRET2A\"\nclient_key_path = \"k\"\n",
    ] {
        let load = LoadProfileOptions::new()
            .config_source(ConfigSource::Data(broken.into()))
            .strict(true);
        errors.push(load_profile(&load, &EnvVars::new(), &NoFiles).expect_err(broken));
    }
    for error in &errors {
        texts.push(format!("{error}"));
        texts.push(format!("{error:?}"));
        let client_error = Error::Config(error.clone());
        texts.push(format!("{client_error}"));
        texts.push(format!("{client_error:?}"));
    }

    // A client with every secret set, the requests it sent and the transport's view.
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond(GetSystemInfoResponse::default());
    let client = mock.client(options.clone());
    block_on(client.get_system_info()).expect("call");
    texts.push(format!("{client:?}"));
    texts.push(format!("{:?}", client.options()));
    for request in mock.requests() {
        assert_eq!(
            request.header("authorization"),
            Some("Bearer METASECRET6"),
            "the user's header is sent"
        );
        texts.push(format!("{request:?}"));
        texts.push(format!("{:?}", request.metadata));
    }
    let request = Request {
        path: "/x".into(),
        metadata: options.metadata.clone(),
        body: Default::default(),
        timeout: None,
        receive_limit: 0,
    };
    texts.push(format!("{request:?}"));
    texts.push(format!(
        "{:?}",
        Status::new(temporal_lite_core::grpc::Code::OK, "")
    ));
    let error = client
        .set_api_key(Some("APIKEYSECRET1\r\n".into()))
        .expect_err("newline");
    texts.push(format!("{error} {error:?}"));

    assert!(texts.len() > 50, "{}", texts.len());
    assert_no_secret(&texts);
    // The checks above did look at the values: redaction markers are there.
    assert!(texts.iter().any(|t| t.contains("<redacted>")));
}

#[test]
fn one_rule_says_which_headers_are_secret() {
    for secret in [
        "authorization",
        "Authorization",
        "proxy-authorization",
        "x-api-key",
        "api-key",
        "x-auth-token",
        "cookie",
        "x-session-id",
        "x-client-secret",
        "x-db-password",
        "x-goog-iap-jwt-assertion",
        "x-credentials",
    ] {
        assert!(is_secret_header(secret), "{secret}");
    }
    for plain in [
        "temporal-namespace",
        "client-name",
        "client-version",
        "grpc-timeout",
        "content-type",
        "x-team",
        "user-agent",
    ] {
        assert!(!is_secret_header(plain), "{plain}");
    }
    let metadata: Metadata = [("x-api-key", "METASECRET4"), ("x-team", "payments")]
        .into_iter()
        .collect();
    let debug = format!("{metadata:?}");
    assert!(
        debug.contains("payments") && !debug.contains("METASECRET4"),
        "{debug}"
    );
}

// ---- credentials over plaintext ----

fn plaintext_error(options: &ConnectOptions) -> ConfigError {
    let error = options.validate().expect_err("credentials over plaintext");
    assert_eq!(
        error.category(),
        ErrorCategory::PlaintextCredentials,
        "{error}"
    );
    assert!(
        error.to_string().contains("allow_plaintext_credentials"),
        "the error names the option: {error}"
    );
    error
}

#[test]
fn an_api_key_never_goes_over_plaintext_to_a_remote_host() {
    let remote = ConnectOptions::new("temporal.example:7233").api_key("k");
    assert!(remote.validate().is_ok(), "the key turned TLS on");
    let error = plaintext_error(&remote.clone().plaintext());
    assert!(error.to_string().contains("temporal.example"), "{error}");
    assert!(remote
        .clone()
        .plaintext()
        .allow_plaintext_credentials(true)
        .validate()
        .is_ok());

    for address in [
        "10.0.0.7:7233",
        "http://temporal:7233",
        "localhost.example.com:7233",
        "[::2]:7233",
        "0.0.0.0:7233",
        "[::ffff:10.0.0.1]:7233",
    ] {
        plaintext_error(&ConnectOptions::new(address).api_key("k").plaintext());
    }
    for loopback in [
        "localhost:7233",
        "LocalHost:7233",
        "localhost.:7233",
        "127.0.0.1:7233",
        "127.200.3.4:1",
        "http://127.0.0.1:7233",
        "[::1]:7233",
        "::1",
        "[::ffff:127.0.0.1]:7233",
    ] {
        let options = ConnectOptions::new(loopback).api_key("k").plaintext();
        assert!(options.validate().is_ok(), "{loopback}");
    }
    // TLS from the scheme counts.
    let https = ConnectOptions::new("https://temporal.example:7233").api_key("k");
    assert!(https.plaintext().validate().is_ok());
}

#[test]
fn credential_like_metadata_never_goes_over_plaintext_either() {
    for header in ["authorization", "x-api-key", "x-auth-token", "cookie"] {
        let options = ConnectOptions::new("temporal.example:7233").metadata(header, "v");
        let error = plaintext_error(&options);
        assert!(error.to_string().contains(header), "{error}");
    }
    // Empty values carry nothing; harmless headers are fine.
    let options = ConnectOptions::new("temporal.example:7233")
        .metadata("x-api-key", "")
        .metadata("x-team", "payments");
    assert!(options.validate().is_ok());
}

#[test]
fn plaintext_from_the_environment_or_a_profile_is_refused_at_connect() {
    let cases: [(&str, &[(&str, &str)]); 3] = [
        (
            "",
            &[
                ("TEMPORAL_ADDRESS", "temporal.example:7233"),
                ("TEMPORAL_API_KEY", "k"),
                ("TEMPORAL_TLS", "false"),
            ],
        ),
        (
            "[profile.default]\naddress = \"temporal.example:7233\"\napi_key = \"k\"\n\
             tls.disabled = true\n",
            &[],
        ),
        (
            "[profile.default]\naddress = \"temporal.example:7233\"\n\
             grpc_meta.authorization = \"Bearer k\"\n",
            &[],
        ),
    ];
    for (toml, env) in cases {
        let load = LoadProfileOptions::new().config_source(ConfigSource::Data(toml.into()));
        let env: EnvVars = env.iter().copied().collect();
        let options = load_profile(&load, &env, &NoFiles)
            .and_then(|p| p.to_connect_options(&NoFiles))
            .expect("loading does not refuse: code may still allow it");
        assert!(!options.uses_tls());
        plaintext_error(&options);
        assert!(options.allow_plaintext_credentials(true).validate().is_ok());
    }
}

#[test]
fn a_refusing_client_sends_nothing() {
    let options = ConnectOptions::new("temporal.example:7233")
        .api_key("k")
        .plaintext();
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond(GetSystemInfoResponse::default());

    let connected = block_on(Client::connect_with(
        Arc::new(mock.clone()),
        mock.clock(),
        options.clone(),
    ));
    assert!(
        matches!(&connected, Err(Error::Config(e)) if e.category() == ErrorCategory::PlaintextCredentials),
        "{connected:?}"
    );
    // `Client::new` cannot fail: each call does instead, before anything is sent.
    let client = mock.client(options);
    let call = block_on(client.get_system_info());
    assert!(matches!(call, Err(Error::Config(_))), "{call:?}");
    assert!(mock.requests().is_empty());
}

#[test]
fn set_api_key_refuses_a_plaintext_remote_client_and_bad_keys() {
    let mock = MockTransport::new();
    for _ in 0..2 {
        mock.on("GetSystemInfo")
            .respond(GetSystemInfoResponse::default());
    }
    let remote = mock.client(ConnectOptions::new("temporal.example:7233"));
    let error = remote.set_api_key(Some("k".into())).expect_err("plaintext");
    assert!(
        matches!(&error, Error::Config(e) if e.category() == ErrorCategory::PlaintextCredentials),
        "{error}"
    );
    assert!(!remote.has_api_key(), "the key was not taken");
    block_on(remote.get_system_info()).expect("still works without a key");
    assert_eq!(mock.requests()[0].header("authorization"), None);

    let allowed =
        mock.client(ConnectOptions::new("temporal.example:7233").allow_plaintext_credentials(true));
    allowed.set_api_key(Some("k".into())).expect("allowed");
    let local = mock.client(ConnectOptions::new("localhost:7233"));
    local.set_api_key(Some("k".into())).expect("loopback");
    block_on(local.get_system_info()).expect("call");
    assert_eq!(mock.requests()[1].header("authorization"), Some("Bearer k"));

    for bad in ["a\nb", "key\r", " padded", "ключ", ""] {
        let error = local.set_api_key(Some(bad.into())).expect_err(bad);
        assert!(
            matches!(&error, Error::Config(e) if e.category() == ErrorCategory::InvalidApiKey),
            "{bad:?}: {error}"
        );
    }
}

// ---- header precedence and checks ----

#[test]
fn the_users_authorization_header_wins_over_the_api_key() {
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond(GetSystemInfoResponse::default())
        .times(2);
    let client = mock.client(
        ConnectOptions::new("localhost:7233")
            .api_key("key")
            .metadata("authorization", "Custom mine"),
    );
    block_on(client.get_system_info()).expect("call");
    client.set_api_key(Some("other".into())).expect("set");
    block_on(client.get_system_info()).expect("call");
    for request in mock.requests() {
        let values: Vec<&str> = request
            .metadata
            .iter()
            .filter(|(name, _)| *name == "authorization")
            .map(|(_, value)| value)
            .collect();
        assert_eq!(values, ["Custom mine"]);
    }

    // The same from a profile.
    let toml = "[profile.default]\napi_key = \"key\"\ngrpc_meta.authorization = \"Custom mine\"\n";
    let load = LoadProfileOptions::new().config_source(ConfigSource::Data(toml.into()));
    let options = load_profile(&load, &EnvVars::new(), &NoFiles)
        .and_then(|p| p.to_connect_options(&NoFiles))
        .expect("options");
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond(GetSystemInfoResponse::default());
    block_on(mock.client(options).get_system_info()).expect("call");
    assert_eq!(
        mock.requests()[0].header("authorization"),
        Some("Custom mine")
    );
}

#[test]
fn bad_headers_are_refused_when_options_are_checked_not_at_the_first_call() {
    let base = || ConnectOptions::new("localhost:7233");
    let cases = [
        (base().api_key("a\nb"), ErrorCategory::InvalidApiKey),
        (base().api_key(""), ErrorCategory::InvalidApiKey),
        (
            base().metadata("Bad Header", "v"),
            ErrorCategory::InvalidGrpcMeta,
        ),
        (
            base().metadata("x-team", "a\r\nb"),
            ErrorCategory::InvalidGrpcMeta,
        ),
        (
            base().metadata("x-team", "café"),
            ErrorCategory::InvalidGrpcMeta,
        ),
        (
            base().metadata("trace-bin", "not base64!"),
            ErrorCategory::InvalidGrpcMeta,
        ),
        (base().namespace(""), ErrorCategory::EmptyValue),
        (ConnectOptions::new(""), ErrorCategory::InvalidAddress),
        (
            ConnectOptions::new("host:port"),
            ErrorCategory::InvalidAddress,
        ),
    ];
    for (options, category) in cases {
        let error = options.validate().expect_err("invalid");
        assert_eq!(error.category(), category, "{error}");
        let mock = MockTransport::new();
        let connected = block_on(Client::connect_with(
            Arc::new(mock.clone()),
            mock.clock(),
            options,
        ));
        assert!(matches!(connected, Err(Error::Config(_))), "{connected:?}");
        assert!(mock.requests().is_empty());
    }
    let fine = base().metadata("trace-bin", "AAEC").metadata("x-empty", "");
    assert!(fine.validate().is_ok());
}

#[test]
fn bad_headers_from_the_environment_name_the_variable() {
    let env: EnvVars = [("TEMPORAL_API_KEY", "key\n")].into_iter().collect();
    let error = load_profile(&LoadProfileOptions::new(), &env, &NoFiles)
        .and_then(|p| p.to_connect_options(&NoFiles))
        .expect_err("newline in the key");
    assert_eq!(error.category(), ErrorCategory::InvalidApiKey);
    assert_eq!(error.variable(), Some("TEMPORAL_API_KEY"));
    assert_eq!(error.key(), Some("api_key"));

    let env: EnvVars = [("TEMPORAL_GRPC_META_X_TEAM", "a\u{1}b")]
        .into_iter()
        .collect();
    let error = load_profile(&LoadProfileOptions::new(), &env, &NoFiles)
        .and_then(|p| p.to_connect_options(&NoFiles))
        .expect_err("control character");
    assert_eq!(error.category(), ErrorCategory::InvalidGrpcMeta);
    assert!(
        error.to_string().contains("TEMPORAL_GRPC_META_X_TEAM"),
        "{error}"
    );
}

// ---- request ids ----

fn start_request_id(client: &Client, mock: &MockTransport) -> String {
    mock.on(START).respond(started("run")).times(1);
    block_on(client.start_workflow("W", (), StartWorkflowOptions::new("wf", "q"))).expect("start");
    let request: StartWorkflowExecutionRequest = mock
        .requests_for(START)
        .last()
        .expect("sent")
        .decode()
        .expect("decodes");
    request.request_id
}

fn is_uuid_v4(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && id
            .chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        && groups[2].starts_with('4')
        && matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b')
}

#[test]
fn two_clients_created_identically_make_different_request_ids() {
    // Same options, same (virtual, zero) clock, same everything: only the OS's randomness
    // tells the two apart.
    let first_mock = MockTransport::new();
    let second_mock = MockTransport::new();
    let first = first_mock.client(ConnectOptions::new("localhost:7233"));
    let second = second_mock.client(ConnectOptions::new("localhost:7233"));
    let a = start_request_id(&first, &first_mock);
    let b = start_request_id(&second, &second_mock);
    assert!(is_uuid_v4(&a) && is_uuid_v4(&b), "{a} {b}");
    assert_ne!(a, b);

    // Many ids in a row (crossing refills of the pool) never repeat.
    let mut ids = std::collections::BTreeSet::new();
    for _ in 0..100 {
        let id = start_request_id(&first, &first_mock);
        assert!(is_uuid_v4(&id), "{id}");
        assert!(ids.insert(id));
    }
}

/// Counts upwards: deterministic, to show where ids come from (never do this for real).
struct Counting(AtomicU8);

impl Entropy for Counting {
    fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
        for byte in dest {
            *byte = self.0.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

struct Broken;

impl Entropy for Broken {
    fn fill(&self, _dest: &mut [u8]) -> Result<(), EntropyError> {
        Err(EntropyError::new("the board has no RNG"))
    }
}

#[test]
fn request_ids_come_from_the_supplied_entropy_source() {
    let mock = MockTransport::new();
    let client =
        mock.client(ConnectOptions::new("localhost:7233").entropy(Counting(AtomicU8::new(0))));
    // 8 bytes seeded the jitter; the id pool starts at byte 8.
    assert_eq!(
        start_request_id(&client, &mock),
        "08090a0b-0c0d-4e0f-9011-121314151617"
    );
    assert!(EntropySource::os().is_os());
    let mut bytes = [0u8; 32];
    OsEntropy.fill(&mut bytes).expect("the OS has randomness");
    assert_ne!(bytes, [0u8; 32]);
}

#[test]
fn without_entropy_calls_that_need_a_request_id_fail_and_say_why() {
    let options = ConnectOptions::new("localhost:7233").entropy(Broken);
    let mock = MockTransport::new();
    mock.on("GetSystemInfo")
        .respond(GetSystemInfoResponse::default())
        .times(2);
    mock.on("SignalWorkflowExecution")
        .respond(SignalWorkflowExecutionResponse::default());
    let connected = block_on(Client::connect_with(
        Arc::new(mock.clone()),
        mock.clock(),
        options.clone(),
    ));
    let Err(Error::InvalidOptions { message }) = connected else {
        panic!("connect must fail: {connected:?}");
    };
    assert!(
        message.contains("ConnectOptions::entropy") && message.contains("no RNG"),
        "{message}"
    );

    let client = mock.client(options).with_rpc_options(RpcOptions::default());
    block_on(client.get_system_info()).expect("no id needed");
    let start = block_on(client.start_workflow("W", (), StartWorkflowOptions::new("wf", "q")));
    assert!(
        matches!(start, Err(Error::InvalidOptions { .. })),
        "{start:?}"
    );
    // A request id given by the caller needs no entropy.
    mock.on(START).respond(started("run"));
    block_on(client.start_workflow(
        "W",
        (),
        StartWorkflowOptions::new("wf", "q").request_id("mine"),
    ))
    .expect("own id");
    let signal = block_on(client.workflow_handle("wf").signal("s", ()));
    assert!(
        matches!(signal, Err(Error::InvalidOptions { .. })),
        "{signal:?}"
    );
    assert!(mock.requests_for("SignalWorkflowExecution").is_empty());
}
