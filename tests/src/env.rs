//! One dev server plus one Python worker, shared by all tests of a test binary.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{DevServer, HarnessError, PythonWorker};

/// The task queue the worker of [`shared_env`] polls.
pub const SHARED_TASK_QUEUE: &str = "temporal-lite-tests";

/// A dev server with a Python worker polling one task queue of namespace `default`.
pub struct TestEnv {
    // Field order matters for a non-static TestEnv: the worker is dropped before the server.
    worker: PythonWorker,
    server: DevServer,
}

impl TestEnv {
    /// Start an in-memory dev server and a worker on `task_queue`; panic on failure.
    pub fn start(task_queue: &str) -> TestEnv {
        TestEnv::try_start(task_queue).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Start an in-memory dev server and a worker on `task_queue`.
    pub fn try_start(task_queue: &str) -> Result<TestEnv, HarnessError> {
        let server = DevServer::builder().try_start()?;
        let worker = PythonWorker::try_start(&server.address(), "default", task_queue)?;
        Ok(TestEnv { worker, server })
    }

    /// Return the server's gRPC address, `127.0.0.1:PORT`.
    pub fn address(&self) -> String {
        self.server.address()
    }

    /// Return the namespace the worker polls (`default`).
    pub fn namespace(&self) -> &str {
        self.worker.namespace()
    }

    /// Return the task queue the worker polls.
    pub fn task_queue(&self) -> &str {
        self.worker.task_queue()
    }

    /// Return the server.
    pub fn server(&self) -> &DevServer {
        &self.server
    }

    /// Return the worker.
    pub fn worker(&self) -> &PythonWorker {
        &self.worker
    }
}

/// Return the server and worker shared by every test of this test binary, starting them on
/// first use (the worker polls [`SHARED_TASK_QUEUE`]).
///
/// Tests run in threads of one process and may call this at the same time; the first call
/// starts the pair and the others wait for it. Both run under `scripts/supervise.sh`, so they
/// stop when the test process exits even though a static is never dropped. If starting fails,
/// every caller panics with the same message, at once. Do not stop or kill this server: use a
/// [`DevServer`] of your own for fault tests.
pub fn shared_env() -> &'static TestEnv {
    static ENV: OnceLock<Result<TestEnv, HarnessError>> = OnceLock::new();
    match ENV.get_or_init(|| TestEnv::try_start(SHARED_TASK_QUEUE)) {
        Ok(env) => env,
        Err(e) => panic!("{e}"),
    }
}

/// Return an ID no other call in any test process returns: `prefix-PID-N-NANOS`.
///
/// Use it for workflow IDs so tests sharing a server never collide.
pub fn unique_id(prefix: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}-{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}
