//! Building a [`Provenance`]: from the loader's trace of a profile, and from connect options.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::record::{Provenance, Setting, Source, REDACTED};
use crate::config::connect::{ConnectOptions, DEFAULT_ADDRESS, DEFAULT_NAMESPACE};
use crate::config::load::{Choice, LoadTrace};
use crate::config::profile::{ClientConfigProfile, DataSource};
use crate::grpc::is_secret_header;

fn source_of(choice: &Choice) -> Source {
    match choice {
        Choice::Code => Source::Code,
        Choice::Env(variable) => Source::Env {
            variable: String::from(*variable),
        },
        Choice::Default => Source::Default,
    }
}

fn quoted(text: &str) -> Option<String> {
    Some(format!("{text:?}"))
}

fn data_source(source: &DataSource, secret: bool) -> String {
    match source {
        DataSource::Path(path) => format!("path {path:?}"),
        DataSource::Data(data) if secret => format!("data, {} bytes, {REDACTED}", data.len()),
        DataSource::Data(data) => format!("data, {} bytes", data.len()),
    }
}

/// The settings a loaded profile holds, each with its value as shown.
fn profile_values(profile: &ClientConfigProfile) -> Vec<(String, Option<String>)> {
    let mut values: Vec<(String, Option<String>)> = Vec::new();
    let mut push = |name: &str, value: Option<String>| values.push((String::from(name), value));
    if let Some(address) = &profile.address {
        push("address", quoted(address));
    }
    if let Some(namespace) = &profile.namespace {
        push("namespace", quoted(namespace));
    }
    if let Some(key) = &profile.api_key {
        // An empty key is shown as such: it means "no key".
        push(
            "api_key",
            Some(if key.is_empty() {
                "\"\"".to_owned()
            } else {
                REDACTED.to_owned()
            }),
        );
    }
    if let Some(tls) = &profile.tls {
        push(
            "tls",
            Some(String::from(if tls.is_enabled() { "on" } else { "off" })),
        );
        let slots = [
            ("tls.client_cert", &tls.client_cert, false),
            ("tls.client_key", &tls.client_key, true),
            ("tls.server_ca_cert", &tls.server_ca_cert, false),
        ];
        for (name, source, secret) in slots {
            if let Some(source) = source {
                push(name, Some(data_source(source, secret)));
            }
        }
        if let Some(name) = &tls.server_name {
            push("tls.server_name", quoted(name));
        }
        push(
            "tls.disable_host_verification",
            Some(tls.disable_host_verification.to_string()),
        );
    }
    if let Some(codec) = &profile.codec {
        if let Some(endpoint) = &codec.endpoint {
            push("codec.endpoint", quoted(endpoint));
        }
        if codec.auth.is_some() {
            push("codec.auth", Some(REDACTED.to_owned()));
        }
    }
    for (name, value) in &profile.grpc_meta {
        let shown = if is_secret_header(name) && !value.is_empty() {
            Some(REDACTED.to_owned())
        } else {
            quoted(value)
        };
        push(&format!("grpc_meta.{name}"), shown);
    }
    values
}

