//! Config provenance: where every resolved setting came from, for the README's sample
//! profiles and for each precedence rule of Temporal's environment configuration
//! (SEMANTICS.md §2, §3, §5, §6), at the profile and at the connect-options level.

use std::path::PathBuf;

use temporal_lite_core::config::{
    load_profile_with_provenance, ConfigError, ConfigSource, ConnectOptions, EnvVars,
    ErrorCategory, InMemoryFiles, LoadProfileOptions, LoadedOptions, LoadedProfile, NoFiles,
    Provenance, Source, StdFiles,
};

const KEY_PEM: &str = "-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n";
const CERT_PEM: &str = "-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n";

fn env(vars: &[(&str, &str)]) -> EnvVars {
    vars.iter().copied().collect()
}

fn data(toml: &str) -> LoadProfileOptions {
    LoadProfileOptions::new().config_source(ConfigSource::Data(toml.into()))
}

fn load(options: &LoadProfileOptions, vars: &[(&str, &str)]) -> LoadedProfile {
    load_profile_with_provenance(options, &env(vars), &NoFiles).expect("loads")
}

fn connect(options: &LoadProfileOptions, vars: &[(&str, &str)]) -> LoadedOptions {
    load(options, vars)
        .to_connect_options(&NoFiles)
        .expect("converts")
}

fn env_source(variable: &str) -> Source {
    Source::Env {
        variable: variable.into(),
    }
}

/// The file source's (key, line), or a panic naming what it was.
fn file_place(provenance: &Provenance, setting: &str) -> (String, usize) {
    match &provenance.get(setting).expect(setting).source {
        Source::File { key, line, .. } => (key.clone(), *line),
        other => panic!("{setting} came from {other}, not a file"),
    }
}

fn source(provenance: &Provenance, setting: &str) -> Source {
    provenance.get(setting).expect(setting).source.clone()
}

