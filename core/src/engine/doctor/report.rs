//! What the doctor found: one [`Step`] per check, with a [`Verdict`] and a fix, and the
//! provenance of the settings; `Display` prints it for a person.

use std::fmt;
use std::string::String;
use std::vec::Vec;

use crate::config::Provenance;

/// The checks of a connection, in the order the doctor runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Check {
    /// The settings could be loaded (config file, profile, `TEMPORAL_*` variables).
    Config,
    /// The address parses as `host:port` (with an optional scheme).
    Address,
    /// The host name resolves.
    Dns,
    /// A TCP connection opens.
    Tcp,
    /// The TLS handshake: certificate chain against the trust roots, name, expiry, ALPN h2.
    Tls,
    /// The server accepts the credentials (client certificate or API key).
    Auth,
    /// The server answers HTTP/2 and gRPC (`GetSystemInfo`).
    Grpc,
    /// The namespace exists (`DescribeNamespace`).
    Namespace,
    /// The server's version and capabilities (`GetSystemInfo`).
    Server,
}

impl Check {
    /// The check's short name, as printed: `config`, `address`, `dns`, ...
    pub fn name(self) -> &'static str {
        match self {
            Check::Config => "config",
            Check::Address => "address",
            Check::Dns => "dns",
            Check::Tcp => "tcp",
            Check::Tls => "tls",
            Check::Grpc => "grpc",
            Check::Auth => "auth",
            Check::Namespace => "namespace",
            Check::Server => "server",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a check went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Verdict {
    /// It works.
    Pass,
    /// It works, but something deserves attention (see the fix).
    Warn,
    /// It does not work; the fix says what to change.
    Fail,
    /// Not run: it does not apply, or an earlier check failed.
    Skip,
}

impl Verdict {
    fn mark(self) -> &'static str {
        match self {
            Verdict::Pass => " ok ",
            Verdict::Warn => "warn",
            Verdict::Fail => "FAIL",
            Verdict::Skip => "skip",
        }
    }
}

/// One check's result.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Step {
    /// Which check.
    pub check: Check,
    /// How it went.
    pub verdict: Verdict,
    /// What the doctor saw, in one or two sentences.
    pub detail: String,
    /// What to change, naming the setting and where it came from; for failures and
    /// warnings.
    pub fix: Option<String>,
}

impl Step {
    pub(super) fn new(check: Check, verdict: Verdict, detail: impl Into<String>) -> Self {
        Self {
            check,
            verdict,
            detail: detail.into(),
            fix: None,
        }
    }

    pub(super) fn pass(check: Check, detail: impl Into<String>) -> Self {
        Self::new(check, Verdict::Pass, detail)
    }

    pub(super) fn skip(check: Check, detail: impl Into<String>) -> Self {
        Self::new(check, Verdict::Skip, detail)
    }

    pub(super) fn fail(check: Check, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(check, Verdict::Fail, detail).with_fix(fix)
    }

    pub(super) fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// The doctor's findings: every check in order, and where each setting came from.
/// `Display` prints them for a person; [`Report::passed`] and [`Report::first_failure`]
/// answer a program.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The address checked, as configured.
    pub address: String,
    /// The namespace checked.
    pub namespace: String,
    /// Every check, in order; after a failure the rest are [`Verdict::Skip`].
    pub steps: Vec<Step>,
    /// Where each setting came from (`None` when the settings could not be loaded).
    pub provenance: Option<Provenance>,
}

impl Report {
    /// Whether no check failed.
    pub fn passed(&self) -> bool {
        self.first_failure().is_none()
    }

    /// The first failed check, if any.
    pub fn first_failure(&self) -> Option<&Step> {
        self.steps.iter().find(|s| s.verdict == Verdict::Fail)
    }

    /// The result of `check`.
    pub fn step(&self, check: Check) -> Option<&Step> {
        self.steps.iter().find(|s| s.check == check)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "temporal-lite connection doctor: {} (namespace {:?})",
            self.address, self.namespace
        )?;
        writeln!(f)?;
        for step in &self.steps {
            writeln!(
                f,
                "[{}] {:<9}  {}",
                step.verdict.mark(),
                step.check.name(),
                step.detail
            )?;
            if let Some(fix) = &step.fix {
                writeln!(f, "{:17}fix: {fix}", "")?;
            }
        }
        writeln!(f)?;
        match self.first_failure() {
            None => writeln!(f, "result: every check passed")?,
            Some(step) => writeln!(f, "result: the {} check failed", step.check)?,
        }
        if let Some(provenance) = &self.provenance {
            writeln!(f)?;
            writeln!(f, "where each setting came from:")?;
            write!(f, "{provenance}")?;
        }
        Ok(())
    }
}
