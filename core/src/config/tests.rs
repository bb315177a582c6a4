//! Unit and fuzz-style tests of environment configuration. The recorded conformance cases
//! run in `tests/tests/envconfig_conformance.rs`.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::*;

fn data(toml: &str) -> LoadProfileOptions {
    LoadProfileOptions::new().config_source(ConfigSource::Data(toml.as_bytes().to_vec()))
}

fn env(vars: &[(&str, &str)]) -> EnvVars {
    vars.iter().copied().collect()
}

fn load(toml: &str, vars: &[(&str, &str)]) -> Result<ClientConfigProfile, ConfigError> {
    load_profile(&data(toml), &env(vars), &NoFiles)
}

// ---- loading ----

#[test]
fn loads_default_profile_and_applies_env() {
    let toml = "[profile.default]\naddress = \"a:1\"\nnamespace = \"ns\"\n\
                [profile.default.grpc_meta]\nMy_Header = \"v\"\n";
    let p = load(
        toml,
        &[
            ("TEMPORAL_NAMESPACE", "env-ns"),
            ("TEMPORAL_GRPC_META_X_Y", "1"),
        ],
    )
    .unwrap();
    assert_eq!(p.address.as_deref(), Some("a:1"));
    assert_eq!(p.namespace.as_deref(), Some("env-ns"));
    assert_eq!(p.grpc_meta.get("my-header").map(String::as_str), Some("v"));
    assert_eq!(p.grpc_meta.get("x-y").map(String::as_str), Some("1"));
}

#[test]
fn first_error_in_sorted_key_order_wins() {
    // `Z` sorts before `address`: the unknown key is reported.
    let e = load_profile(
        &data("[profile.default]\naddress = 1\nZ = 2\n").strict(true),
        &EnvVars::new(),
        &NoFiles,
    )
    .unwrap_err();
    assert_eq!(e.category(), ErrorCategory::TomlUnknownField);
    // `address` sorts before `bogus`: the wrong type is reported.
    let e = load_profile(
        &data("[profile.default]\nbogus = 1\naddress = 7233\n").strict(true),
        &EnvVars::new(),
        &NoFiles,
    )
    .unwrap_err();
    assert_eq!(e.category(), ErrorCategory::TomlWrongType);
    assert_eq!(e.key(), Some("profile.default.address"));
    assert_eq!(e.position(), Some((3, 11)));
}

#[test]
fn decode_errors_beat_path_data_conflicts() {
    let toml = "[profile.a.tls]\nclient_cert_path = \"/a\"\nclient_cert_data = \"b\"\n\
                [profile.b]\nnamespace = false\n";
    assert_eq!(
        load(toml, &[]).unwrap_err().category(),
        ErrorCategory::TomlWrongType
    );
    let toml = "[profile.a.tls]\nclient_cert_path = \"/a\"\nclient_cert_data = \"\"\n";
    let e = load(toml, &[]).unwrap_err();
    assert_eq!(e.category(), ErrorCategory::TlsPathAndDataBothInToml);
    assert_eq!(e.profile(), Some("a"));
}

#[test]
fn numbers_the_reference_cannot_represent_are_errors() {
    // Fits in 128 bits: fine when ignored, a type error under a known key.
    assert!(load("[profile.default]\nport = 99999999999999999999\n", &[]).is_ok());
    assert_eq!(
        load("[profile.default]\naddress = 99999999999999999999\n", &[])
            .unwrap_err()
            .category(),
        ErrorCategory::TomlWrongType
    );
    for bad in [
        "0x",
        "340282366920938463463374607431768211456",
        "1e999",
        "[1, 0b]",
    ] {
        let e = load(&format!("[profile.default]\nport = {bad}\n"), &[]).unwrap_err();
        assert_eq!(e.category(), ErrorCategory::TomlSyntax, "{bad}");
        assert_eq!(e.position().map(|p| p.0), Some(2));
    }
    for ok in ["nan", "-inf", "1.5e300", "0xff"] {
        assert!(
            load(&format!("[profile.default]\nport = {ok}\n"), &[]).is_ok(),
            "{ok}"
        );
    }
}

