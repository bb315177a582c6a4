//! Where the harness finds the workspace, the project-local venv and its tools.

use std::fmt;
use std::path::{Path, PathBuf};

/// The command that installs everything the real-component tests need.
pub const SETUP_COMMAND: &str = "bash scripts/setup.sh";

/// Return the workspace root: the folder that holds `Cargo.toml`, `scripts/` and `.venv/`.
pub fn workspace_root() -> PathBuf {
    let tests_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    tests_dir.parent().unwrap_or(tests_dir).to_path_buf()
}

/// A tool the harness needs is not where `scripts/setup.sh` puts it.
///
/// Its `Display` text says what is missing and the exact command that fixes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingTool {
    /// The path that was looked for.
    pub path: PathBuf,
    /// The workspace root the path was derived from.
    pub root: PathBuf,
}

impl fmt::Display for MissingTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = "=".repeat(78);
        writeln!(f, "\n{rule}")?;
        writeln!(
            f,
            "temporal-lite real-component tests: {} is missing.",
            self.path.display()
        )?;
        writeln!(
            f,
            "These tests run a real Temporal dev server and a Python SDK worker from the"
        )?;
        writeln!(f, "project-local venv `.venv`, which is not set up yet.")?;
        writeln!(f)?;
        writeln!(
            f,
            "Fix: run this in {}, then run the tests again:",
            self.root.display()
        )?;
        writeln!(f)?;
        writeln!(f, "    {SETUP_COMMAND}")?;
        write!(f, "{rule}")
    }
}

impl std::error::Error for MissingTool {}

/// Return `root/.venv/bin/<name>` if it is a file, or say how to install it.
pub fn venv_tool(root: &Path, name: &str) -> Result<PathBuf, MissingTool> {
    let path = root.join(".venv").join("bin").join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(MissingTool {
            path,
            root: root.to_path_buf(),
        })
    }
}

/// Return the Temporal CLI (`.venv/bin/temporal`) under `root`.
pub fn temporal_cli_in(root: &Path) -> Result<PathBuf, MissingTool> {
    venv_tool(root, "temporal")
}

/// Return the venv's Python (`.venv/bin/python`) under `root`.
pub fn python_in(root: &Path) -> Result<PathBuf, MissingTool> {
    venv_tool(root, "python")
}

/// Return the Temporal CLI of this workspace.
pub fn temporal_cli() -> Result<PathBuf, MissingTool> {
    temporal_cli_in(&workspace_root())
}

/// Return the Python of this workspace's venv.
pub fn python() -> Result<PathBuf, MissingTool> {
    python_in(&workspace_root())
}

/// Return the path of the test worker script, `tests/python/worker.py`.
pub fn worker_script() -> PathBuf {
    workspace_root()
        .join("tests")
        .join("python")
        .join("worker.py")
}

/// Return the path of the supervisor script, `scripts/supervise.sh`.
pub(crate) fn supervise_script() -> PathBuf {
    workspace_root().join("scripts").join("supervise.sh")
}
