//! nginx as a gRPC TLS front, like Temporal Cloud's, in front of a real dev server.
//!
//! [`NginxFront`] runs Debian's `nginx` in the foreground (under `scripts/supervise.sh`, like
//! every harness process) with its configuration, certificates, logs and temporary folders in
//! `.tmp/tests/nginx-PID-N/` of the workspace. It terminates TLS on a free loopback port and
//! passes gRPC to the upstream (plaintext) dev server. It authenticates callers one of two
//! ways, as Temporal Cloud does:
//!
//! - [`FrontAuth::Mtls`]: a client certificate issued by the test CA is required;
//! - [`FrontAuth::ApiKey`]: `authorization: Bearer <key>` must carry the key.
//!
//! Rejections are proper gRPC answers (Trailers-Only, `grpc-status: 16` UNAUTHENTICATED, with
//! a message saying what is wrong), and an unreachable upstream is `grpc-status: 14`
//! UNAVAILABLE, never an HTML error page.
//!
//! [`shared_mtls_front`] and [`shared_api_key_front`] give one front of each kind in front of
//! [`shared_env`], for every test of a test binary;
//! [`NginxFront::connect_options`] gives options that connect through it.

use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

use temporal_lite_core::config::{ConnectOptions, PrivateKey, TlsOptions};

use crate::certs::{files, shared_pki, PkiFiles};
use crate::process::{free_port, Supervised};
use crate::{shared_env, HarnessError};

/// How long nginx may take to accept connections (it usually takes under 100 ms).
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// How often to start over on a new port when the chosen one was taken meanwhile.
const PORT_ATTEMPTS: usize = 3;

/// The server name in the fronts' certificate (it also holds `127.0.0.1`).
pub const FRONT_SERVER_NAME: &str = "localhost";

/// The `grpc-message` of an API-key front for a call without `authorization`.
pub const MISSING_KEY_MESSAGE: &str = "missing API key: send the header authorization: Bearer KEY";
/// The `grpc-message` of an API-key front for a call with another key.
pub const WRONG_KEY_MESSAGE: &str = "invalid API key";
/// The `grpc-message` of an mTLS front for a connection without a client certificate.
pub const MISSING_CERT_MESSAGE: &str =
    "client certificate required: this endpoint accepts only mTLS connections";
/// The start of the `grpc-message` of an mTLS front for a client certificate it does not
/// trust; nginx's verification result follows.
pub const REJECTED_CERT_MESSAGE: &str = "client certificate rejected";

/// How a front authenticates callers.
#[derive(Clone, PartialEq, Eq)]
pub enum FrontAuth {
    /// mTLS: a client certificate issued by the test CA (directly or through an
    /// intermediate) is required.
    Mtls,
    /// API key: every call must carry `authorization: Bearer <key>`.
    ApiKey(String),
}

impl std::fmt::Debug for FrontAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrontAuth::Mtls => f.write_str("Mtls"),
            FrontAuth::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
        }
    }
}

/// Settings of an [`NginxFront`]; make one with [`NginxFront::builder`].
#[derive(Debug, Clone)]
pub struct NginxFrontBuilder {
    auth: FrontAuth,
    upstream: String,
    keepalive_requests: Option<u32>,
}

impl NginxFrontBuilder {
    /// Send GOAWAY after this many requests on a connection (nginx's default is 1000).
    pub fn keepalive_requests(mut self, requests: u32) -> Self {
        self.keepalive_requests = Some(requests);
        self
    }

