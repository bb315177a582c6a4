//! Conformance runner for Temporal's environment configuration.
//!
//! Replays every recorded case of `tests/data/envconfig/cases.jsonl` (or of the file named
//! by `TEMPORAL_LITE_ENVCONFIG_CASES`) against `temporal_lite_core::config`, following the
//! harness steps of the case format: a fresh folder per case, the case's files written into
//! it, `${CASE_DIR}` substituted, exactly the case's environment and default config path
//! injected. Prints each failure with its id and a diff, then `N passed, N failed`, and
//! exits non-zero if any case failed.
//!
//! Arguments that do not start with `-` filter cases by id substring.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::{json, Map, Value};
use temporal_lite_core::config::{
    load_all_profiles, load_profile, ClientConfigProfile, ClientConnectConfig, ConfigError,
    ConfigSource, ConnectTls, DataSource, EnvVars, ErrorCategory, LoadConfigOptions,
    LoadProfileOptions, StdFiles,
};
use temporal_lite_tests::base64;

const PLACEHOLDER: &str = "${CASE_DIR}";

fn main() -> ExitCode {
    let path = std::env::var_os("TEMPORAL_LITE_ENVCONFIG_CASES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("data/envconfig/cases.jsonl")
        });
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("cannot read case file {}: {err}", path.display());
            return ExitCode::FAILURE;
        }
    };

    let root = std::env::temp_dir().join(format!("temporal-lite-envconfig-{}", std::process::id()));
    let (mut passed, mut failed) = (0usize, 0usize);
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Value = match serde_json::from_str(line) {
            Ok(case) => case,
            Err(err) => {
                println!("FAIL line {}: invalid JSON: {err}", index + 1);
                failed += 1;
                continue;
            }
        };
        let id = case["id"].as_str().unwrap_or("<no id>").to_owned();
        if !filters.is_empty() && !filters.iter().any(|f| id.contains(f.as_str())) {
            continue;
        }
        let case_dir = root.join(format!("case-{index}"));
        match run_case(&case, &case_dir) {
            Ok(None) => passed += 1,
            Ok(Some(diff)) => {
                failed += 1;
                println!("FAIL {id}\n{diff}");
            }
            Err(err) => {
                failed += 1;
                println!("FAIL {id}: harness error: {err}");
            }
        }
        let _ = std::fs::remove_dir_all(&case_dir);
    }
    let _ = std::fs::remove_dir_all(&root);
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Run one case in `case_dir`. `Ok(None)`: passed; `Ok(Some(diff))`: failed.
fn run_case(case: &Value, case_dir: &Path) -> Result<Option<String>, String> {
    std::fs::create_dir_all(case_dir).map_err(|e| format!("create {}: {e}", case_dir.display()))?;
    let dir = case_dir
        .to_str()
        .ok_or("temp dir is not UTF-8")?
        .replace('\\', "/");
    if dir.contains('"') || dir.chars().any(char::is_control) {
        return Err(format!("unusable temp dir {dir:?}"));
    }
    let sub = |s: &str| s.replace(PLACEHOLDER, &dir);

    // Files.
    for (rel, spec) in obj(&case["files"])? {
        let target = case_dir.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("mkdir for {rel}: {e}"))?;
        }
        let bytes = if let Some(text) = spec["utf8"].as_str() {
            sub(text).into_bytes()
        } else if let Some(b64) = spec["base64"].as_str() {
            base64::decode(b64).ok_or_else(|| format!("bad base64 in file {rel}"))?
        } else {
            return Err(format!("file {rel}: neither utf8 nor base64"));
        };
        std::fs::write(&target, bytes).map_err(|e| format!("write {rel}: {e}"))?;
    }

    // Environment, default path, options.
    let mut env = EnvVars::new();
    for (name, value) in obj(&case["env"])? {
        env.insert(
            name.as_str(),
            sub(value.as_str().ok_or("env value not a string")?),
        );
    }
    let default_path = sub(case["default_config_path"]
        .as_str()
        .ok_or("default_config_path missing")?);
    let files = StdFiles::with_default_path(Some(PathBuf::from(default_path)));
    let options = &case["options"];
    let source = match &options["config_source"] {
        Value::Null => None,
        src => Some(if let Some(p) = src["path"].as_str() {
            ConfigSource::Path(sub(p))
        } else if let Some(d) = src["data"].as_str() {
            ConfigSource::Data(sub(d).into_bytes())
        } else if let Some(b) = src["data_base64"].as_str() {
            ConfigSource::Data(base64::decode(b).ok_or("bad data_base64")?)
        } else {
            return Err("unknown config_source shape".into());
        }),
    };
    let strict = options["config_file_strict"].as_bool().unwrap_or(false);

    let actual = match case["operation"].as_str() {
        Some("load_profile") => {
            let opts = LoadProfileOptions {
                config_source: source,
                profile: options["profile"].as_str().map(String::from),
                config_file_strict: strict,
                disable_file: options["disable_file"].as_bool().unwrap_or(false),
                disable_env: options["disable_env"].as_bool().unwrap_or(false),
            };
            match load_profile(&opts, &env, &files) {
                Err(err) => json!({"outcome": "error", "error": error_json(&err),
                                   "profile": null, "connect": null}),
                Ok(profile) => match profile.to_client_connect_config(&files) {
                    Ok(connect) => json!({"outcome": "ok", "error": null,
                                          "profile": profile_json(&profile),
                                          "connect": connect_json(&connect)}),
                    Err(err) => json!({"outcome": "error", "error": error_json(&err),
                                       "profile": profile_json(&profile), "connect": null}),
                },
            }
        }
        Some("load_all_profiles") => {
            let opts = LoadConfigOptions {
                config_source: source,
                config_file_strict: strict,
            };
            match load_all_profiles(&opts, &env, &files) {
                Err(err) => {
                    json!({"outcome": "error", "error": error_json(&err), "profiles": null})
                }
                Ok(config) => {
                    let profiles: Map<String, Value> = config
                        .profiles
                        .iter()
                        .map(|(name, p)| (name.clone(), profile_json(p)))
                        .collect();
                    json!({"outcome": "ok", "error": null, "profiles": profiles})
                }
            }
        }
        other => return Err(format!("unknown operation {other:?}")),
    };

    let expected_all: Vec<&Value> = match case["alternatives"].as_array() {
        Some(alts) if !alts.is_empty() => alts.iter().collect(),
        _ => vec![&case["expected"]],
    };
    let actual = canonical(&actual, &|s: &str| s.to_owned());
    let mut first_diff = None;
    for expected in expected_all {
        let expected = canonical(expected, &sub);
        let diffs = compare(&expected, &actual);
        if diffs.is_empty() {
            return Ok(None);
        }
        first_diff.get_or_insert(diffs);
    }
    Ok(first_diff.map(|d| d.join("\n")))
}

