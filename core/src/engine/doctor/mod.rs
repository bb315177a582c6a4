//! The connection doctor: one call that runs the steps of a connection one by one and says,
//! for each, whether it works and what to change when it does not.
//!
//! The checks, in order ([`Check`]): the settings load (config file, profile, `TEMPORAL_*`
//! variables), the address parses, the host resolves (DNS), a TCP connection opens, the TLS
//! handshake (the server's certificate chain against the trust roots, its names against the
//! server name, its dates, ALPN `h2`), the server accepts the client certificate or API key,
//! it answers HTTP/2 and gRPC, the namespace exists (`DescribeNamespace`), and the server's
//! version and capabilities (`GetSystemInfo`). The [`Report`] also holds where each setting
//! came from ([`Provenance`]), and its fixes name the setting and its source ("the address
//! comes from env TEMPORAL_ADDRESS").
//!
//! Written once against [`Runtime`]: the adapters' runtimes supply DNS
//! ([`Runtime::resolve`]) and TCP; TLS is driven here with rustls. A failed check stops the
//! run (later checks are [`Verdict::Skip`]); nothing is retried, so each check takes at most
//! the connect timeout.
//!
//! ```no_run
//! # async fn demo(runtime: std::sync::Arc<impl temporal_lite_core::engine::Runtime>) {
//! use temporal_lite_core::engine::doctor;
//!
//! // The default profile of the config file and the TEMPORAL_* variables, as a client
//! // connecting from the environment would use them.
//! let report = doctor::diagnose_from_env(runtime, None).await;
//! print!("{report}");
//! if !report.passed() {
//!     std::process::exit(1);
//! }
//! # }
//! ```

mod network;
mod report;
mod server;
mod tls_check;
mod tls_probe;
mod validity;

use std::format;
use std::string::{String, ToString};
use std::sync::Arc;
use std::vec::Vec;

pub use report::{Check, Report, Step, Verdict};

use super::Runtime;
use crate::config::{
    load_connect_options_with_provenance, ConnectOptions, LoadProfileOptions, LoadedOptions,
    Provenance, Source,
};

/// Check a connection with `options` (built in code) on `runtime`.
pub async fn diagnose<R: Runtime>(runtime: Arc<R>, options: &ConnectOptions) -> Report {
    let provenance = Provenance::of_code(options);
    let config = Step::pass(Check::Config, "options given in code");
    run(runtime, options, provenance, config).await
}

/// Check a connection with options loaded from the environment configuration, with their
/// provenance (from `config::load_connect_options_with_provenance` or
/// `LoadedProfile::to_connect_options`).
pub async fn diagnose_loaded<R: Runtime>(runtime: Arc<R>, loaded: &LoadedOptions) -> Report {
    let config = Step::pass(Check::Config, describe_config(&loaded.provenance));
    run(runtime, &loaded.options, loaded.provenance.clone(), config).await
}

/// Load the options as a client connecting from the environment would (profile `profile`,
/// or `TEMPORAL_PROFILE`, or `default`, of the config file, then the `TEMPORAL_*`
/// variables) and check a connection with them. A config that does not load fails the
/// first check, with the error naming the file, profile, key or variable.
pub async fn diagnose_from_env<R: Runtime>(runtime: Arc<R>, profile: Option<&str>) -> Report {
    let mut load = LoadProfileOptions::default();
    if let Some(profile) = profile {
        load = load.profile(profile);
    }
    match load_connect_options_with_provenance(&load) {
        Ok(loaded) => diagnose_loaded(runtime, &loaded).await,
        Err(error) => {
            let mut steps = Vec::from([Step::fail(
                Check::Config,
                format!("the settings do not load: {error}"),
                "correct the file, profile, key or variable the error names",
            )]);
            skip_rest(&mut steps, Check::Config);
            Report {
                address: String::from("(unknown)"),
                namespace: String::from("(unknown)"),
                steps,
                provenance: None,
            }
        }
    }
}

/// Where the config came from, for the config step.
fn describe_config(provenance: &Provenance) -> String {
    let file = provenance.get("config_file");
    let profile = provenance.get("profile");
    let profile = profile
        .and_then(|p| p.value.clone())
        .unwrap_or_else(|| String::from("\"default\""));
    match file.and_then(|f| f.value.clone()) {
        Some(file) => {
            let note = file_note(provenance);
            format!("profile {profile} of {file}{note}, then the TEMPORAL_* variables")
        }
        None => format!("profile {profile}: no config file, the TEMPORAL_* variables only"),
    }
}

/// Whether any setting came from the file (a missing file is an empty config).
fn file_note(provenance: &Provenance) -> &'static str {
    let from_file = provenance
        .iter()
        .any(|s| matches!(s.source, Source::File { .. }));
    if from_file {
        ""
    } else {
        " (no setting from it: missing or empty)"
    }
}

/// The checks after `failed`, skipped.
fn skip_rest(steps: &mut Vec<Step>, failed: Check) {
    const ORDER: [Check; 9] = [
        Check::Config,
        Check::Address,
        Check::Dns,
        Check::Tcp,
        Check::Tls,
        Check::Auth,
        Check::Grpc,
        Check::Namespace,
        Check::Server,
    ];
    for check in ORDER {
        if steps.iter().all(|s| s.check != check) {
            steps.push(Step::skip(
                check,
                format!("not checked: the {failed} check failed"),
            ));
        }
    }
}

/// What the checks share: the options, where they came from, and the results so far.
pub(super) struct Doctor<'a, R> {
    pub(super) runtime: Arc<R>,
    pub(super) options: &'a ConnectOptions,
    pub(super) provenance: &'a Provenance,
    pub(super) steps: Vec<Step>,
}

impl<R> Doctor<'_, R> {
    /// `setting` and where its value came from, for fixes: `address from env
    /// TEMPORAL_ADDRESS`.
    pub(super) fn origin(&self, setting: &str) -> String {
        match self.provenance.get(setting) {
            Some(found) => format!("{setting} from {}", found.source),
            None => setting.to_string(),
        }
    }

    /// Record `step`; whether the run goes on (it did not fail).
    pub(super) fn record(&mut self, step: Step) -> bool {
        let go_on = step.verdict != Verdict::Fail;
        let check = step.check;
        self.steps.push(step);
        if !go_on {
            skip_rest(&mut self.steps, check);
        }
        go_on
    }
}

async fn run<R: Runtime>(
    runtime: Arc<R>,
    options: &ConnectOptions,
    provenance: Provenance,
    config: Step,
) -> Report {
    let mut doctor = Doctor {
        runtime,
        options,
        provenance: &provenance,
        steps: Vec::from([config]),
    };
    doctor.check_all().await;
    let steps = doctor.steps;
    Report {
        address: options.address.clone(),
        namespace: options.namespace.clone(),
        steps,
        provenance: Some(provenance),
    }
}

impl<R: Runtime> Doctor<'_, R> {
    async fn check_all(&mut self) {
        let Some(endpoint) = self.check_address() else {
            return;
        };
        let Some(addresses) = self.check_dns(&endpoint).await else {
            return;
        };
        let Some(io) = self.check_tcp(&endpoint, &addresses).await else {
            return;
        };
        if !self.check_tls(&endpoint, io).await {
            return;
        }
        self.check_server().await;
    }
}