    /// Start nginx and wait until it accepts connections; panic on failure.
    pub fn start(self) -> NginxFront {
        self.try_start().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Start nginx and wait until it accepts connections.
    pub fn try_start(self) -> Result<NginxFront, HarnessError> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let nginx = nginx_binary()?;
        let pki = shared_pki();
        let dir = crate::certs::scratch_dir(&format!(
            "nginx-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ))?;
        for temp in ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"] {
            std::fs::create_dir_all(dir.join("temp").join(temp)).map_err(|e| {
                HarnessError::new(format!("cannot create a folder in {}: {e}", dir.display()))
            })?;
        }
        let mut last_error = None;
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port()?;
            let config = self.config(&dir, pki, port);
            let config_path = dir.join("nginx.conf");
            std::fs::write(&config_path, config).map_err(|e| {
                HarnessError::new(format!("cannot write {}: {e}", config_path.display()))
            })?;
            let _ = std::fs::remove_file(dir.join("error.log"));
            match launch(&nginx, &dir, port) {
                Ok(process) => {
                    return Ok(NginxFront {
                        settings: self,
                        dir,
                        port,
                        process: Some(process),
                        pki,
                    })
                }
                Err((error, port_taken)) if port_taken => last_error = Some(error),
                Err((error, _)) => return Err(error),
            }
        }
        Err(last_error.unwrap_or_else(|| HarnessError::new("nginx did not start")))
    }

    fn config(&self, dir: &Path, pki: &PkiFiles, port: u16) -> String {
        let d = dir.display();
        let upstream = &self.upstream;
        let mut auth = String::new();
        let mut map = String::new();
        let mut check = String::new();
        match &self.auth {
            FrontAuth::Mtls => {
                auth = format!(
                    "        ssl_client_certificate {};\n        ssl_verify_client on;\n        \
                     ssl_verify_depth 2;\n",
                    pki.path(files::CA).display()
                );
            }
            FrontAuth::ApiKey(key) => {
                map = format!(
                    "    map $http_authorization $temporal_lite_key {{\n        default wrong;\n        \
                     \"\" missing;\n        \"Bearer {key}\" ok;\n    }}\n"
                );
                check =
                    "            if ($temporal_lite_key = missing) { return 401; }\n            \
                         if ($temporal_lite_key = wrong) { return 403; }\n"
                        .to_string();
            }
        }
        let keepalive = self
            .keepalive_requests
            .map(|n| format!("        keepalive_requests {n};\n"))
            .unwrap_or_default();
        let reply = |status: u32, message: &str| {
            format!(
                "            default_type application/grpc;\n            \
                 add_header grpc-status {status} always;\n            \
                 add_header grpc-message \"{message}\" always;\n            return 200;\n"
            )
        };
        format!(
            r#"# Written by temporal-lite's test harness (tests/src/tls_front.rs).
daemon off;
master_process off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{
    worker_connections 512;
}}
http {{
    log_format temporal_lite '$connection $connection_requests $status $request_uri';
    access_log {d}/access.log temporal_lite;
    client_body_temp_path {d}/temp/client_body;
    proxy_temp_path {d}/temp/proxy;
    fastcgi_temp_path {d}/temp/fastcgi;
    uwsgi_temp_path {d}/temp/uwsgi;
    scgi_temp_path {d}/temp/scgi;
{map}
    server {{
        listen 127.0.0.1:{port} ssl http2;
        ssl_certificate {server_cert};
        ssl_certificate_key {server_key};
{auth}        client_max_body_size 0;
        grpc_read_timeout 600s;
        grpc_send_timeout 600s;
{keepalive}        error_page 401 = @missing_key;
        error_page 403 = @wrong_key;
        error_page 495 = @rejected_cert;
        error_page 496 = @missing_cert;
        error_page 502 503 504 = @unavailable;
        location / {{
{check}            grpc_pass grpc://{upstream};
        }}
        location @missing_key {{
{missing_key}        }}
        location @wrong_key {{
{wrong_key}        }}
        location @missing_cert {{
{missing_cert}        }}
        location @rejected_cert {{
{rejected_cert}        }}
        location @unavailable {{
{unavailable}        }}
    }}
}}
"#,
            server_cert = pki.path(files::SERVER_CERT).display(),
            server_key = pki.path(files::SERVER_KEY).display(),
            missing_key = reply(16, MISSING_KEY_MESSAGE),
            wrong_key = reply(16, WRONG_KEY_MESSAGE),
            missing_cert = reply(16, MISSING_CERT_MESSAGE),
            rejected_cert = reply(16, &format!("{REJECTED_CERT_MESSAGE}: $ssl_client_verify")),
            unavailable = reply(14, "the Temporal server behind this front is unavailable"),
        )
    }
}