pub(super) fn profile_provenance(profile: &ClientConfigProfile, trace: &LoadTrace) -> Provenance {
    let mut settings = Vec::new();
    settings.push(match &trace.document {
        None => Setting::new("config_file", None, Source::Code)
            .with_note("disabled (LoadProfileOptions::disable_file)"),
        Some((None, Choice::Code)) => Setting::new(
            "config_file",
            Some("<data given in code>".to_owned()),
            Source::Code,
        ),
        Some((None, choice)) => Setting::new("config_file", None, source_of(choice))
            .with_note("this platform has no default config path"),
        Some((Some(path), choice)) => {
            let setting = Setting::new("config_file", quoted(path), source_of(choice));
            if trace.document_found {
                setting
            } else {
                setting.with_note("no file there: an empty config")
            }
        }
    });
    let (name, choice) = &trace.profile;
    let profile_setting = Setting::new("profile", quoted(name), source_of(choice));
    settings.push(if trace.profile_found {
        profile_setting
    } else {
        profile_setting.with_note("not in the config: an empty profile")
    });

    let file = trace.document.as_ref().and_then(|(path, _)| path.clone());
    let file_source = |setting: &str| {
        trace.places.get(setting).map(|place| Source::File {
            file: file.clone(),
            profile: name.clone(),
            key: place.key.clone(),
            line: place.line,
            column: place.column,
        })
    };
    let env_sources = |setting: &str| -> Vec<Source> {
        trace
            .env
            .iter()
            .filter(|(s, _)| s == setting)
            .map(|(_, variable)| Source::Env {
                variable: variable.clone(),
            })
            .collect()
    };
    // A TLS section's on/off state comes from `disabled` when that is written.
    let file_place = |setting: &str| match setting {
        "tls" => file_source("tls.disabled").or_else(|| file_source("tls")),
        other => file_source(other),
    };
    let with_history = |name: &str, value: Option<String>| {
        let mut sources: Vec<Source> = file_place(name).into_iter().collect();
        sources.extend(env_sources(name));
        let source = sources.pop().unwrap_or(Source::Default);
        let mut setting = Setting::new(name, value, source);
        setting.overridden = sources;
        setting
    };
    let values = profile_values(profile);
    for (name, value) in &values {
        settings.push(with_history(name, value.clone()));
    }
    // Headers an empty TEMPORAL_GRPC_META_* removed.
    for (setting, _) in &trace.env {
        let removed = setting.starts_with("grpc_meta.")
            && !values.iter().any(|(name, _)| name == setting)
            && !settings.iter().any(|s: &Setting| &s.name == setting);
        if removed {
            settings.push(with_history(setting, None).with_note("removed by an empty variable"));
        }
    }
    Provenance { settings }
}

/// The provenance of connect options converted from a profile whose provenance is
/// `profile`: its settings, the defaults filled in, and the options that only code sets.
pub(super) fn options_provenance(profile: &Provenance, options: &ConnectOptions) -> Provenance {
    let mut settings: Vec<Setting> = Vec::new();
    let copy = |name: &str| profile.get(name).cloned();
    for name in ["config_file", "profile"] {
        settings.extend(copy(name));
    }
    let defaulted = |name: &str, default: &str| match copy(name) {
        Some(setting) if setting.value.as_deref() != Some("\"\"") => setting,
        _ => Setting::new(name, quoted(default), Source::Default).with_note("unset"),
    };
    settings.push(defaulted("address", DEFAULT_ADDRESS));
    settings.push(defaulted("namespace", DEFAULT_NAMESPACE));
    let key = match copy("api_key") {
        Some(setting) if options.api_key.is_some() => setting,
        Some(mut setting) => {
            setting.value = None;
            setting.with_note("empty: no API key")
        }
        None => Setting::new("api_key", None, Source::Default),
    };
    settings.push(key);
    let tls = match copy("tls") {
        Some(setting) => setting,
        None if options.api_key.is_some() => {
            Setting::new("tls", Some("on".to_owned()), Source::Default)
                .with_note("an API key turns TLS on")
        }
        None => Setting::new("tls", Some("off".to_owned()), Source::Default),
    };
    let tls_on = options.tls.is_some();
    settings.push(tls);
    for name in [
        "tls.client_cert",
        "tls.client_key",
        "tls.server_ca_cert",
        "tls.server_name",
        "tls.disable_host_verification",
    ] {
        if let Some(setting) = copy(name) {
            settings.push(if tls_on {
                setting
            } else {
                setting.with_note("unused: TLS is off")
            });
        }
    }
    for setting in profile.iter() {
        if setting.name.starts_with("grpc_meta.") {
            settings.push(setting.clone());
        }
    }
    for name in ["codec.endpoint", "codec.auth"] {
        if let Some(setting) = copy(name) {
            settings.push(setting.with_note("not used by this client"));
        }
    }
    for entry in snapshot(options) {
        let only_code = matches!(
            &*entry.name,
            "identity"
                | "lazy"
                | "connect_timeout"
                | "keepalive"
                | "allow_plaintext_credentials"
                | "entropy"
        );
        if only_code {
            settings.push(Setting::new(entry.name, entry.shown, Source::Default));
        }
    }
    Provenance { settings }
}