fn obj(v: &Value) -> Result<&Map<String, Value>, String> {
    match v {
        Value::Object(m) => Ok(m),
        Value::Null => {
            static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
            Ok(EMPTY.get_or_init(Map::new))
        }
        _ => Err("expected a JSON object".into()),
    }
}

// ---- actual result shapes ----

fn error_json(err: &ConfigError) -> Value {
    let mut e = json!({
        "stage": err.stage().as_str(),
        "kind": err.kind().as_str(),
        "category": err.category().as_str(),
        "message": err.to_string(),
    });
    if err.category() == ErrorCategory::ProfileNotFound {
        e["profile"] = json!(err.profile());
    }
    e
}

fn bytes_json(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(s) => json!({"utf8": s}),
        Err(_) => json!({"base64": base64::encode(bytes)}),
    }
}

fn source_json(src: Option<&DataSource>) -> Value {
    match src {
        None => Value::Null,
        Some(DataSource::Path(p)) => json!({"path": p}),
        Some(DataSource::Data(d)) => json!({"data": bytes_json(d)}),
    }
}

fn profile_json(p: &ClientConfigProfile) -> Value {
    json!({
        "address": p.address,
        "namespace": p.namespace,
        "api_key": p.api_key,
        "tls": p.tls.as_ref().map(|t| json!({
            "disabled": t.disabled,
            "server_name": t.server_name,
            "client_cert": source_json(t.client_cert.as_ref()),
            "client_key": source_json(t.client_key.as_ref()),
            "server_ca_cert": source_json(t.server_ca_cert.as_ref()),
            "disable_host_verification": t.disable_host_verification,
        })),
        "codec": p.codec.as_ref().map(|c| json!({"endpoint": c.endpoint, "auth": c.auth})),
        "grpc_meta": p.grpc_meta,
    })
}