#[test]
fn toml_1_1_and_impossible_dates() {
    let p = load(
        "[profile.default]\ncodec = { endpoint = \"\\e\\x41\",\n}\n",
        &[],
    )
    .unwrap();
    assert_eq!(p.codec.unwrap().endpoint.as_deref(), Some("\u{1b}A"));
    let e = load("[profile.default]\nwhen = 2023-02-29\n", &[]).unwrap_err();
    assert_eq!(e.category(), ErrorCategory::TomlSyntax);
    assert_eq!(e.position(), Some((2, 8)));
}

#[test]
fn errors_name_where_they_are() {
    let e = load("[profile.default]\naddress = \"x\n", &[]).unwrap_err();
    assert_eq!(e.category(), ErrorCategory::TomlSyntax);
    assert!(e.position().is_some());
    assert!(e.to_string().contains("line 2"), "{e}");

    let e = load("[profile.prod.tls]\ndisabled = \"yes\"\n", &[]).unwrap_err();
    assert_eq!(e.key(), Some("profile.prod.tls.disabled"));
    assert_eq!(e.profile(), Some("prod"));
    let shown = e.to_string();
    assert!(shown.contains("profile.prod.tls.disabled") && shown.contains("line 2, column 12"));

    let e = load("", &[("TEMPORAL_PROFILE", "nope")]).unwrap_err();
    assert_eq!(e.category(), ErrorCategory::ProfileNotFound);
    assert_eq!(e.kind(), ErrorKind::ProfileNotFound);
    assert_eq!(
        (e.profile(), e.variable()),
        (Some("nope"), Some("TEMPORAL_PROFILE"))
    );

    let e = load(
        "",
        &[
            ("TEMPORAL_TLS_CLIENT_KEY_PATH", "/k"),
            ("TEMPORAL_TLS_CLIENT_KEY_DATA", "d"),
        ],
    )
    .unwrap_err();
    assert_eq!(e.category(), ErrorCategory::TlsPathAndDataBothInEnv);
    assert_eq!(e.variable(), Some("TEMPORAL_TLS_CLIENT_KEY_PATH"));

    let mut files = InMemoryFiles::new();
    files.insert("/cfg/temporal.toml", "[profile.default]\napi_key = 1\n");
    let e = load_profile(
        &LoadProfileOptions::new(),
        &env(&[("TEMPORAL_CONFIG_FILE", "/cfg/temporal.toml")]),
        &files,
    )
    .unwrap_err();
    assert_eq!(e.file(), Some("/cfg/temporal.toml"));
    assert!(e.to_string().contains("/cfg/temporal.toml"));
}

#[test]
fn locates_the_document_through_files() {
    let mut files = InMemoryFiles::new();
    files.insert(
        "/home/.config/temporalio/temporal.toml",
        "[profile.default]\naddress = \"d:1\"\n",
    );
    files.insert("/env.toml", "[profile.default]\naddress = \"e:1\"\n");
    files.set_default_config_path(Some("/home/.config/temporalio/temporal.toml".into()));
    let opts = LoadProfileOptions::new();
    let addr = |vars: &[(&str, &str)]| load_profile(&opts, &env(vars), &files).unwrap().address;
    assert_eq!(addr(&[]).as_deref(), Some("d:1"));
    assert_eq!(
        addr(&[("TEMPORAL_CONFIG_FILE", "")]).as_deref(),
        Some("d:1")
    );
    assert_eq!(
        addr(&[("TEMPORAL_CONFIG_FILE", "/env.toml")]).as_deref(),
        Some("e:1")
    );
    // A missing named file is an empty config, with no fallback to the default path.
    assert_eq!(addr(&[("TEMPORAL_CONFIG_FILE", "/missing.toml")]), None);
    // `TEMPORAL_CONFIG_FILE` is honoured even with env overrides disabled.
    let p = load_profile(
        &LoadProfileOptions::new().disable_env(true),
        &env(&[
            ("TEMPORAL_CONFIG_FILE", "/env.toml"),
            ("TEMPORAL_ADDRESS", "x:1"),
        ]),
        &files,
    )
    .unwrap();
    assert_eq!(p.address.as_deref(), Some("e:1"));
    let all = load_all_profiles(&LoadConfigOptions::default(), &EnvVars::new(), &files).unwrap();
    assert_eq!(all.profiles.len(), 1);
}

