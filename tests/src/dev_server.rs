//! A real Temporal dev server (`temporal server start-dev`) on a loopback port.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::paths::{temporal_cli, workspace_root};
use crate::process::{free_port, scrub_env, Supervised};
use crate::HarnessError;

/// Dynamic config every harness server gets, as `(key, JSON value)`.
///
/// - timers and retry backoffs fire on time instead of up to about 1 s late;
/// - continue-as-new does not wait about 1 s per run;
/// - a history long poll returns an empty page after 3 s instead of 20 s.
pub const FAST_DYNAMIC_CONFIG: &[(&str, &str)] = &[
    ("history.timerProcessorMaxTimeShift", "\"10ms\""),
    ("history.workflowIdReuseMinimalInterval", "\"0s\""),
    ("history.longPollExpirationInterval", "\"3s\""),
];

/// How long a server may take to answer its first call.
const READY_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a graceful stop may take before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// How often to start over on a new port when the chosen one was taken meanwhile.
const PORT_ATTEMPTS: usize = 3;

/// Settings for a [`DevServer`]; make one with [`DevServer::builder`].
#[derive(Debug, Clone)]
pub struct DevServerBuilder {
    persistent: bool,
    port: Option<u16>,
    namespaces: Vec<String>,
    dynamic_config: Vec<(String, String)>,
}

impl DevServerBuilder {
    /// Keep state in a database file in a temporary folder, so that it survives
    /// [`DevServer::kill_hard`] + [`DevServer::restart`]. The folder is removed on drop.
    pub fn persistent(mut self, persistent: bool) -> Self {
        self.persistent = persistent;
        self
    }

    /// Listen on this port instead of a free one picked at start.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Create this namespace at launch (`default` always exists).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespaces.push(namespace.into());
        self
    }

    /// Set a dynamic config value; `json_value` is JSON (durations are strings: `"\"3s\""`).
    ///
    /// Replaces an earlier value for the same key, including one of [`FAST_DYNAMIC_CONFIG`].
    pub fn dynamic_config(mut self, key: impl Into<String>, json_value: impl Into<String>) -> Self {
        let key = key.into();
        self.dynamic_config.retain(|(k, _)| *k != key);
        self.dynamic_config.push((key, json_value.into()));
        self
    }

    /// Start the server and wait until it answers, or panic with its output and the fix.
    pub fn start(self) -> DevServer {
        self.try_start().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Start the server and wait until it answers.
    pub fn try_start(self) -> Result<DevServer, HarnessError> {
        let cli = temporal_cli().map_err(HarnessError::from_missing)?;
        let db_dir = if self.persistent {
            Some(new_temp_dir()?)
        } else {
            None
        };
        let mut server = DevServer {
            port: self.port.unwrap_or(0),
            settings: self,
            cli,
            db_dir,
            process: None,
            earlier_output: String::new(),
        };
        let attempts = if server.settings.port.is_some() {
            1
        } else {
            PORT_ATTEMPTS
        };
        let mut last_error = None;
        for _ in 0..attempts {
            if server.settings.port.is_none() {
                server.port = free_port()?;
            }
            match server.launch() {
                Ok(()) => return Ok(server),
                Err(e) if e.port_taken => last_error = Some(e.error),
                Err(e) => return Err(e.error),
            }
        }
        Err(last_error.unwrap_or_else(|| HarnessError::new("dev server did not start")))
    }
}

/// A `temporal server start-dev` process on `127.0.0.1`, stopped when dropped.
///
/// It runs under `scripts/supervise.sh`, so it also stops when the test process ends without
/// dropping it (for example when it is kept in a static).
pub struct DevServer {
    settings: DevServerBuilder,
    port: u16,
    cli: PathBuf,
    db_dir: Option<PathBuf>,
    process: Option<Supervised>,
    earlier_output: String,
}

struct LaunchError {
    error: HarnessError,
    port_taken: bool,
}

impl DevServer {
    /// Start an in-memory server on a free port with [`FAST_DYNAMIC_CONFIG`]; panic on failure.
    pub fn start() -> DevServer {
        DevServer::builder().start()
    }

    /// Return default settings: in memory, a free port, [`FAST_DYNAMIC_CONFIG`].
    pub fn builder() -> DevServerBuilder {
        DevServerBuilder {
            persistent: false,
            port: None,
            namespaces: Vec::new(),
            dynamic_config: FAST_DYNAMIC_CONFIG
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// Return the gRPC address, `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Return the gRPC port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Return the database file of a persistent server.
    pub fn db_file(&self) -> Option<PathBuf> {
        self.db_dir.as_ref().map(|d| d.join("dev.db"))
    }

    /// Return whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        match &mut self.process {
            Some(p) => p.try_status().is_none(),
            None => false,
        }
    }

