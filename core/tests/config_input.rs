//! Configuration that is wrong is refused, naming what to fix: empty values, variables that
//! are not UTF-8, files too large to be what their setting says.

use std::ffi::OsString;
use std::path::PathBuf;

use temporal_lite_core::config::{
    load_profile, ConfigError, ConfigFiles, ConfigSource, EnvVars, ErrorCategory, InMemoryFiles,
    LoadProfileOptions, NoFiles, StdFiles, MAX_CONFIG_FILE_SIZE, MAX_TLS_FILE_SIZE,
};

fn connect_error(toml: &str, env: &[(&str, &str)], files: &dyn ConfigFiles) -> ConfigError {
    let load = LoadProfileOptions::new().config_source(ConfigSource::Data(toml.into()));
    let env: EnvVars = env.iter().copied().collect();
    load_profile(&load, &env, files)
        .and_then(|profile| profile.to_connect_options(files))
        .expect_err("the configuration is wrong")
}

#[test]
fn empty_address_or_namespace_is_an_error_naming_the_variable_and_key() {
    // docker-compose `TEMPORAL_NAMESPACE: ${NS}` with NS unset gives an empty value.
    for (variable, key) in [
        ("TEMPORAL_NAMESPACE", "namespace"),
        ("TEMPORAL_ADDRESS", "address"),
    ] {
        let error = connect_error("", &[(variable, "")], &NoFiles);
        assert_eq!(error.category(), ErrorCategory::EmptyValue, "{error}");
        assert_eq!(error.variable(), Some(variable));
        assert_eq!(error.key(), Some(key));
        let text = error.to_string();
        assert!(text.contains(variable) && text.contains(key), "{text}");

        let error = connect_error(&format!("[profile.default]\n{key} = \"\"\n"), &[], &NoFiles);
        assert_eq!(error.category(), ErrorCategory::EmptyValue, "{error}");
    }
    // Unset still means the default.
    let load = LoadProfileOptions::new();
    let options = load_profile(&load, &EnvVars::new(), &NoFiles)
        .and_then(|p| p.to_connect_options(&NoFiles))
        .expect("defaults");
    assert_eq!(
        (options.address.as_str(), options.namespace.as_str()),
        ("localhost:7233", "default")
    );
    // The Python-shaped conversion keeps passing `""` through, as the reference does.
    let env: EnvVars = [("TEMPORAL_NAMESPACE", "")].into_iter().collect();
    let python = load_profile(&load, &env, &NoFiles)
        .and_then(|p| p.to_client_connect_config(&NoFiles))
        .expect("python shape");
    assert_eq!(python.namespace.as_deref(), Some(""));
}

#[test]
fn an_address_that_is_not_host_port_names_the_variable() {
    for bad in ["host:port", "ftp://host:1", "a b:1", "host:0"] {
        let error = connect_error("", &[("TEMPORAL_ADDRESS", bad)], &NoFiles);
        assert_eq!(
            error.category(),
            ErrorCategory::InvalidAddress,
            "{bad}: {error}"
        );
        assert_eq!(error.variable(), Some("TEMPORAL_ADDRESS"));
        assert!(
            error.to_string().contains("invalid server address"),
            "{error}"
        );
    }
}

#[cfg(unix)]
fn not_utf8() -> OsString {
    use std::os::unix::ffi::OsStringExt;
    OsString::from_vec(b"key-\xff\xfe".to_vec())
}