#[test]
fn options_switches() {
    let both = LoadProfileOptions::new()
        .disable_file(true)
        .disable_env(true);
    assert_eq!(
        load_profile(&both, &EnvVars::new(), &NoFiles)
            .unwrap_err()
            .category(),
        ErrorCategory::FileAndEnvBothDisabled
    );
    // With the file disabled, invalid TOML and a missing profile are no error.
    let p = load_profile(
        &data("not toml").profile("nope").disable_file(true),
        &env(&[("TEMPORAL_ADDRESS", "e:1")]),
        &NoFiles,
    )
    .unwrap();
    assert_eq!(p.address.as_deref(), Some("e:1"));
}

#[test]
fn bool_env_parsing() {
    for (value, disabled) in [
        ("true", Some(false)),
        ("TRUE", Some(false)),
        ("1", Some(false)),
        ("False", Some(true)),
        ("0", Some(true)),
        ("yes", None),
        ("", None),
        (" true", None),
    ] {
        let p = load("", &[("TEMPORAL_TLS", value)]).unwrap();
        assert_eq!(p.tls.unwrap().disabled, disabled, "{value:?}");
    }
}

#[test]
fn grpc_meta_normalisation() {
    assert_eq!(normalize_grpc_meta_key("ΣΑΣ_X"), "σας-x");
    assert_eq!(normalize_grpc_meta_key("İ"), "i\u{307}");
    assert_eq!(normalize_grpc_meta_key("ẞ a.b-c"), "ß a.b-c");
    let p = load(
        "[profile.default.grpc_meta]\nkeep = \"1\"\ngone = \"2\"\nempty = \"\"\n",
        &[
            ("TEMPORAL_GRPC_META_GONE", ""),
            ("TEMPORAL_GRPC_META_", "e"),
        ],
    )
    .unwrap();
    let keys: Vec<&str> = p.grpc_meta.keys().map(String::as_str).collect();
    assert_eq!(keys, ["", "empty", "keep"]);
}

// ---- conversion ----

#[test]
fn connect_options_defaults() {
    let o = ClientConfigProfile::default()
        .to_connect_options(&NoFiles)
        .unwrap();
    assert_eq!(
        (o.address.as_str(), o.namespace.as_str()),
        (DEFAULT_ADDRESS, DEFAULT_NAMESPACE)
    );
    assert!(o.tls.is_none() && o.api_key.is_none());

    let p = load("[profile.default]\napi_key = \"k\"\n", &[]).unwrap();
    let o = p.to_connect_options(&NoFiles).unwrap();
    assert_eq!(
        (o.address.as_str(), o.namespace.as_str()),
        (DEFAULT_ADDRESS, DEFAULT_NAMESPACE)
    );
    assert_eq!(o.api_key.as_ref().map(ApiKey::expose), Some("k"));
    assert_eq!(o.tls, Some(TlsOptions::default()));

    // An explicitly disabled TLS section wins over the API key.
    let p = load(
        "[profile.default]\napi_key = \"k\"\ntls.disabled = true\n",
        &[],
    )
    .unwrap();
    assert!(p.to_connect_options(&NoFiles).unwrap().tls.is_none());
    assert_eq!(
        p.to_client_connect_config(&NoFiles).unwrap().tls,
        Some(ConnectTls::Disabled)
    );

    // An empty API key is no key for the connect options (Python passes `""` on).
    let p = load("[profile.default]\napi_key = \"\"\n", &[]).unwrap();
    let o = p.to_connect_options(&NoFiles).unwrap();
    assert!(o.api_key.is_none() && o.tls.is_none());
    assert_eq!(
        p.to_client_connect_config(&NoFiles).unwrap().tls,
        Some(ConnectTls::Enabled)
    );
}