fn connect_json(c: &ClientConnectConfig) -> Value {
    let opt_bytes = |b: &Option<Vec<u8>>| b.as_deref().map_or(Value::Null, bytes_json);
    json!({
        "target_host": c.target_host,
        "namespace": c.namespace,
        "api_key": c.api_key,
        "tls": match &c.tls {
            None => Value::Null,
            Some(ConnectTls::Enabled) => json!(true),
            Some(ConnectTls::Disabled) => json!(false),
            Some(ConnectTls::Config(t)) => json!({
                "domain": t.domain,
                "server_root_ca_cert": opt_bytes(&t.server_root_ca_cert),
                "client_cert": opt_bytes(&t.client_cert),
                "client_private_key": opt_bytes(&t.client_private_key),
            }),
        },
        "rpc_metadata": c.rpc_metadata,
    })
}

// ---- comparison ----

/// Substitute `${CASE_DIR}` (via `sub`) in every string, key and `Bytes` value, and bring
/// `Bytes` objects to one form (utf8 when valid, else standard base64).
fn canonical(v: &Value, sub: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::String(s) => Value::String(sub(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| canonical(x, sub)).collect()),
        Value::Object(m) => {
            if m.len() == 1 {
                if let Some(Value::String(s)) = m.get("utf8") {
                    return bytes_json(sub(s).as_bytes());
                }
                if let Some(Value::String(s)) = m.get("base64") {
                    if let Some(bytes) = base64::decode(s) {
                        let bytes = match String::from_utf8(bytes) {
                            Ok(text) => sub(&text).into_bytes(),
                            Err(e) => e.into_bytes(),
                        };
                        return bytes_json(&bytes);
                    }
                }
            }
            Value::Object(m.iter().map(|(k, x)| (sub(k), canonical(x, sub))).collect())
        }
        other => other.clone(),
    }
}

/// The differences that make a case fail, one line each.
fn compare(expected: &Value, actual: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    if expected["outcome"] != actual["outcome"] {
        diffs.push(format!(
            "  outcome: expected {}, got {}",
            expected["outcome"], actual["outcome"]
        ));
        if actual["outcome"] == "error" {
            diffs.push(format!("  actual error: {}", short(&actual["error"])));
        } else {
            diffs.push(format!("  expected error: {}", short(&expected["error"])));
        }
        return diffs;
    }
    if expected["outcome"] == "error" {
        let (e, a) = (&expected["error"], &actual["error"]);
        for field in ["stage", "category", "kind"] {
            if e[field] != a[field] {
                diffs.push(format!(
                    "  error.{field}: expected {}, got {}",
                    e[field], a[field]
                ));
            }
        }
        if e.get("profile").is_some_and(|p| !p.is_null()) && e["profile"] != a["profile"] {
            diffs.push(format!(
                "  error.profile: expected {}, got {}",
                e["profile"], a["profile"]
            ));
        }
        if !diffs.is_empty() {
            diffs.push(format!("  actual message: {}", short(&a["message"])));
        }
        if e["stage"] == "connect" {
            diff_values(
                "profile",
                &expected["profile"],
                &actual["profile"],
                &mut diffs,
            );
        }
        return diffs;
    }
    for key in ["profile", "connect", "profiles"] {
        if expected.get(key).is_some() {
            diff_values(key, &expected[key], &actual[key], &mut diffs);
        }
    }
    diffs
}

fn diff_values(path: &str, e: &Value, a: &Value, out: &mut Vec<String>) {
    match (e, a) {
        (Value::Object(em), Value::Object(am)) if !is_bytes(em) && !is_bytes(am) => {
            let mut keys: Vec<&String> = em.keys().chain(am.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let child = format!("{path}.{k}");
                match (em.get(k), am.get(k)) {
                    (Some(x), Some(y)) => diff_values(&child, x, y, out),
                    (Some(x), None) => {
                        out.push(format!("  {child}: expected {}, missing", short(x)))
                    }
                    (None, Some(y)) => out.push(format!("  {child}: unexpected {}", short(y))),
                    (None, None) => {}
                }
            }
        }
        _ if e != a => out.push(format!("  {path}: expected {}, got {}", short(e), short(a))),
        _ => {}
    }
}

fn is_bytes(m: &Map<String, Value>) -> bool {
    m.len() == 1 && (m.contains_key("utf8") || m.contains_key("base64"))
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 300 {
        let head: String = s.chars().take(300).collect();
        format!("{head}... ({} chars)", s.chars().count())
    } else {
        s
    }
}
