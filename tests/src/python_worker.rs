//! The Python SDK worker of `tests/python/worker.py`.
//!
//! Its docstring lists the workflows it registers (`Echo`, `Sleep`, `Fail`,
//! `ContinueAsNewChain`, `RetryingActivity`, `SignalWait`, `AlwaysFailTask`, `RetryWorkflow`,
//! `MoneyTransfer`) with their arguments and results.

use std::time::Duration;

use crate::paths::{python, worker_script, workspace_root};
use crate::process::{Output, Supervised};
use crate::HarnessError;

/// The line the worker prints once the server has seen it poll.
pub const READY_LINE: &str = "WORKER READY";

/// How long the worker may take to connect and start polling.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a stop may take before SIGKILL (the worker itself allows 1 s for running tasks).
const STOP_GRACE: Duration = Duration::from_secs(5);

/// A running `tests/python/worker.py`, stopped (SIGTERM, then SIGKILL) when dropped.
pub struct PythonWorker {
    process: Option<Supervised>,
    output: Output,
    namespace: String,
    task_queue: String,
}

impl PythonWorker {
    /// Start a worker for namespace `default`; panic with its output on failure.
    pub fn start(address: &str, task_queue: &str) -> PythonWorker {
        PythonWorker::start_in(address, "default", task_queue)
    }

    /// Start a worker for `namespace`; panic with its output on failure.
    pub fn start_in(address: &str, namespace: &str, task_queue: &str) -> PythonWorker {
        PythonWorker::try_start(address, namespace, task_queue).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Start a worker polling `task_queue` of `namespace` on the server at `address`, and wait
    /// (up to 30 s) until it prints its ready line.
    pub fn try_start(
        address: &str,
        namespace: &str,
        task_queue: &str,
    ) -> Result<PythonWorker, HarnessError> {
        let python = python().map_err(HarnessError::from_missing)?;
        let args = vec![
            worker_script().to_string_lossy().into_owned(),
            "--address".to_string(),
            address.to_string(),
            "--namespace".to_string(),
            namespace.to_string(),
            "--task-queue".to_string(),
            task_queue.to_string(),
            // Also poll `<task_queue>-codec` with the AES-GCM payload codec (suite codec cases).
            "--codec".to_string(),
        ];
        let name = format!("python-worker:{task_queue}");
        let mut process = Supervised::spawn(&name, &python, &args, &workspace_root())?;
        if !process
            .output()
            .wait_for_stdout_line(READY_LINE, READY_TIMEOUT)
        {
            process.kill_now();
            return Err(HarnessError::new(process.report(&format!(
                "the Python worker did not print {READY_LINE:?} within {} s \
                 (server {address}, namespace {namespace}, task queue {task_queue})",
                READY_TIMEOUT.as_secs()
            ))));
        }
        Ok(PythonWorker {
            output: process.output().clone(),
            process: Some(process),
            namespace: namespace.to_string(),
            task_queue: task_queue.to_string(),
        })
    }

    /// Return the task queue this worker polls.
    pub fn task_queue(&self) -> &str {
        &self.task_queue
    }

    /// Return the namespace this worker polls.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Return the worker's output (stdout and stderr lines) so far.
    pub fn logs(&self) -> String {
        self.output.text()
    }

    /// Stop the worker (SIGTERM, SIGKILL after 5 s) and wait until it is gone.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.stop(STOP_GRACE);
        }
    }
}

impl Drop for PythonWorker {
    fn drop(&mut self) {
        if let Some(process) = self.process.take() {
            process.stop_in_background(STOP_GRACE);
        }
    }
}