#[test]
fn connect_options_tls_material() {
    const CERT: &str = "-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n";
    const KEY: &str = "-----BEGIN PRIVATE KEY-----\nS0VZ\n-----END PRIVATE KEY-----\n";
    let mut files = InMemoryFiles::new();
    files.insert("/c.pem", CERT);
    files.insert("/k.pem", KEY);
    let toml = "[profile.default.tls]\nclient_cert_path = \"/c.pem\"\nclient_key_path = \"/k.pem\"\n\
                server_ca_cert_data = \"-----BEGIN CERTIFICATE-----\\nQ0E=\\n-----END CERTIFICATE-----\"\n\
                server_name = \"sni\"\ndisable_host_verification = true\n";
    let o = load(toml, &[]).unwrap().to_connect_options(&files).unwrap();
    let tls = o.tls.unwrap();
    assert_eq!(tls.client_cert.as_deref(), Some(CERT.as_bytes()));
    assert_eq!(
        tls.client_private_key.as_ref().map(PrivateKey::expose),
        Some(KEY.as_bytes())
    );
    assert_eq!(
        tls.server_root_ca_cert.as_deref(),
        Some(&b"-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----"[..])
    );
    assert_eq!(tls.domain.as_deref(), Some("sni"));
    assert!(tls.disable_host_verification);

    // A missing file is a connect-stage error naming the file.
    let e = load(
        "[profile.default.tls]\nserver_ca_cert_path = \"/nope.pem\"\n",
        &[],
    )
    .unwrap()
    .to_connect_options(&files)
    .unwrap_err();
    assert_eq!(
        (e.category(), e.stage()),
        (ErrorCategory::CertFileReadError, Stage::Connect)
    );
    assert_eq!(e.file(), Some("/nope.pem"));
    // ... but files are not read when TLS is disabled.
    let p = load(
        "[profile.default.tls]\ndisabled = true\nserver_ca_cert_path = \"/nope.pem\"\n",
        &[],
    )
    .unwrap();
    assert!(p.to_connect_options(&files).unwrap().tls.is_none());

    // A certificate without a key is rejected here (Python accepts it).
    let p = load(
        "[profile.default.tls]\nclient_cert_data = \"-----BEGIN CERTIFICATE-----\\nQw==\\n-----END CERTIFICATE-----\"\n",
        &[],
    )
    .unwrap();
    assert!(p.to_client_connect_config(&files).is_ok());
    let e = p.to_connect_options(&files).unwrap_err();
    assert_eq!(e.category(), ErrorCategory::TlsClientCertKeyMismatch);
}

#[test]
fn connect_options_metadata() {
    let p = load("[profile.default.grpc_meta]\nX_Team = \"a\"\n", &[]).unwrap();
    let o = p.to_connect_options(&NoFiles).unwrap();
    assert_eq!(o.metadata.get("x-team"), Some("a"));
    for bad in [
        "\"a b\" = \"1\"",
        "\"ü\" = \"1\"",
        "ok = \"line\\nbreak\"",
        "ok = \"ü\"",
    ] {
        let p = load(&format!("[profile.default.grpc_meta]\n{bad}\n"), &[]).unwrap();
        let e = p.to_connect_options(&NoFiles).unwrap_err();
        assert_eq!(e.category(), ErrorCategory::InvalidGrpcMeta, "{bad}");
    }
}

// ---- secrets ----

const SECRET: &str = "S3CR3T-VALUE";

#[test]
fn debug_and_display_never_show_secrets() {
    let toml = format!(
        "[profile.default]\naddress = \"a:1\"\napi_key = \"{SECRET}\"\n\
         [profile.default.tls]\nclient_key_data = \"{SECRET}\"\nclient_cert_data = \"{SECRET}\"\n\
         [profile.default.codec]\nauth = \"{SECRET}\"\n\
         [profile.default.grpc_meta]\nauthorization = \"{SECRET}\"\nX_Api_Key = \"{SECRET}\"\n"
    );
    let vars = [
        ("TEMPORAL_API_KEY", SECRET),
        ("TEMPORAL_CODEC_AUTH", SECRET),
    ];
    let opts = data(&toml);
    let profile = load(&toml, &vars).unwrap();
    let config = parse_config(toml.as_bytes(), false).unwrap();
    let py = profile.to_client_connect_config(&NoFiles).unwrap();
    let connect = load(&toml.replace("client_cert_data", "x"), &vars)
        .unwrap()
        .to_connect_options(&NoFiles);
    let shown = [
        format!("{profile:?}"),
        format!("{profile:#?}"),
        format!("{config:?}"),
        format!("{py:?}"),
        format!("{connect:?}"),
        format!("{opts:?}"),
        format!("{:?}", env(&vars)),
        format!("{:?}", profile.tls),
        format!("{:?}", profile.codec),
    ];
    for text in &shown {
        assert!(!text.contains(SECRET), "secret shown in {text}");
    }
    assert!(
        shown[0].contains("a:1"),
        "non-secret fields are still shown"
    );

    // Errors never quote values, even for a value on the line of a syntax error.
    for bad in [
        format!("[profile.default]\napi_key = \"{SECRET}"),
        format!("[profile.default]\napi_key = \"{SECRET}\" x"),
        format!("[profile.default]\napi_key = [\"{SECRET}\"]"),
        format!(
            "[profile.default.tls]\nclient_key_data = \"{SECRET}\"\nclient_key_path = \"/k\"\n"
        ),
    ] {
        let e = load(&bad, &vars).unwrap_err();
        assert!(!format!("{e} {e:?}").contains(SECRET), "{e}");
    }
}