    /// Kill the server at once with SIGKILL, as a crash would, and wait until it is gone.
    ///
    /// Calls in flight fail; a persistent server keeps its state for [`DevServer::restart`].
    pub fn kill_hard(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill_now();
            self.keep_output(&process);
        }
    }

    /// Stop the server gracefully (SIGTERM, SIGKILL after 10 s) and wait until it is gone.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.stop(STOP_GRACE);
            self.keep_output(&process);
        }
    }

    /// Start the server again on the same port (and database file); panic on failure.
    ///
    /// A running server is killed first. Waits until the new process answers.
    pub fn restart(&mut self) {
        self.try_restart().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Start the server again on the same port (and database file).
    pub fn try_restart(&mut self) -> Result<(), HarnessError> {
        self.kill_hard();
        // The port is normally free at once; give a slow kernel a moment if it is not.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.launch() {
                Ok(()) => return Ok(()),
                Err(e) if e.port_taken && Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(100));
                }
                Err(e) => return Err(e.error),
            }
        }
    }

    /// Return the output (stderr, stdout) of this server's processes so far.
    pub fn logs(&self) -> String {
        let mut text = self.earlier_output.clone();
        if let Some(p) = &self.process {
            text.push_str(&p.output().text());
        }
        text
    }

    /// Return a `temporal` CLI command whose last arguments will be `args` followed by this
    /// server's `--address` and flags that ignore the user's config file and `TEMPORAL_*`
    /// variables. Run it with `.output()`.
    pub fn cli_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.cli);
        cmd.args(args)
            .arg("--address")
            .arg(self.address())
            .args(["--disable-config-file", "--disable-config-env"])
            .current_dir(workspace_root())
            .stdin(Stdio::null());
        scrub_env(&mut cmd);
        cmd
    }

    /// Run the `temporal` CLI against this server (see [`DevServer::cli_command`]).
    ///
    /// Panics only if the CLI cannot be started at all; check the returned status.
    pub fn cli(&self, args: &[&str]) -> Output {
        self.cli_command(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.cli.display()))
    }

    fn keep_output(&mut self, process: &Supervised) {
        self.earlier_output.push_str(&process.output().text());
        self.earlier_output
            .push_str("[--- server process ended ---]\n");
    }

    fn start_dev_args(&self) -> Vec<String> {
        let mut args: Vec<String> = [
            "server",
            "start-dev",
            "--headless",
            "--ip",
            "127.0.0.1",
            "--log-level",
            "warn",
            "--disable-config-file",
            "--disable-config-env",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push("--port".into());
        args.push(self.port.to_string());
        if let Some(db) = self.db_file() {
            args.push("--db-filename".into());
            args.push(db.to_string_lossy().into_owned());
        }
        for ns in &self.settings.namespaces {
            args.push("--namespace".into());
            args.push(ns.clone());
        }
        for (key, value) in &self.settings.dynamic_config {
            args.push("--dynamic-config-value".into());
            args.push(format!("{key}={value}"));
        }
        args
    }

    /// Start the process and wait until every namespace answers.
    fn launch(&mut self) -> Result<(), LaunchError> {
        let name = format!("temporal-dev-server:{}", self.port);
        let args = self.start_dev_args();
        let mut process =
            Supervised::spawn(&name, &self.cli, &args, &workspace_root()).map_err(|error| {
                LaunchError {
                    error,
                    port_taken: false,
                }
            })?;
        let deadline = Instant::now() + READY_TIMEOUT;
        let mut namespaces = vec!["default".to_string()];
        namespaces.extend(self.settings.namespaces.iter().cloned());
        let mut pending = namespaces.as_slice();
        while let Some((ns, rest)) = pending.split_first() {
            if process.try_status().is_some() {
                let text = process.output().text();
                let port_taken = text.contains("address already in use");
                let error = HarnessError::new(process.report("the dev server exited early"));
                self.keep_output(&process);
                return Err(LaunchError { error, port_taken });
            }
            if Instant::now() >= deadline {
                process.kill_now();
                let error = HarnessError::new(process.report(&format!(
                    "the dev server did not answer on {} within {} s",
                    self.address(),
                    READY_TIMEOUT.as_secs()
                )));
                self.keep_output(&process);
                return Err(LaunchError {
                    error,
                    port_taken: false,
                });
            }
            if self.namespace_answers(ns) {
                pending = rest;
            } else {
                thread::sleep(Duration::from_millis(100));
            }
        }
        self.process = Some(process);
        Ok(())
    }

    fn namespace_answers(&self, namespace: &str) -> bool {
        self.cli_command(&[
            "operator",
            "namespace",
            "describe",
            "--namespace",
            namespace,
            "--command-timeout",
            "2s",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        if let Some(process) = self.process.take() {
            if self.db_dir.is_some() {
                // The database folder is removed below: the process must be gone first.
                let mut process = process;
                process.kill_now();
            } else {
                // State is in memory: let it shut down while the tests go on.
                process.stop_in_background(STOP_GRACE);
            }
        }
        if let Some(dir) = self.db_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Make a new empty folder for this process under the system's temporary folder.
fn new_temp_dir() -> Result<PathBuf, HarnessError> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!(
        "temporal-lite-tests-{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| {
        HarnessError::new(format!("cannot create {}: {e}", Path::new(&dir).display()))
    })?;
    Ok(dir)
}