/// `nginx` in the foreground as a gRPC TLS front; stopped (and its folder removed) on drop.
///
/// It also stops when the test process ends without dropping it, as every process of the
/// harness does.
pub struct NginxFront {
    settings: NginxFrontBuilder,
    dir: PathBuf,
    port: u16,
    process: Option<Supervised>,
    pki: &'static PkiFiles,
}

impl std::fmt::Debug for NginxFront {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NginxFront")
            .field("address", &self.address())
            .field("auth", &self.settings.auth)
            .field("upstream", &self.settings.upstream)
            .finish_non_exhaustive()
    }
}

impl NginxFront {
    /// Settings for a front with `auth` passing calls to the gRPC server at `upstream`
    /// (`host:port`, plaintext).
    pub fn builder(auth: FrontAuth, upstream: impl Into<String>) -> NginxFrontBuilder {
        NginxFrontBuilder {
            auth,
            upstream: upstream.into(),
            keepalive_requests: None,
        }
    }

    /// Start an mTLS front for `upstream`; panic on failure.
    pub fn mtls(upstream: impl Into<String>) -> NginxFront {
        NginxFront::builder(FrontAuth::Mtls, upstream).start()
    }

    /// Start an API-key front for `upstream` accepting `key`; panic on failure.
    pub fn api_key(upstream: impl Into<String>, key: impl Into<String>) -> NginxFront {
        NginxFront::builder(FrontAuth::ApiKey(key.into()), upstream).start()
    }

    /// The front's address, `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The front's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// How the front authenticates callers.
    pub fn auth(&self) -> &FrontAuth {
        &self.settings.auth
    }

    /// The key an API-key front accepts.
    pub fn accepted_api_key(&self) -> Option<&str> {
        match &self.settings.auth {
            FrontAuth::ApiKey(key) => Some(key),
            FrontAuth::Mtls => None,
        }
    }

    /// The certificates the front uses and trusts (and the files they are in).
    pub fn pki(&self) -> &'static PkiFiles {
        self.pki
    }

    /// The folder with the front's configuration and logs.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// TLS settings that trust the front's certificate: the test CA, server name
    /// [`FRONT_SERVER_NAME`], no client certificate.
    pub fn server_tls_options(&self) -> TlsOptions {
        TlsOptions {
            domain: Some(FRONT_SERVER_NAME.to_string()),
            server_root_ca_cert: Some(self.pki.pki.ca_pem.clone().into_bytes()),
            ..TlsOptions::default()
        }
    }

    /// Options that connect through this front to namespace `default` and pass its checks:
    /// TLS trusting the test CA, plus the client certificate and key (mTLS front) or the
    /// accepted API key (API-key front). Change the namespace with `with_namespace`.
    pub fn connect_options(&self) -> ConnectOptions {
        let mut tls = self.server_tls_options();
        let mut options = ConnectOptions::new(self.address());
        match &self.settings.auth {
            FrontAuth::Mtls => {
                tls.client_cert = Some(self.pki.pki.client.cert_pem.clone().into_bytes());
                tls.client_private_key = Some(PrivateKey::new(
                    self.pki.pki.client.key_pem.clone().into_bytes(),
                ));
            }
            FrontAuth::ApiKey(key) => options = options.api_key(key.clone()),
        }
        options.tls(tls)
    }

    /// The access log so far: one line per request, `CONNECTION REQUEST_NO STATUS URI`
    /// (`CONNECTION` is nginx's serial number of the client connection).
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default()
    }

    /// The connection serial numbers of the requests logged so far, in order.
    pub fn logged_connections(&self) -> Vec<u64> {
        self.access_log()
            .lines()
            .filter_map(|line| line.split_whitespace().next()?.parse().ok())
            .collect()
    }

    /// nginx's error log so far.
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }

    /// Keep this front running until the test process ends, for options that must outlive
    /// any owner (e.g. a front for a dedicated server whose options are handed out). It still
    /// stops with the test process, as every harness process does; its folder is removed by
    /// a later test process.
    pub fn leak(self) -> &'static NginxFront {
        Box::leak(Box::new(self))
    }

    /// Stop nginx (SIGTERM, SIGKILL after 5 s) and wait until it is gone.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.stop(Duration::from_secs(5));
        }
    }
}