/// One option of [`ConnectOptions`]: its name, its value as shown, and its raw value to
/// compare (never shown; dropped after the comparison).
pub(super) struct Entry {
    pub(super) name: String,
    pub(super) shown: Option<String>,
    pub(super) compare: Vec<u8>,
}

/// Every option of `options`, named as in [`Setting::name`].
pub(super) fn snapshot(options: &ConnectOptions) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut push = |name: &str, shown: Option<String>, compare: &[u8]| {
        entries.push(Entry {
            name: String::from(name),
            shown,
            compare: compare.to_vec(),
        })
    };
    push(
        "address",
        quoted(&options.address),
        options.address.as_bytes(),
    );
    push(
        "namespace",
        quoted(&options.namespace),
        options.namespace.as_bytes(),
    );
    match &options.api_key {
        Some(key) => push(
            "api_key",
            Some(REDACTED.to_owned()),
            key.expose().as_bytes(),
        ),
        None => push("api_key", None, b"\0none"),
    }
    let on = options.uses_tls();
    push(
        "tls",
        Some(String::from(if on { "on" } else { "off" })),
        if on { b"on" } else { b"off" },
    );
    if let Some(tls) = &options.tls {
        let bytes = |data: &Option<Vec<u8>>, secret: bool| {
            data.as_ref().map(|d| {
                if secret {
                    format!("data, {} bytes, {REDACTED}", d.len())
                } else {
                    format!("data, {} bytes", d.len())
                }
            })
        };
        let raw = |data: Option<&[u8]>| data.map_or(b"\0none".to_vec(), <[u8]>::to_vec);
        push(
            "tls.client_cert",
            bytes(&tls.client_cert, false),
            &raw(tls.client_cert.as_deref()),
        );
        let key = tls.client_private_key.as_ref().map(|k| k.expose().to_vec());
        push("tls.client_key", bytes(&key, true), &raw(key.as_deref()));
        push(
            "tls.server_ca_cert",
            bytes(&tls.server_root_ca_cert, false),
            &raw(tls.server_root_ca_cert.as_deref()),
        );
        let name = tls.domain.as_deref();
        push(
            "tls.server_name",
            name.and_then(quoted),
            &raw(name.map(str::as_bytes)),
        );
        let verify = tls.disable_host_verification.to_string();
        push(
            "tls.disable_host_verification",
            Some(verify.clone()),
            verify.as_bytes(),
        );
    }
    for (name, value) in options.metadata.iter() {
        let shown = if is_secret_header(name) && !value.is_empty() {
            Some(REDACTED.to_owned())
        } else {
            quoted(value)
        };
        push(&format!("grpc_meta.{name}"), shown, value.as_bytes());
    }
    push(
        "identity",
        quoted(&options.identity),
        options.identity.as_bytes(),
    );
    let lazy = options.lazy.to_string();
    push("lazy", Some(lazy.clone()), lazy.as_bytes());
    let timeout = format!("{:?}", options.connect_timeout);
    push("connect_timeout", Some(timeout.clone()), timeout.as_bytes());
    let keepalive = match options.keepalive {
        Some(k) => format!("every {:?}, {:?} to answer", k.interval, k.timeout),
        None => "off".to_owned(),
    };
    push("keepalive", Some(keepalive.clone()), keepalive.as_bytes());
    let allow = options.allow_plaintext_credentials.to_string();
    push(
        "allow_plaintext_credentials",
        Some(allow.clone()),
        allow.as_bytes(),
    );
    let entropy = if options.entropy.is_os() {
        "operating system"
    } else {
        "supplied in code"
    };
    push("entropy", Some(entropy.to_owned()), entropy.as_bytes());
    entries
}
