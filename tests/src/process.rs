//! Child processes that cannot outlive the test process.
//!
//! Every child is started as `bash scripts/supervise.sh CMD ARGS...` in a process group of its
//! own, with a pipe as standard input whose write end only this process holds. When the test
//! process exits, however it exits, the kernel closes the pipe and the supervisor stops the
//! command (SIGTERM, then SIGKILL). That also covers values kept in statics, whose `Drop` never
//! runs. Signals to the whole group go through bash's `kill` builtin, so no `libc` or unsafe code
//! is needed.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::paths::supervise_script;
use crate::HarnessError;

/// How many output lines of each child are kept for error messages.
const KEPT_LINES: usize = 400;

/// Set this variable (to anything) to copy every child's output to stderr as it arrives.
pub(crate) const ECHO_ENV: &str = "TEMPORAL_LITE_TEST_ECHO";

/// Pick a loopback TCP port that is free right now.
pub(crate) fn free_port() -> Result<u16, HarnessError> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| HarnessError::new(format!("cannot bind a loopback port: {e}")))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| HarnessError::new(format!("cannot read the bound port: {e}")))
}

/// Remove every `TEMPORAL_*` variable so a developer's settings cannot redirect a child.
pub(crate) fn scrub_env(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("TEMPORAL_") {
            cmd.env_remove(name);
        }
    }
}

#[derive(Default)]
struct OutputState {
    lines: VecDeque<String>,
    dropped: usize,
    open_streams: usize,
}

/// The last lines a child wrote, shared with the threads that read its pipes.
#[derive(Clone, Default)]
pub(crate) struct Output {
    inner: Arc<(Mutex<OutputState>, Condvar)>,
}

impl Output {
    fn push(&self, line: String) {
        let (lock, cond) = &*self.inner;
        let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
        if state.lines.len() == KEPT_LINES {
            state.lines.pop_front();
            state.dropped += 1;
        }
        state.lines.push_back(line);
        cond.notify_all();
    }

    fn close_stream(&self) {
        let (lock, cond) = &*self.inner;
        let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
        state.open_streams -= 1;
        cond.notify_all();
    }

    /// Return everything kept so far, one line per line.
    pub(crate) fn text(&self) -> String {
        let state = self.inner.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut text = String::new();
        if state.dropped > 0 {
            text.push_str(&format!("[... {} earlier lines dropped]\n", state.dropped));
        }
        for line in &state.lines {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// Wait until a line equal to `line` (after trimming) has been written to stdout.
    ///
    /// Returns false on timeout or when both pipes have closed without it.
    pub(crate) fn wait_for_stdout_line(&self, line: &str, timeout: Duration) -> bool {
        let wanted = format!("[stdout] {line}");
        let deadline = Instant::now() + timeout;
        let (lock, cond) = &*self.inner;
        let mut state = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if state.lines.iter().any(|l| l.trim_end() == wanted) {
                return true;
            }
            let now = Instant::now();
            if state.open_streams == 0 || now >= deadline {
                return false;
            }
            state = cond
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

fn spawn_reader(name: String, tag: &'static str, pipe: impl Read + Send + 'static, out: Output) {
    let echo = std::env::var_os(ECHO_ENV).is_some();
    let spawned = thread::Builder::new()
        .name(format!("{name}-{tag}"))
        .spawn(move || {
            let mut reader = BufReader::new(pipe);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        let text = String::from_utf8_lossy(&buf);
                        let text = text.trim_end_matches(['\n', '\r']);
                        if echo {
                            eprintln!("[{name} {tag}] {text}");
                        }
                        out.push(format!("[{tag}] {text}"));
                    }
                }
            }
            out.close_stream();
        });
    if spawned.is_err() {
        // Without a reader the pipe could fill up and block the child; there is no thread to
        // read it, so give up on this stream's output rather than on the child.
        eprintln!("temporal-lite-tests: could not start an output reader thread");
    }
}

/// A child process run under `scripts/supervise.sh` in its own process group.
pub(crate) struct Supervised {
    name: String,
    child: Child,
    /// Held only to keep the supervisor's stdin open; dropping it asks for a stop.
    stdin: Option<ChildStdin>,
    output: Output,
}

impl Supervised {
    /// Start `program args...` under the supervisor, with `cwd` as working folder.
    pub(crate) fn spawn(
        name: &str,
        program: &Path,
        args: &[String],
        cwd: &Path,
    ) -> Result<Supervised, HarnessError> {
        let mut cmd = Command::new("bash");
        cmd.arg(supervise_script())
            .arg(program)
            .args(args)
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        scrub_env(&mut cmd);
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd.spawn().map_err(|e| {
            HarnessError::new(format!("cannot start {name} ({}): {e}", program.display()))
        })?;
        let output = Output::default();
        output
            .inner
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .open_streams = 2;
        if let Some(stdout) = child.stdout.take() {
            spawn_reader(name.to_string(), "stdout", stdout, output.clone());
        }
        if let Some(stderr) = child.stderr.take() {
            spawn_reader(name.to_string(), "stderr", stderr, output.clone());
        }
        Ok(Supervised {
            name: name.to_string(),
            stdin: child.stdin.take(),
            child,
            output,
        })
    }

    /// Return the captured output so far.
    pub(crate) fn output(&self) -> &Output {
        &self.output
    }

    /// Return the exit status if the process has exited.
    pub(crate) fn try_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Send `signal` (a name such as `TERM` or `KILL`) to the whole process group.
    pub(crate) fn signal_group(&self, signal: &str) {
        let pgid = self.child.id().to_string();
        // A failure here means the group is already gone (or bash is missing, in which case
        // nothing could have been started in the first place).
        let _ = Command::new("bash")
            .args([
                "-c",
                "kill -s \"$1\" -- \"-$2\" 2>/dev/null",
                "kill",
                signal,
                &pgid,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }

    /// Kill the whole group at once (SIGKILL) and wait for the supervisor to exit.
    pub(crate) fn kill_now(&mut self) {
        self.signal_group("KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stdin = None;
    }

    /// Stop gracefully: SIGTERM to the group, SIGKILL after `grace`; wait for the exit.
    pub(crate) fn stop(&mut self, grace: Duration) {
        if self.try_status().is_some() {
            return;
        }
        self.signal_group("TERM");
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if self.try_status().is_some() {
                // The supervisor exits after its command; make sure nothing else is left.
                self.signal_group("KILL");
                self.stdin = None;
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        self.kill_now();
    }

    /// Stop in the background: SIGTERM now, SIGKILL after `grace` from a reaper thread.
    ///
    /// Returns at once. If the test process exits first, the supervisor finishes the job on its
    /// own because its standard input closes.
    pub(crate) fn stop_in_background(mut self, grace: Duration) {
        if self.try_status().is_some() {
            return;
        }
        self.signal_group("TERM");
        let name = self.name.clone();
        let reaper = thread::Builder::new()
            .name(format!("{name}-reaper"))
            .spawn(move || self.stop(grace));
        if let Err(e) = reaper {
            eprintln!("temporal-lite-tests: cannot start a reaper thread for {name}: {e}");
        }
    }

    /// Describe how the process ended, with its output, for an error message.
    pub(crate) fn report(&mut self, what: &str) -> String {
        let status = match self.try_status() {
            Some(status) => format!("exited with {status}"),
            None => "still running".to_string(),
        };
        format!(
            "{what}: {} {status}; its output:\n{}",
            self.name,
            self.output.text()
        )
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        if self.try_status().is_none() {
            self.kill_now();
        }
    }
}
