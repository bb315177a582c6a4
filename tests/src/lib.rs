//! Test harness shared by temporal-lite's integration tests.
//!
//! It runs real components from the project-local venv `.venv` (made by `bash scripts/setup.sh`):
//!
//! - [`DevServer`]: `temporal server start-dev` on a free loopback port, in memory or with a
//!   database file, with [`DevServer::kill_hard`] and [`DevServer::restart`] for fault tests;
//! - [`PythonWorker`]: `tests/python/worker.py`, a Python SDK worker whose workflows are listed
//!   in that file's docstring;
//! - [`shared_env`]: one server and one worker for all tests of a test binary;
//! - [`fault_proxy::FaultProxy`]: an HTTP/2 proxy that refuses, resets, blackholes, loses
//!   responses of chosen methods and sends GOAWAY, in front of a real server.
//!
//! Every process runs under `scripts/supervise.sh` in its own process group: dropping the
//! handle stops it (SIGTERM, then SIGKILL), and if the test process dies first the supervisor
//! notices its standard input closing and stops the process itself. Nothing is left behind.
//!
//! Set `TEMPORAL_LITE_TEST_ECHO=1` to copy the children's output to stderr as it arrives.

use std::fmt;

pub mod base64;
pub mod certs;
mod dev_server;
mod env;
pub mod fault_proxy;
pub mod mock_server;
pub mod paths;
pub mod peers;
mod process;
mod python_worker;
pub mod runtimes;
pub mod tls_front;

pub use dev_server::{DevServer, DevServerBuilder, FAST_DYNAMIC_CONFIG};
pub use env::{shared_env, unique_id, TestEnv, SHARED_TASK_QUEUE};
pub use python_worker::{PythonWorker, READY_LINE};
pub use tls_front::{shared_api_key_front, shared_mtls_front, NginxFront};

/// Why a harness component could not be started; its text includes the fix or the output.
#[derive(Debug, Clone)]
pub struct HarnessError {
    message: String,
}

impl HarnessError {
    fn new(message: impl Into<String>) -> HarnessError {
        HarnessError {
            message: message.into(),
        }
    }

    fn from_missing(missing: paths::MissingTool) -> HarnessError {
        HarnessError::new(missing.to_string())
    }
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HarnessError {}
