//! Proves the real-component harness works: dev server, Python worker, supervision, and the
//! loud message when `.venv` is missing.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use temporal_lite_tests::paths::{temporal_cli_in, workspace_root, SETUP_COMMAND};
use temporal_lite_tests::{shared_env, unique_id, DevServer, PythonWorker};

fn stdout_of(output: &std::process::Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn cli_executes_echo_through_the_shared_worker() {
    let env = shared_env();
    let id = unique_id("harness-echo");
    let output = env.server().cli(&[
        "workflow",
        "execute",
        "--type",
        "Echo",
        "--task-queue",
        env.task_queue(),
        "--workflow-id",
        &id,
        "--input",
        "\"hi\"",
    ]);
    let text = stdout_of(&output);
    assert!(output.status.success(), "{text}");
    let result_line = String::from_utf8_lossy(&output.stdout)
        .lines()
        .find(|l| l.trim_start().starts_with("Result "))
        .map(str::to_string)
        .unwrap_or_default();
    assert!(result_line.ends_with("\"hi\""), "{text}");
}

fn fake_root(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(unique_id(name));
    std::fs::create_dir_all(&root).unwrap();
    root
}

#[test]
fn missing_venv_names_the_path_and_the_fix() {
    let root = fake_root("harness-no-venv");
    let err = temporal_cli_in(&root).unwrap_err();
    let text = err.to_string();
    assert!(text.contains(SETUP_COMMAND), "{text}");
    assert!(text.contains("bash scripts/setup.sh"), "{text}");
    assert!(
        text.contains(&root.join(".venv/bin/temporal").display().to_string()),
        "{text}"
    );

    std::fs::create_dir_all(root.join(".venv/bin")).unwrap();
    std::fs::write(root.join(".venv/bin/temporal"), b"").unwrap();
    assert_eq!(
        temporal_cli_in(&root).unwrap(),
        root.join(".venv/bin/temporal")
    );
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn the_real_workspace_has_the_cli() {
    let cli = temporal_cli_in(&workspace_root()).unwrap_or_else(|e| panic!("{e}"));
    assert!(cli.ends_with(".venv/bin/temporal"));
}

fn group_alive(pgid: u32) -> bool {
    Command::new("bash")
        .args([
            "-c",
            "kill -0 -- \"-$1\" 2>/dev/null",
            "probe",
            &pgid.to_string(),
        ])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[test]
fn supervisor_stops_its_command_when_the_parent_goes_away() {
    // Closing the supervisor's stdin is what the kernel does when the test process dies.
    let mut cmd = Command::new("bash");
    cmd.arg(workspace_root().join("scripts/supervise.sh"))
        .args(["sleep", "600"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd.spawn().unwrap();
    let pgid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"anything written is ignored\n").unwrap();
    thread::sleep(Duration::from_millis(300));
    assert!(group_alive(pgid));

    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(10);
    // The supervisor exits once its command is gone; until reaped it stays a zombie that
    // `kill -0` still sees, so reap it before looking at the group.
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "supervisor still running");
        thread::sleep(Duration::from_millis(20));
    }
    assert!(
        !group_alive(pgid),
        "sleep 600 outlived its supervisor's stdin"
    );
}

#[test]
fn persistent_server_survives_kill_hard_and_restart() {
    let mut server = DevServer::builder().persistent(true).start();
    let queue = unique_id("harness-restart");
    let worker = PythonWorker::start(&server.address(), &queue);
    let id = unique_id("harness-signal-wait");
    let started = server.cli(&[
        "workflow",
        "start",
        "--type",
        "SignalWait",
        "--task-queue",
        &queue,
        "--workflow-id",
        &id,
    ]);
    assert!(started.status.success(), "{}", stdout_of(&started));

    let port = server.port();
    server.kill_hard();
    assert!(!server.is_running());
    let down = server.cli(&[
        "workflow",
        "describe",
        "--workflow-id",
        &id,
        "--command-timeout",
        "2s",
    ]);
    assert!(
        !down.status.success(),
        "server still answers after kill_hard"
    );

    server.restart();
    assert_eq!(server.port(), port);
    let signalled = server.cli(&[
        "workflow",
        "signal",
        "--workflow-id",
        &id,
        "--name",
        "finish",
        "--input",
        "\"after restart\"",
    ]);
    assert!(signalled.status.success(), "{}", stdout_of(&signalled));
    // The worker reconnects on its own and completes the workflow.
    let result = server.cli(&[
        "workflow",
        "result",
        "--workflow-id",
        &id,
        "--command-timeout",
        "30s",
    ]);
    let text = stdout_of(&result);
    assert!(
        result.status.success(),
        "{text}\nworker:\n{}",
        worker.logs()
    );
    assert!(text.contains("\"after restart\""), "{text}");
}
