//! The environment-config resolver end to end: a TOML document, `TEMPORAL_*` variables and
//! certificate files, through loading (strict and not), both conversions and the connect
//! checks, with `Debug` and `Display` of everything, and the provenance of each setting.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use temporal_lite_core::config::{
    load_all_profiles, load_profile, load_profile_with_provenance, parse_config, ConfigSource,
    EnvVars, InMemoryFiles, LoadConfigOptions, LoadProfileOptions, Provenance,
};
use temporal_lite_core::fuzzing;

/// Variable names the loader reads, plus metadata ones.
static VARIABLES: LazyLock<Vec<&str>> = LazyLock::new(|| {
    let mut names = fuzzing::env_variables();
    names.extend(["TEMPORAL_GRPC_META_X_API_KEY", "TEMPORAL_GRPC_META_"]);
    names
});

fn run(data: &[u8]) -> libfuzzer_sys::arbitrary::Result<()> {
    let mut u = Unstructured::new(data);
    let mut env = EnvVars::new();
    for _ in 0..u.int_in_range(0..=6u8)? {
        let name = String::from(*u.choose(&VARIABLES)?);
        match u.int_in_range(0..=9u8)? {
            0 => env.insert_not_utf8(name),
            1 => env.insert(name, ""),
            _ => env.insert(name, u.arbitrary::<String>()?),
        }
    }
    let mut files = InMemoryFiles::new();
    for path in ["/a.pem", "/b.pem", "/temporal.toml"] {
        if u.arbitrary()? {
            files.insert(path, u.arbitrary::<Vec<u8>>()?);
        }
    }
    if u.arbitrary()? {
        files.set_default_config_path(Some(String::from("/temporal.toml")));
    }
    let strict = u.arbitrary()?;
    let profile: Option<String> = if u.arbitrary()? {
        Some(u.arbitrary()?)
    } else {
        None
    };
    let disable_file = u.int_in_range(0..=7u8)? == 0;
    let disable_env = u.int_in_range(0..=7u8)? == 0;
    let document = u.take_rest().to_vec();

    let _ = parse_config(&document, strict).map(|c| format!("{c:?}"));
    let mut load = LoadProfileOptions::new()
        .strict(strict)
        .disable_file(disable_file)
        .disable_env(disable_env)
        .config_source(ConfigSource::Data(document.clone()));
    load.profile = profile;
    match load_profile(&load, &env, &files) {
        Ok(loaded) => {
            let _ = format!("{loaded:?}");
            match loaded.to_client_connect_config(&files) {
                Ok(python) => drop(format!("{python:?}")),
                Err(error) => drop(format!("{error} {error:?}")),
            }
            match loaded.to_connect_options(&files) {
                Ok(options) => {
                    let _ = format!("{options:?}");
                    if let Err(error) = options.validate() {
                        let _ = format!("{error}");
                    }
                }
                Err(error) => drop(format!("{error} {error:?}")),
            }
        }
        Err(error) => drop(format!("{error} {error:?}")),
    }
    // The same through provenance: the same outcome, and a table for every result.
    let traced = load_profile_with_provenance(&load, &env, &files);
    assert_eq!(
        traced.as_ref().map(|t| &t.profile).ok(),
        load_profile(&load, &env, &files).as_ref().ok()
    );
    if let Ok(traced) = traced {
        let _ = traced.provenance.to_string();
        if let Ok(options) = traced.to_connect_options(&files) {
            let _ = options.provenance.to_string();
            let _ = Provenance::of_code(&options.options).to_string();
            let changed = options.options.clone().namespace("other");
            let _ = options.provenance_of(&changed).to_string();
        }
    }
    let all = LoadConfigOptions {
        config_source: None,
        config_file_strict: strict,
    };
    let _ = load_all_profiles(&all, &env, &files).map(|c| format!("{c:?}"));
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