// ---- fuzz-style tests ----

use crate::properties::Gen as Rng;

const PROFILES: &[&str] = &[
    "default", "prod", "Dev", "\"a.b\"", "\"\"", "\"é\"", "'lit'", "x-y",
];
/// A profile's keys: the decoder's, then near misses it must refuse (same order as
/// before the lists were shared, so the seeds draw the same documents).
fn profile_keys() -> Vec<&'static str> {
    [
        super::toml_decode::PROFILE_KEYS,
        &["Address", "port", "zeta"],
    ]
    .concat()
}
/// The `tls` table's keys: the decoder's, then a near miss.
fn tls_keys() -> Vec<&'static str> {
    [super::toml_decode::TLS_KEYS, &["client_cert"]].concat()
}
const META_KEYS: &[&str] = &[
    "Foo_Bar",
    "foo-bar",
    "X",
    "\"a b\"",
    "\"ΣΑΣ\"",
    "authorization",
];
const SECRET_KEYS: &[&str] = &["api_key", "client_key_data", "auth", "authorization"];

fn gen_string(rng: &mut Rng) -> String {
    let body = rng.pick(&[
        "",
        "x",
        "host:7233",
        "ü",
        "a\\nb",
        "\\e",
        "\\x41",
        "sp ace",
        "/p.pem",
    ]);
    match rng.below(4) {
        0 | 1 => format!("\"{body}\""),
        2 => String::from(rng.pick(&["'lit'", "''", "'a\\b'"])),
        _ => format!("\"\"\"{}\"\"\"", rng.pick(&["", "\nml", "a\r\nb"])),
    }
}