impl Drop for NginxFront {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Start nginx in `dir` and wait until `port` accepts connections. The error's flag says
/// whether the port was taken.
fn launch(nginx: &Path, dir: &Path, port: u16) -> Result<Supervised, (HarnessError, bool)> {
    let prefix = format!("{}/", dir.display());
    let args = vec![
        "-p".to_string(),
        prefix,
        "-c".to_string(),
        dir.join("nginx.conf").display().to_string(),
        "-e".to_string(),
        dir.join("error.log").display().to_string(),
    ];
    let name = format!("nginx:{port}");
    let mut process = Supervised::spawn(&name, nginx, &args, dir).map_err(|e| (e, false))?;
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if process.try_status().is_some() {
            let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            let taken = log.contains("Address already in use");
            let error = HarnessError::new(format!(
                "{}\nerror.log:\n{log}",
                process.report("nginx exited early")
            ));
            return Err((error, taken));
        }
        if accepts(port) {
            return Ok(process);
        }
        if Instant::now() >= deadline {
            process.kill_now();
            let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            let error = HarnessError::new(format!(
                "{}\nerror.log:\n{log}",
                process.report(&format!(
                    "nginx did not accept connections on 127.0.0.1:{port} within {} s",
                    READY_TIMEOUT.as_secs()
                ))
            ));
            return Err((error, false));
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn accepts(port: u16) -> bool {
    match TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    ) {
        Ok(mut stream) => {
            // Close at once; nginx logs nothing for a connection that sent no bytes.
            let _ = stream.set_read_timeout(Some(Duration::from_millis(1)));
            let _ = stream.read(&mut [0u8; 1]);
            true
        }
        Err(_) => false,
    }
}

/// The `nginx` binary: `/usr/sbin/nginx` (Debian), or the first `nginx` on `PATH`.
pub fn nginx_binary() -> Result<PathBuf, HarnessError> {
    let debian = Path::new("/usr/sbin/nginx");
    if debian.is_file() {
        return Ok(debian.to_path_buf());
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("nginx");
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(HarnessError::new(
        "nginx is not installed; the TLS front tests need it. Fix: run `bash scripts/setup.sh` \
         (it installs the Debian package nginx without starting its system service)",
    ))
}

/// The API key [`shared_api_key_front`] accepts: made up per test process, so it appears
/// nowhere but in this process (the secret-leak tests look for it).
pub fn shared_api_key() -> &'static str {
    static KEY: OnceLock<String> = OnceLock::new();
    KEY.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        format!("tlk{}x{nanos:x}SECRET", std::process::id())
    })
}

/// An mTLS front before [`shared_env`]'s server, shared by every test of
/// this test binary and started on first use (after the shared server). Do not stop it.
pub fn shared_mtls_front() -> &'static NginxFront {
    static FRONT: OnceLock<Result<NginxFront, HarnessError>> = OnceLock::new();
    let front = FRONT
        .get_or_init(|| NginxFront::builder(FrontAuth::Mtls, shared_env().address()).try_start());
    match front {
        Ok(front) => front,
        Err(e) => panic!("{e}"),
    }
}

/// An API-key front (accepting [`shared_api_key`]) before [`shared_env`]'s
/// server, shared by every test of this test binary and started on first use. Do not stop it.
pub fn shared_api_key_front() -> &'static NginxFront {
    static FRONT: OnceLock<Result<NginxFront, HarnessError>> = OnceLock::new();
    let front = FRONT.get_or_init(|| {
        NginxFront::builder(
            FrontAuth::ApiKey(shared_api_key().to_string()),
            shared_env().address(),
        )
        .try_start()
    });
    match front {
        Ok(front) => front,
        Err(e) => panic!("{e}"),
    }
}