#[cfg(unix)]
#[test]
fn a_variable_that_is_not_utf8_is_an_error_when_the_loader_reads_it() {
    let env = |name: &str| {
        EnvVars::from_os_vars([
            (OsString::from(name), not_utf8()),
            (OsString::from("TEMPORAL_NAMESPACE"), OsString::from("ns")),
        ])
    };
    for name in [
        "TEMPORAL_API_KEY",
        "TEMPORAL_ADDRESS",
        "TEMPORAL_TLS_CLIENT_KEY_DATA",
        "TEMPORAL_GRPC_META_X_API_KEY",
        "TEMPORAL_CODEC_AUTH",
        "TEMPORAL_PROFILE",
        "TEMPORAL_CONFIG_FILE",
    ] {
        let vars = env(name);
        assert!(vars.is_not_utf8(name) && vars.contains(name) && vars.get(name).is_none());
        let error =
            load_profile(&LoadProfileOptions::new(), &vars, &NoFiles).expect_err("not UTF-8");
        assert_eq!(
            error.category(),
            ErrorCategory::EnvNotUtf8,
            "{name}: {error}"
        );
        assert_eq!(error.variable(), Some(name));
        assert!(!format!("{error} {error:?} {vars:?}").contains('\u{FFFD}'));
    }
    // Variables the loader does not read, or does not read in this mode, are no error.
    let vars = env("TEMPORAL_UNRELATED");
    assert!(load_profile(&LoadProfileOptions::new(), &vars, &NoFiles).is_ok());
    let vars = env("TEMPORAL_API_KEY");
    let no_env = LoadProfileOptions::new().disable_env(true);
    assert!(load_profile(&no_env, &vars, &NoFiles).is_ok());
    let vars = env("TEMPORAL_PROFILE");
    let named = LoadProfileOptions::new()
        .profile("p")
        .config_source(ConfigSource::Data(b"[profile.p]\n".to_vec()));
    assert!(load_profile(&named, &vars, &NoFiles).is_ok());
    // Setting the variable again with a UTF-8 value clears the mark.
    let mut vars = env("TEMPORAL_API_KEY");
    vars.insert("TEMPORAL_API_KEY", "k");
    let profile = load_profile(&LoadProfileOptions::new(), &vars, &NoFiles).expect("fixed");
    assert_eq!(profile.api_key.as_deref(), Some("k"));
}

/// A scratch folder of this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tl-config-input-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

#[test]
fn files_larger_than_their_cap_are_refused_naming_file_and_key() {
    let dir = scratch("caps");
    let big_cert = dir.join("cert.pem");
    std::fs::write(&big_cert, vec![b'A'; MAX_TLS_FILE_SIZE + 1]).expect("write");
    let key = dir.join("key.pem");
    std::fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----\n",
    )
    .expect("write");
    let toml = format!(
        "[profile.default.tls]\nclient_cert_path = {:?}\nclient_key_path = {:?}\n",
        big_cert.display().to_string(),
        key.display().to_string()
    );
    let files = StdFiles::with_default_path(None);
    let error = connect_error(&toml, &[], &files);
    assert_eq!(
        error.category(),
        ErrorCategory::CertFileReadError,
        "{error}"
    );
    assert_eq!(error.file(), Some(big_cert.to_str().expect("utf-8")));
    assert_eq!(error.key(), Some("tls.client_cert_path"));
    assert!(error.to_string().contains("larger than"), "{error}");

    let big_config = dir.join("temporal.toml");
    let mut text = String::from("[profile.default]\naddress = \"h:1\"\n");
    text.push_str(&"#".repeat(MAX_CONFIG_FILE_SIZE));
    std::fs::write(&big_config, text).expect("write");
    let env: EnvVars = [("TEMPORAL_CONFIG_FILE", big_config.to_str().expect("utf-8"))]
        .into_iter()
        .collect();
    let error = load_profile(&LoadProfileOptions::new(), &env, &files).expect_err("too large");
    assert_eq!(
        error.category(),
        ErrorCategory::ConfigFileReadError,
        "{error}"
    );
    assert_eq!(error.file(), big_config.to_str());
    assert_eq!(error.variable(), Some("TEMPORAL_CONFIG_FILE"));

    // The cap holds for in-memory files too (the trait's default), and files at the cap
    // are read.
    let mut memory = InMemoryFiles::new();
    memory.insert("/cert.pem", vec![b'A'; MAX_TLS_FILE_SIZE + 1]);
    assert!(memory.read_limited("/cert.pem", MAX_TLS_FILE_SIZE).is_err());
    std::fs::write(&big_cert, vec![b'A'; MAX_TLS_FILE_SIZE]).expect("write");
    let read = files
        .read_limited(big_cert.to_str().expect("utf-8"), MAX_TLS_FILE_SIZE)
        .expect("at the cap");
    assert_eq!(read.map(|bytes| bytes.len()), Some(MAX_TLS_FILE_SIZE));
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_that_claims_no_size_is_still_capped() {
    // /dev/zero reports size 0 and never ends.
    let files = StdFiles::with_default_path(None);
    let error = files
        .read_limited("/dev/zero", 1024)
        .expect_err("endless file");
    assert!(
        error.message().contains("larger than 1024 bytes"),
        "{error}"
    );
}