fn value(provenance: &Provenance, setting: &str) -> Option<String> {
    provenance.get(setting).expect(setting).value.clone()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tl-provenance-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

// ---- the README's sample profiles ----

#[test]
fn readme_api_key_profile_from_a_file() {
    let dir = scratch("staging");
    let path = dir.join("temporal.toml");
    std::fs::write(
        &path,
        "[profile.staging]\n\
         address = \"my-namespace.a1b2c.tmprl.cloud:7233\"\n\
         namespace = \"my-namespace.a1b2c\"\n\
         api_key = \"my-api-key\"\n",
    )
    .expect("write");
    let path_text = path.to_str().expect("utf-8");
    let files = StdFiles::with_default_path(None);
    let vars = env(&[
        ("TEMPORAL_CONFIG_FILE", path_text),
        ("TEMPORAL_PROFILE", "staging"),
    ]);
    let loaded = load_profile_with_provenance(&LoadProfileOptions::new(), &vars, &files)
        .and_then(|p| p.to_connect_options(&files))
        .expect("loads");
    let p = &loaded.provenance;

    assert_eq!(source(p, "config_file"), env_source("TEMPORAL_CONFIG_FILE"));
    assert_eq!(value(p, "config_file"), Some(format!("{path_text:?}")));
    assert_eq!(source(p, "profile"), env_source("TEMPORAL_PROFILE"));
    assert_eq!(
        file_place(p, "address"),
        ("profile.staging.address".into(), 2)
    );
    assert_eq!(
        file_place(p, "namespace"),
        ("profile.staging.namespace".into(), 3)
    );
    assert_eq!(
        file_place(p, "api_key"),
        ("profile.staging.api_key".into(), 4)
    );
    let Source::File { file, profile, .. } = source(p, "api_key") else {
        unreachable!()
    };
    assert_eq!(
        (file.as_deref(), profile.as_str()),
        (Some(path_text), "staging")
    );
    assert_eq!(value(p, "api_key").as_deref(), Some("<redacted>"));
    let tls = p.get("tls").expect("tls");
    assert_eq!(
        (tls.value.as_deref(), &tls.source, tls.note.as_deref()),
        (
            Some("on"),
            &Source::Default,
            Some("an API key turns TLS on")
        )
    );
    for only_code in [
        "identity",
        "lazy",
        "connect_timeout",
        "keepalive",
        "allow_plaintext_credentials",
        "entropy",
    ] {
        assert_eq!(source(p, only_code), Source::Default, "{only_code}");
    }

    let table = p.to_string();
    assert!(!table.contains("my-api-key"), "{table}");
    assert!(!format!("{loaded:?}").contains("my-api-key"));
    assert!(
        table.contains(&format!("{path_text}:2 (profile.staging.address)")),
        "{table}"
    );
    assert!(table.starts_with("setting"), "{table}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn readme_mtls_and_self_hosted_profiles() {
    let dir = scratch("mtls");
    let cert = dir.join("client.pem");
    let key = dir.join("client.key");
    std::fs::write(&cert, CERT_PEM).expect("write");
    std::fs::write(&key, KEY_PEM).expect("write");
    let toml = format!(
        "[profile.prod]\n\
         address = \"my-namespace.a1b2c.tmprl.cloud:7233\"\n\
         namespace = \"my-namespace.a1b2c\"\n\
         \n\
         [profile.prod.tls]\n\
         client_cert_path = {:?}\n\
         client_key_path = {:?}\n\
         \n\
         [profile.selfhosted.tls]\n\
         server_ca_cert_path = {:?}\n\
         server_name = \"temporal.internal\"\n",
        cert.to_str().expect("utf-8"),
        key.to_str().expect("utf-8"),
        cert.to_str().expect("utf-8"),
    );
    let files = StdFiles::with_default_path(None);
    let prod = load_profile_with_provenance(&data(&toml).profile("prod"), &EnvVars::new(), &files)
        .and_then(|p| p.to_connect_options(&files))
        .expect("prod");
    let p = &prod.provenance;
    assert_eq!(source(p, "config_file"), Source::Code);
    assert_eq!(
        value(p, "config_file").as_deref(),
        Some("<data given in code>")
    );
    assert_eq!(source(p, "profile"), Source::Code);
    assert_eq!(file_place(p, "tls"), ("profile.prod.tls".into(), 5));
    assert_eq!(
        file_place(p, "tls.client_cert"),
        ("profile.prod.tls.client_cert_path".into(), 6)
    );
    assert_eq!(
        file_place(p, "tls.client_key"),
        ("profile.prod.tls.client_key_path".into(), 7)
    );
    assert!(value(p, "tls.client_key")
        .expect("set")
        .starts_with("path "));
    assert!(matches!(
        source(p, "tls.client_cert"),
        Source::File { file: None, .. }
    ));

    let selfhosted =
        load_profile_with_provenance(&data(&toml).profile("selfhosted"), &EnvVars::new(), &files)
            .and_then(|p| p.to_connect_options(&files))
            .expect("selfhosted");
    let p = &selfhosted.provenance;
    assert_eq!(
        file_place(p, "tls.server_name"),
        ("profile.selfhosted.tls.server_name".into(), 11)
    );
    assert_eq!(
        value(p, "tls.server_name").as_deref(),
        Some("\"temporal.internal\"")
    );
    assert_eq!(source(p, "address"), Source::Default);
    assert_eq!(value(p, "address").as_deref(), Some("\"localhost:7233\""));
    assert_eq!(source(p, "namespace"), Source::Default);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn readme_cloud_environment_variables_only() {
    let loaded = connect(
        &LoadProfileOptions::new(),
        &[
            ("TEMPORAL_ADDRESS", "my-namespace.a1b2c.tmprl.cloud:7233"),
            ("TEMPORAL_NAMESPACE", "my-namespace.a1b2c"),
            ("TEMPORAL_TLS_CLIENT_CERT_DATA", CERT_PEM),
            ("TEMPORAL_TLS_CLIENT_KEY_DATA", KEY_PEM),
        ],
    );
    let p = &loaded.provenance;
    assert_eq!(source(p, "address"), env_source("TEMPORAL_ADDRESS"));
    assert_eq!(source(p, "namespace"), env_source("TEMPORAL_NAMESPACE"));
    // The first TLS variable present creates the TLS section.
    assert_eq!(
        source(p, "tls"),
        env_source("TEMPORAL_TLS_CLIENT_CERT_DATA")
    );
    assert_eq!(
        source(p, "tls.client_key"),
        env_source("TEMPORAL_TLS_CLIENT_KEY_DATA")
    );
    let shown = value(p, "tls.client_key").expect("set");
    assert!(
        shown.contains("<redacted>") && !shown.contains("QUJD"),
        "{shown}"
    );
    assert_eq!(source(p, "config_file"), Source::Default);
    assert_eq!(value(p, "config_file"), None);
    assert_eq!(source(p, "profile"), Source::Default);
    assert_eq!(
        p.get("profile").and_then(|s| s.note.as_deref()),
        Some("not in the config: an empty profile")
    );
}

// ---- precedence (SEMANTICS.md) ----

const FILE: &str = "[profile.default]\n\
                    address = \"file:1\"\n\
                    namespace = \"file-ns\"\n\
                    api_key = \"file-key\"\n\
                    grpc_meta = { x-team = \"file\", x-gone = \"file\" }\n\
                    [profile.default.tls]\n\
                    disabled = true\n\
                    client_cert_path = \"/file.pem\"\n\
                    server_name = \"file.name\"\n\
                    [profile.default.codec]\n\
                    endpoint = \"https://file\"\n\
                    [profile.other]\n\
                    address = \"other:1\"\n";

#[test]
fn an_environment_variable_beats_the_file_and_says_what_it_replaced() {
    let loaded = load(
        &data(FILE),
        &[
            ("TEMPORAL_ADDRESS", "env:1"),
            ("TEMPORAL_NAMESPACE", "env-ns"),
            ("TEMPORAL_API_KEY", "env-key"),
            ("TEMPORAL_TLS_CLIENT_CERT_PATH", "/env.pem"),
            ("TEMPORAL_TLS_SERVER_NAME", "env.name"),
            ("TEMPORAL_CODEC_ENDPOINT", "https://env"),
            ("TEMPORAL_GRPC_META_X_TEAM", "env"),
            ("TEMPORAL_GRPC_META_X_GONE", ""),
            ("TEMPORAL_GRPC_META_X_NEW", "env"),
        ],
    );
    let p = &loaded.provenance;
    for (setting, variable, key) in [
        ("address", "TEMPORAL_ADDRESS", "profile.default.address"),
        (
            "namespace",
            "TEMPORAL_NAMESPACE",
            "profile.default.namespace",
        ),
        ("api_key", "TEMPORAL_API_KEY", "profile.default.api_key"),
        (
            "tls.client_cert",
            "TEMPORAL_TLS_CLIENT_CERT_PATH",
            "profile.default.tls.client_cert_path",
        ),
        (
            "tls.server_name",
            "TEMPORAL_TLS_SERVER_NAME",
            "profile.default.tls.server_name",
        ),
        (
            "codec.endpoint",
            "TEMPORAL_CODEC_ENDPOINT",
            "profile.default.codec.endpoint",
        ),
        (
            "grpc_meta.x-team",
            "TEMPORAL_GRPC_META_X_TEAM",
            "profile.default.grpc_meta.x-team",
        ),
    ] {
        let found = p.get(setting).expect(setting);
        assert_eq!(found.source, env_source(variable), "{setting}");
        assert!(
            matches!(&found.overridden[..], [Source::File { key: k, .. }] if k == key),
            "{setting}: {:?}",
            found.overridden
        );
    }
    assert_eq!(value(p, "address").as_deref(), Some("\"env:1\""));
    // An empty variable removes a header; one that was not in the file adds it.
    let gone = p.get("grpc_meta.x-gone").expect("listed");
    assert_eq!(gone.value, None);
    assert_eq!(gone.source, env_source("TEMPORAL_GRPC_META_X_GONE"));
    assert_eq!(
        source(p, "grpc_meta.x-new"),
        env_source("TEMPORAL_GRPC_META_X_NEW")
    );
    // Other TLS variables leave `disabled = true` alone (§6.2.6).
    assert_eq!(value(p, "tls").as_deref(), Some("off"));
    assert_eq!(
        file_place(p, "tls"),
        ("profile.default.tls.disabled".into(), 7)
    );
    // Untouched file values keep their place.
    assert_eq!(source(p, "config_file"), Source::Code);
}

#[test]
fn temporal_tls_turns_a_disabled_section_back_on_or_is_ignored_when_unparseable() {
    let p = load(&data(FILE), &[("TEMPORAL_TLS", "true")]).provenance;
    let tls = p.get("tls").expect("tls");
    assert_eq!(tls.value.as_deref(), Some("on"));
    assert_eq!(tls.source, env_source("TEMPORAL_TLS"));
    assert!(matches!(
        &tls.overridden[..],
        [Source::File { line: 7, .. }]
    ));

    let p = load(&data(FILE), &[("TEMPORAL_TLS", "yes")]).provenance;
    assert_eq!(value(&p, "tls").as_deref(), Some("off"));
    assert!(matches!(source(&p, "tls"), Source::File { .. }));

    // With no section, any TLS variable creates one, even an unparseable TEMPORAL_TLS.
    let p = load(&LoadProfileOptions::new(), &[("TEMPORAL_TLS", "off")]).provenance;
    assert_eq!(value(&p, "tls").as_deref(), Some("on"));
    assert_eq!(source(&p, "tls"), env_source("TEMPORAL_TLS"));
    let p = load(&LoadProfileOptions::new(), &[("TEMPORAL_TLS", "false")]).provenance;
    assert_eq!(value(&p, "tls").as_deref(), Some("off"));
}

#[test]
fn profile_from_code_beats_temporal_profile_beats_default() {
    let from_code = load(
        &data(FILE).profile("other"),
        &[("TEMPORAL_PROFILE", "default")],
    );
    assert_eq!(source(&from_code.provenance, "profile"), Source::Code);
    assert_eq!(
        value(&from_code.provenance, "profile").as_deref(),
        Some("\"other\"")
    );
    assert_eq!(
        file_place(&from_code.provenance, "address"),
        ("profile.other.address".into(), 13)
    );

    let from_env = load(&data(FILE), &[("TEMPORAL_PROFILE", "other")]);
    assert_eq!(
        source(&from_env.provenance, "profile"),
        env_source("TEMPORAL_PROFILE")
    );

    // Empty means unset; so does disable_env.
    for (options, vars) in [
        (data(FILE), vec![("TEMPORAL_PROFILE", "")]),
        (
            data(FILE).disable_env(true),
            vec![("TEMPORAL_PROFILE", "other")],
        ),
    ] {
        let default = load(&options, &vars);
        assert_eq!(source(&default.provenance, "profile"), Source::Default);
        assert_eq!(
            value(&default.provenance, "profile").as_deref(),
            Some("\"default\"")
        );
    }
}

#[test]
fn config_source_from_code_beats_temporal_config_file_beats_the_default_path() {
    let mut files = InMemoryFiles::new();
    files.insert("/env.toml", "[profile.default]\naddress = \"env-file:1\"\n");
    files.insert("/os.toml", "\n[profile.default]\naddress = \"os-file:1\"\n");
    files.set_default_config_path(Some("/os.toml".into()));
    let provenance = |options: &LoadProfileOptions, vars: &[(&str, &str)]| {
        load_profile_with_provenance(options, &env(vars), &files)
            .expect("loads")
            .provenance
    };

    let p = provenance(&data(FILE), &[("TEMPORAL_CONFIG_FILE", "/env.toml")]);
    assert_eq!(source(&p, "config_file"), Source::Code);
    assert!(matches!(
        source(&p, "address"),
        Source::File {
            file: None,
            line: 2,
            ..
        }
    ));

    let p = provenance(
        &LoadProfileOptions::new().config_source(ConfigSource::Path("/os.toml".into())),
        &[("TEMPORAL_CONFIG_FILE", "/env.toml")],
    );
    assert_eq!(source(&p, "config_file"), Source::Code);
    assert_eq!(value(&p, "config_file").as_deref(), Some("\"/os.toml\""));

    let p = provenance(
        &LoadProfileOptions::new(),
        &[("TEMPORAL_CONFIG_FILE", "/env.toml")],
    );
    assert_eq!(
        source(&p, "config_file"),
        env_source("TEMPORAL_CONFIG_FILE")
    );
    assert!(matches!(
        source(&p, "address"),
        Source::File { file: Some(f), line: 2, .. } if f == "/env.toml"
    ));

    // Read even with disable_env (§3 quirk).
    let p = provenance(
        &LoadProfileOptions::new().disable_env(true),
        &[("TEMPORAL_CONFIG_FILE", "/env.toml")],
    );
    assert_eq!(
        source(&p, "config_file"),
        env_source("TEMPORAL_CONFIG_FILE")
    );

    for vars in [&[][..], &[("TEMPORAL_CONFIG_FILE", "")][..]] {
        let p = provenance(&LoadProfileOptions::new(), vars);
        assert_eq!(source(&p, "config_file"), Source::Default);
        assert!(matches!(
            source(&p, "address"),
            Source::File { file: Some(f), line: 3, .. } if f == "/os.toml"
        ));
    }

    // A named file that is missing is an empty config, and says so.
    let p = provenance(
        &LoadProfileOptions::new(),
        &[("TEMPORAL_CONFIG_FILE", "/missing.toml")],
    );
    assert_eq!(
        p.get("config_file").and_then(|s| s.note.as_deref()),
        Some("no file there: an empty config")
    );
    assert!(p.get("address").is_none());

    // disable_file: no document, everything from the environment.
    let p = provenance(
        &LoadProfileOptions::new().disable_file(true),
        &[("TEMPORAL_ADDRESS", "env:1")],
    );
    assert_eq!(value(&p, "config_file"), None);
    assert_eq!(source(&p, "address"), env_source("TEMPORAL_ADDRESS"));
}

#[test]
fn disable_env_keeps_file_values() {
    let p = load(
        &data(FILE).disable_env(true),
        &[("TEMPORAL_ADDRESS", "env:1")],
    )
    .provenance;
    assert_eq!(
        file_place(&p, "address"),
        ("profile.default.address".into(), 2)
    );
    assert!(p.get("address").expect("address").overridden.is_empty());
}

#[test]
fn defaults_and_rules_at_the_connect_options_level() {
    let p = connect(&LoadProfileOptions::new(), &[]).provenance;
    assert_eq!(source(&p, "address"), Source::Default);
    assert_eq!(value(&p, "namespace").as_deref(), Some("\"default\""));
    assert_eq!(value(&p, "tls").as_deref(), Some("off"));
    assert_eq!(value(&p, "api_key"), None);

    // An empty API key is no key, and says where the empty value came from.
    let p = connect(&LoadProfileOptions::new(), &[("TEMPORAL_API_KEY", "")]).provenance;
    let key = p.get("api_key").expect("api_key");
    assert_eq!(
        (key.value.as_deref(), &key.source, key.note.as_deref()),
        (
            None,
            &env_source("TEMPORAL_API_KEY"),
            Some("empty: no API key")
        )
    );

    // Settings of a disabled TLS section and the codec are shown as unused.
    let p = connect(&data(FILE), &[]).provenance;
    assert_eq!(
        p.get("tls.client_cert").and_then(|s| s.note.as_deref()),
        Some("unused: TLS is off")
    );
    assert_eq!(
        p.get("codec.endpoint").and_then(|s| s.note.as_deref()),
        Some("not used by this client")
    );
}

#[test]
fn changes_made_in_code_are_marked_as_code() {
    let loaded = connect(&data(FILE), &[("TEMPORAL_NAMESPACE", "env-ns")]);
    let changed = loaded
        .options
        .clone()
        .namespace("code-ns")
        .metadata("x-added", "1")
        .identity("me");
    let p = loaded.provenance_of(&changed);
    let namespace = p.get("namespace").expect("namespace");
    assert_eq!(namespace.source, Source::Code);
    assert_eq!(namespace.value.as_deref(), Some("\"code-ns\""));
    assert!(matches!(
        &namespace.overridden[..],
        [Source::File { .. }, Source::Env { .. }]
    ));
    assert_eq!(source(&p, "grpc_meta.x-added"), Source::Code);
    assert_eq!(source(&p, "identity"), Source::Code);
    assert!(matches!(source(&p, "address"), Source::File { .. }));
    assert_eq!(loaded.provenance_of(&loaded.options), loaded.provenance);

    let p = Provenance::of_code(
        &ConnectOptions::new("temporal.example:7233")
            .api_key("secret-key")
            .metadata("x-api-key", "secret-header"),
    );
    assert_eq!(source(&p, "address"), Source::Code);
    assert_eq!(source(&p, "api_key"), Source::Code);
    assert_eq!(source(&p, "tls"), Source::Code);
    assert_eq!(source(&p, "namespace"), Source::Default);
    let table = p.to_string();
    assert!(!table.contains("secret"), "{table}");
    assert!(table.contains("<redacted>"), "{table}");
}

#[test]
fn errors_about_a_setting_name_exactly_where_it_came_from() {
    let error = |options: &LoadProfileOptions, vars: &[(&str, &str)]| -> ConfigError {
        load(options, vars)
            .to_connect_options(&NoFiles)
            .expect_err("invalid")
    };
    let from_env = error(&data(FILE), &[("TEMPORAL_NAMESPACE", "")]);
    assert_eq!(from_env.category(), ErrorCategory::EmptyValue);
    assert_eq!(from_env.variable(), Some("TEMPORAL_NAMESPACE"));
    assert_eq!(from_env.key(), None);

    let from_file = error(&data("[profile.default]\n\nnamespace = \"\"\n"), &[]);
    assert_eq!(from_file.category(), ErrorCategory::EmptyValue);
    assert_eq!(from_file.variable(), None);
    assert_eq!(from_file.key(), Some("profile.default.namespace"));
    assert_eq!(from_file.position(), Some((3, 1)));
    assert_eq!(from_file.profile(), Some("default"));

    let bad_key = error(&LoadProfileOptions::new(), &[("TEMPORAL_API_KEY", "a\nb")]);
    assert_eq!(bad_key.category(), ErrorCategory::InvalidApiKey);
    assert_eq!(bad_key.variable(), Some("TEMPORAL_API_KEY"));
    assert!(!bad_key.to_string().contains("a\nb"));
}