fn gen_value(rng: &mut Rng, depth: usize) -> String {
    match rng.below(12) {
        0..=4 => gen_string(rng),
        5 | 6 => String::from(rng.pick(&["true", "false"])),
        7 => String::from(rng.pick(&[
            "1",
            "-7",
            "0xff",
            "1_000",
            "99999999999999999999",
            "0x",
            "1e999",
            "nan",
            "-inf",
            "1.5",
        ])),
        8 => String::from(rng.pick(&[
            "1979-05-27",
            "07:32:00",
            "1979-05-27T07:32:00Z",
            "2023-02-30",
        ])),
        9 if depth < 3 => {
            let items: Vec<String> = (0..rng.below(3))
                .map(|_| gen_value(rng, depth + 1))
                .collect();
            format!("[{}]", items.join(", "))
        }
        10 if depth < 3 => {
            let items: Vec<String> = (0..rng.below(3))
                .map(|_| {
                    let keys = if rng.chance(50) {
                        tls_keys()
                    } else {
                        META_KEYS.to_vec()
                    };
                    let key = rng.pick(&keys);
                    format!("{key} = {}", gen_value(rng, depth + 1))
                })
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
        _ => gen_string(rng),
    }
}

/// A value for `key`: mostly well typed, with secrets for secret keys.
fn gen_known(rng: &mut Rng, key: &str) -> String {
    if SECRET_KEYS.contains(&key) && rng.chance(70) {
        return format!("\"{SECRET}\"");
    }
    if rng.chance(20) {
        return gen_value(rng, 0);
    }
    match key {
        "disabled" | "disable_host_verification" => String::from(rng.pick(&["true", "false"])),
        "tls" | "codec" | "grpc_meta" => String::from("{}"),
        _ => gen_string(rng),
    }
}

fn gen_document(rng: &mut Rng) -> String {
    let mut doc = String::new();
    if rng.chance(5) {
        doc.push('\u{feff}');
    }
    for _ in 0..rng.below(10) {
        let profile = rng.pick(PROFILES);
        let line = match rng.below(10) {
            0 | 1 => {
                let mut s = format!("[profile.{profile}]\n");
                for _ in 0..rng.below(4) {
                    let key = rng.pick(&profile_keys());
                    s += &format!("{key} = {}\n", gen_known(rng, key));
                }
                s
            }
            2 | 3 => {
                let mut s = format!("[profile.{profile}.tls]\n");
                for _ in 0..rng.below(4) {
                    let key = rng.pick(&tls_keys());
                    s += &format!("{key} = {}\n", gen_known(rng, key));
                }
                s
            }
            4 => {
                let key = rng.pick(META_KEYS);
                format!(
                    "[profile.{profile}.grpc_meta]\n{key} = {}\n",
                    gen_known(rng, key)
                )
            }
            5 => format!(
                "[profile.{profile}.codec]\nauth = {}\n",
                gen_known(rng, "auth")
            ),
            6 => {
                let key = rng.pick(&profile_keys());
                format!("profile.{profile}.{key} = {}\n", gen_known(rng, key))
            }
            7 => {
                let key = rng.pick(&tls_keys());
                format!("profile.{profile}.tls.{key} = {}\n", gen_known(rng, key))
            }
            8 => format!(
                "{} = {}\n",
                rng.pick(&["version", "profile", "zz"]),
                gen_value(rng, 0)
            ),
            _ => String::from(rng.pick(&["# comment\n", "\n", "[profile]\n", "\r\n"])),
        };
        doc += &line;
    }
    doc
}

fn gen_env(rng: &mut Rng) -> EnvVars {
    const NAMES: &[&str] = &[
        "TEMPORAL_ADDRESS",
        "TEMPORAL_NAMESPACE",
        "TEMPORAL_API_KEY",
        "TEMPORAL_PROFILE",
        "TEMPORAL_TLS",
        "TEMPORAL_TLS_CLIENT_CERT_PATH",
        "TEMPORAL_TLS_CLIENT_CERT_DATA",
        "TEMPORAL_TLS_CLIENT_KEY_PATH",
        "TEMPORAL_TLS_CLIENT_KEY_DATA",
        "TEMPORAL_TLS_SERVER_CA_CERT_DATA",
        "TEMPORAL_TLS_SERVER_NAME",
        "TEMPORAL_TLS_DISABLE_HOST_VERIFICATION",
        "TEMPORAL_CODEC_AUTH",
        "TEMPORAL_GRPC_META_Foo_Bar",
        "TEMPORAL_GRPC_META_",
        "TEMPORAL_CONFIG_FILE",
    ];
    let mut env = EnvVars::new();
    for _ in 0..rng.below(5) {
        let name = rng.pick(NAMES);
        let value = if [
            "TEMPORAL_API_KEY",
            "TEMPORAL_CODEC_AUTH",
            "TEMPORAL_TLS_CLIENT_KEY_DATA",
        ]
        .contains(&name)
        {
            SECRET
        } else {
            rng.pick(&["", "x", "true", "0", "prod", "/f.toml", "/c.pem", "ü"])
        };
        env.insert(name, value);
    }
    env
}

/// Check that an error is well formed: consistent kind, a message, location fields that
/// fit its category, a position inside the document, and no secret.
fn check_error(err: &ConfigError, doc: &[u8], expect_stage: Stage, secrets_possible: bool) {
    assert_eq!(err.kind(), err.category().kind());
    assert_eq!(err.stage(), expect_stage, "{err}");
    assert!(!err.message().is_empty());
    let shown = err.to_string();
    assert!(shown.contains(err.category().as_str()), "{shown}");
    if let Some((line, column)) = err.position() {
        let lines = doc.iter().filter(|&&b| b == b'\n').count() + 1;
        assert!(line >= 1 && column >= 1 && line <= lines, "{shown}");
    }
    match err.category() {
        ErrorCategory::TomlWrongType | ErrorCategory::TomlUnknownField => {
            assert!(err.key().is_some() && err.position().is_some(), "{shown}");
        }
        ErrorCategory::ProfileNotFound => assert!(err.profile().is_some()),
        ErrorCategory::TlsPathAndDataBothInEnv | ErrorCategory::TlsPathDataConflictEnvVsToml => {
            assert!(err.variable().is_some());
        }
        ErrorCategory::CertFileReadError => assert!(err.file().is_some()),
        _ => {}
    }
    if !secrets_possible {
        assert!(!format!("{shown} {err:?}").contains(SECRET), "{shown}");
    }
}

fn exercise(doc: &[u8], rng: &mut Rng, mutated: bool) -> Option<ErrorCategory> {
    let env = gen_env(rng);
    let mut files = InMemoryFiles::new();
    files.insert("/c.pem", "CERT");
    files.insert("/f.toml", doc.to_vec());
    if rng.chance(50) {
        files.set_default_config_path(Some("/f.toml".into()));
    }
    let source = match rng.below(4) {
        0 => None,
        1 => Some(ConfigSource::Path("/f.toml".into())),
        _ => Some(ConfigSource::Data(doc.to_vec())),
    };
    let options = LoadProfileOptions {
        config_source: source.clone(),
        profile: if rng.chance(30) {
            Some(String::from(
                rng.pick(&["default", "prod", "", "a.b", "nope"]),
            ))
        } else {
            None
        },
        config_file_strict: rng.chance(30),
        disable_file: rng.chance(10),
        disable_env: rng.chance(10),
    };
    let outcome = load_profile(&options, &env, &files);
    let category = outcome.as_ref().err().map(ConfigError::category);
    match outcome {
        Ok(profile) => {
            for key in profile.grpc_meta.keys() {
                assert_eq!(*key, normalize_grpc_meta_key(key));
            }
            assert!(!format!("{profile:?}").contains(SECRET) || mutated);
            for result in [
                profile
                    .to_client_connect_config(&files)
                    .map(|c| format!("{c:?}")),
                profile.to_connect_options(&files).map(|c| format!("{c:?}")),
            ] {
                match result {
                    Ok(shown) => assert!(!shown.contains(SECRET) || mutated, "{shown}"),
                    Err(err) => check_error(&err, doc, Stage::Connect, mutated),
                }
            }
        }
        Err(err) => check_error(&err, doc, Stage::Load, mutated),
    }
    let all = LoadConfigOptions {
        config_source: source,
        config_file_strict: options.config_file_strict,
    };
    match load_all_profiles(&all, &env, &files) {
        Ok(config) => assert!(!format!("{config:?}").contains(SECRET) || mutated),
        Err(err) => check_error(&err, doc, Stage::Load, mutated),
    }
    category
}

#[test]
fn fuzz_random_bytes() {
    let mut rng = Rng::new(0x5EED_0001);
    for _ in 0..3000 {
        let len = rng.below(64);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Bias towards TOML punctuation so the parser gets past the first byte.
        for b in bytes.iter_mut() {
            if rng.chance(50) {
                *b = b"[]=\"'.\n{},#\\ab_"[rng.below(15)];
            }
        }
        exercise(&bytes, &mut rng, true);
    }
}

/// How often each load outcome occurred (`None`: success), to check the fuzzing reaches
/// past the parser.
#[derive(Default)]
struct Outcomes(alloc::collections::BTreeMap<Option<&'static str>, usize>);

impl Outcomes {
    fn record(&mut self, outcome: Option<ErrorCategory>) {
        *self
            .0
            .entry(outcome.map(ErrorCategory::as_str))
            .or_default() += 1;
    }
}

#[test]
fn fuzz_toml_grammar() {
    let mut rng = Rng::new(0x5EED_0002);
    let mut outcomes = Outcomes::default();
    for i in 0..3000 {
        let doc = gen_document(&mut rng);
        let mut bytes = doc.into_bytes();
        let mutated = i % 4 == 3 && !bytes.is_empty();
        if mutated {
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(bytes.len());
                match rng.below(3) {
                    0 => {
                        bytes.remove(at);
                    }
                    1 => bytes.insert(at, b"\"[]=\n\\\x00\xff"[rng.below(8)]),
                    _ => bytes[at] = rng.next() as u8,
                }
                if bytes.is_empty() {
                    break;
                }
            }
        }
        outcomes.record(exercise(&bytes, &mut rng, mutated));
    }
    let count = |key: Option<&str>| outcomes.0.get(&key).copied().unwrap_or(0);
    assert!(
        count(None) > 300,
        "too few successful loads: {:?}",
        outcomes.0
    );
    assert!(
        outcomes.0.len() >= 8,
        "too few distinct outcomes: {:?}",
        outcomes.0
    );
    #[cfg(feature = "std")]
    std::println!("fuzz outcomes: {:?}", outcomes.0);
}

#[test]
fn fuzz_deep_nesting_does_not_overflow() {
    for depth in [10usize, 100, 1000, 10_000] {
        for (open, close) in [("[", "]"), ("{a=", "}")] {
            let doc = format!(
                "[profile.default]\nx = {}1{}\n",
                open.repeat(depth),
                close.repeat(depth)
            );
            let _ = parse_config(doc.as_bytes(), false);
            let _ = parse_config(doc.as_bytes(), true);
        }
    }
    let many: String = (0..2000)
        .map(|i| format!("[profile.p{i}]\naddress = \"a\"\n"))
        .collect();
    assert_eq!(
        parse_config(many.as_bytes(), true).unwrap().profiles.len(),
        2000
    );
}

// ---- std ----

#[cfg(feature = "std")]
mod with_std {
    use super::*;
    use std::path::PathBuf;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "temporal-lite-config-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn std_files_read_config_and_certs() {
        let dir = temp_dir("std-files");
        let cfg = dir.join("temporal.toml");
        let ca = dir.join("ca.pem");
        let ca_pem = "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n";
        std::fs::write(&ca, ca_pem).unwrap();
        std::fs::write(
            &cfg,
            format!(
                "[profile.default]\naddress = \"h:1\"\n[profile.default.tls]\nserver_ca_cert_path = {:?}\n",
                ca.to_str().unwrap()
            ),
        )
        .unwrap();
        let files = StdFiles::with_default_path(Some(cfg.clone()));
        let profile = load_profile(&LoadProfileOptions::new(), &EnvVars::new(), &files).unwrap();
        let options = profile.to_connect_options(&files).unwrap();
        assert_eq!(options.address, "h:1");
        assert_eq!(
            options.tls.unwrap().server_root_ca_cert.as_deref(),
            Some(ca_pem.as_bytes())
        );

        // A directory as config file is a read error naming it.
        let source = ConfigSource::Path(dir.to_str().unwrap().into());
        let e = load_profile(
            &LoadProfileOptions::new().config_source(source),
            &EnvVars::new(),
            &files,
        )
        .unwrap_err();
        assert_eq!(e.category(), ErrorCategory::ConfigFileReadError);
        assert_eq!(e.file(), dir.to_str());

        // A directory as certificate is a connect-stage read error naming it.
        std::fs::remove_file(&ca).unwrap();
        std::fs::create_dir(&ca).unwrap();
        let e = profile.to_connect_options(&files).unwrap_err();
        assert_eq!(e.category(), ErrorCategory::CertFileReadError);
        assert_eq!(e.file(), ca.to_str());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn default_path_shape() {
        if let Some(path) = default_config_path() {
            assert!(
                path.ends_with("temporalio/temporal.toml"),
                "{}",
                path.display()
            );
        }
        let files = StdFiles::with_default_path(None);
        assert_eq!(files.default_config_path(), None);
    }
}

#[cfg(feature = "std")]
#[test]
fn the_default_identity_is_pid_at_hostname() {
    let identity = ConnectOptions::default().identity;
    let (pid, host) = identity.split_once('@').unwrap();
    assert_eq!(pid, std::process::id().to_string());
    assert!(!host.is_empty(), "{identity}");
}
