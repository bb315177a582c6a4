//! The samples program (`tests/samples`, whose only temporal-lite dependency is
//! temporal-lite-tokio) against a dev server and the Python worker: connected from code, from
//! a profile (a TOML file named by `TEMPORAL_CONFIG_FILE`) and from the environment, each run
//! starts the money transfer, waits for its result, describes it and prints its history.
//!
//! The program is built and run with `cargo run`, as a user would.

use std::path::Path;
use std::process::{Command, Output};

use temporal_lite_tests::TestEnv;

const TASK_QUEUE: &str = "samples";

/// `cargo run -q -p temporal-lite-samples -- <args>` with `env` added and every other
/// `TEMPORAL_*` variable removed.
fn run_samples(args: &[&str], env: &[(&str, &str)]) -> Output {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    let mut command = Command::new(cargo);
    command
        .current_dir(&workspace)
        .args(["run", "-q", "-p", "temporal-lite-samples", "--"])
        .args(args)
        .env("SAMPLES_TASK_QUEUE", TASK_QUEUE);
    for (name, _) in std::env::vars() {
        if name.starts_with("TEMPORAL_") {
            command.env_remove(name);
        }
    }
    // No user config file (the OS default path) may leak in.
    command.env("HOME", workspace.join("target"));
    command.envs(env.iter().copied());
    command.output().expect("cargo runs")
}

fn assert_sample_ran(how: &str, output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{how}: {stdout}\n{stderr}");
    for expected in [
        "Connected to namespace default as ",
        "Result: Transfer complete (transaction IDs: ",
        "Described: type MoneyTransfer, status completed",
        "History:",
        "    1 EVENT_TYPE_WORKFLOW_EXECUTION_STARTED",
        "EVENT_TYPE_ACTIVITY_TASK_COMPLETED",
        "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED",
    ] {
        assert!(
            stdout.contains(expected),
            "{how}: no {expected:?} in\n{stdout}"
        );
    }
    // The default identity is `pid@hostname`.
    let identity = stdout
        .lines()
        .find_map(|line| line.split(" as ").nth(1))
        .unwrap_or_default();
    assert!(
        identity
            .split_once('@')
            .is_some_and(|(pid, host)| { pid.parse::<u32>().is_ok() && !host.is_empty() }),
        "{how}: identity {identity:?}"
    );
}

#[test]
fn samples_connect_from_code_profile_and_env() {
    let env = TestEnv::start(TASK_QUEUE);
    let address = env.address();

    let output = run_samples(&["code", &address, env.namespace()], &[]);
    assert_sample_ran("from code", &output);

    let dir = std::env::temp_dir().join(format!("temporal-lite-samples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("temporal.toml");
    std::fs::write(
        &config,
        format!("[profile.samples]\naddress = \"{address}\"\nnamespace = \"default\"\n"),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let output = run_samples(&["profile", "samples"], &[("TEMPORAL_CONFIG_FILE", config)]);
    assert_sample_ran("from a profile", &output);
    std::fs::remove_dir_all(&dir).ok();

    let output = run_samples(
        &["env"],
        &[
            ("TEMPORAL_ADDRESS", &address),
            ("TEMPORAL_NAMESPACE", "default"),
        ],
    );
    assert_sample_ran("from the environment", &output);
}
