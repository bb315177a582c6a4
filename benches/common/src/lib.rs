//! Shared pieces of the benchmark programs (not part of temporal-lite).
//!
//! Every client program takes the same arguments and prints the same JSON lines, so the
//! runner (`scripts/bench.sh`) can compare them figure by figure.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

mod phases;
mod start_request;

pub use phases::{run_ops, warm_up_and_measure, Call};
pub use start_request::{request_id, StartRequest};

/// An operation the programs measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// StartWorkflowExecution with a fresh workflow id per call.
    Start,
    /// DescribeWorkflowExecution of started ids.
    Describe,
    /// GetWorkflowExecutionHistory (first page) of started ids.
    History,
}

impl Op {
    /// The name used on the command line and in the output.
    pub fn name(self) -> &'static str {
        match self {
            Op::Start => "start",
            Op::Describe => "describe",
            Op::History => "history",
        }
    }
}

/// Command-line arguments shared by every client program.
#[derive(Clone, Debug)]
pub struct Args {
    /// `host:port` of the server.
    pub target: String,
    /// The operations to run, in order.
    pub ops: Vec<Op>,
    /// Measured calls per operation.
    pub calls: usize,
    /// Calls in flight at once (tasks sharing one client).
    pub concurrency: usize,
    /// `on` / `off`; clients that never compress accept only `off`.
    pub gzip: bool,
    /// Unmeasured calls before each operation.
    pub warmup: usize,
    /// Label of the target for the output (`mock`, `dev`).
    pub label: String,
    /// Namespace.
    pub namespace: String,
}

const USAGE: &str = "usage: PROGRAM --target HOST:PORT [--op start|describe|history|all] \
[--calls N] [--concurrency C] [--gzip on|off] [--warmup N] [--label NAME] [--namespace NS] [--json]";

impl Args {
    /// Parse `std::env::args()`; exits with a message on bad arguments.
    pub fn parse() -> Args {
        match Args::try_parse(std::env::args().skip(1)) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("{e}\n{USAGE}");
                std::process::exit(2);
            }
        }
    }

    fn try_parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut a = Args {
            target: "127.0.0.1:7233".into(),
            ops: vec![Op::Start, Op::Describe, Op::History],
            calls: 1000,
            concurrency: 1,
            gzip: false,
            warmup: 50,
            label: "server".into(),
            namespace: "default".into(),
        };
        while let Some(flag) = it.next() {
            if flag == "--json" {
                continue; // JSON is the only output format.
            }
            if flag == "-h" || flag == "--help" {
                return Err(String::new());
            }
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let num = |v: &str| {
                v.parse::<usize>()
                    .map_err(|_| format!("{flag}: not a number: {v}"))
            };
            match flag.as_str() {
                "--target" => a.target = value,
                "--op" => {
                    a.ops = match value.as_str() {
                        "start" => vec![Op::Start],
                        "describe" => vec![Op::Describe],
                        "history" => vec![Op::History],
                        "all" => vec![Op::Start, Op::Describe, Op::History],
                        _ => return Err(format!("--op: unknown operation {value}")),
                    }
                }
                "--calls" => a.calls = num(&value)?.max(1),
                "--concurrency" => a.concurrency = num(&value)?.max(1),
                "--warmup" => a.warmup = num(&value)?,
                "--gzip" => {
                    a.gzip = match value.as_str() {
                        "on" => true,
                        "off" => false,
                        _ => return Err(format!("--gzip: expected on or off, got {value}")),
                    }
                }
                "--label" => a.label = value,
                "--namespace" => a.namespace = value,
                _ => return Err(format!("unknown flag {flag}")),
            }
        }
        Ok(a)
    }
}

/// Workflow ids unique to this process and run.
pub struct Ids {
    prefix: String,
    next: AtomicUsize,
}

impl Ids {
    /// Ids `bench-<client>-<pid>-<time>-<n>`.
    pub fn new(client: &str) -> Ids {
        let t = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_micros();
        Ids {
            prefix: format!("bench-{client}-{}-{t}-", std::process::id()),
            next: AtomicUsize::new(0),
        }
    }

    /// The next fresh id.
    pub fn next(&self) -> String {
        self.id(self.next.fetch_add(1, Ordering::Relaxed))
    }

    /// How many ids were handed out so far.
    pub fn count(&self) -> usize {
        self.next.load(Ordering::Relaxed)
    }

    /// The `n`th id.
    pub fn id(&self, n: usize) -> String {
        format!("{}{n}", self.prefix)
    }

    /// The ids handed out from the `from`th on.
    pub fn since(&self, from: usize) -> Vec<String> {
        (from..self.count()).map(|n| self.id(n)).collect()
    }
}

/// The single small JSON argument every started workflow gets.
pub fn json_arg(n: usize) -> String {
    format!("{{\"n\":{n},\"note\":\"bench\"}}")
}

/// CPU time (user + system) and max RSS of this process.
#[derive(Clone, Copy, Debug)]
pub struct Usage {
    /// User + system CPU time.
    pub cpu: Duration,
    /// Peak resident set size, KiB.
    pub max_rss_kb: u64,
}

/// `getrusage(RUSAGE_SELF)`.
pub fn usage() -> Usage {
    // SAFETY: getrusage writes a plain struct; zeroed is a valid initial value.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer to a rusage struct.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    if rc != 0 {
        return Usage {
            cpu: Duration::ZERO,
            max_rss_kb: 0,
        };
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Usage {
        cpu: tv(ru.ru_utime) + tv(ru.ru_stime),
        max_rss_kb: vm_hwm_kb().unwrap_or(ru.ru_maxrss as u64),
    }
}

/// Peak RSS of this process image from `/proc/self/status` (`VmHWM`). Unlike `ru_maxrss`,
/// which Linux carries over `execve` from the parent that forked us (a Python runner's
/// 14 MB would show), this counts only our own pages.
fn vm_hwm_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The figures of one measured operation.
#[derive(Clone, Debug)]
pub struct Figures {
    /// Calls made.
    pub calls: usize,
    /// Calls that failed.
    pub errors: usize,
    /// Wall time of the whole batch.
    pub wall: Duration,
    /// Sorted per-call latencies, microseconds.
    pub latencies_us: Vec<u64>,
    /// CPU time of the process during the batch.
    pub cpu: Duration,
    /// Peak RSS at the end, KiB.
    pub max_rss_kb: u64,
    /// First error seen, for the log.
    pub first_error: Option<String>,
}

impl Figures {
    fn pct(&self, p: f64) -> u64 {
        if self.latencies_us.is_empty() {
            return 0;
        }
        let i = ((self.latencies_us.len() as f64) * p).ceil() as usize;
        self.latencies_us[i.clamp(1, self.latencies_us.len()) - 1]
    }

    /// One JSON line with every figure.
    pub fn json(&self, client: &str, args: &Args, op: Op) -> String {
        let wall = self.wall.as_secs_f64();
        format!(
            "{{\"client\":\"{client}\",\"target\":\"{}\",\"op\":\"{}\",\"concurrency\":{},\
             \"gzip\":\"{}\",\"calls\":{},\"errors\":{},\"wall_s\":{:.6},\"calls_per_s\":{:.1},\
             \"p50_us\":{},\"p90_us\":{},\"p99_us\":{},\"cpu_us_per_call\":{:.2},\
             \"max_rss_kb\":{}}}",
            args.label,
            op.name(),
            args.concurrency,
            if args.gzip { "on" } else { "off" },
            self.calls,
            self.errors,
            wall,
            if wall > 0.0 {
                self.calls as f64 / wall
            } else {
                0.0
            },
            self.pct(0.50),
            self.pct(0.90),
            self.pct(0.99),
            self.cpu.as_secs_f64() * 1e6 / self.calls.max(1) as f64,
            self.max_rss_kb,
        )
    }
}

/// Make `calls` calls of `call(i)` with `concurrency` tasks on the current tokio runtime
/// and measure them. `call` gets the call's index and returns `Err(description)` on failure.
pub async fn measure<F, Fut>(calls: usize, concurrency: usize, call: F) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let call = Arc::new(call);
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let first_error = Arc::new(Mutex::new(None::<String>));
    let before = usage();
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency.min(calls) {
        let call = call.clone();
        let next = next.clone();
        let errors = errors.clone();
        let first_error = first_error.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(calls / concurrency + 1);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= calls {
                    break;
                }
                let t = Instant::now();
                let r = call(i).await;
                lat.push(t.elapsed().as_micros() as u64);
                if let Err(e) = r {
                    errors.fetch_add(1, Ordering::Relaxed);
                    let mut fe = first_error.lock().unwrap();
                    if fe.is_none() {
                        *fe = Some(e);
                    }
                }
            }
            lat
        }));
    }
    let mut latencies_us = Vec::with_capacity(calls);
    for t in tasks {
        if let Ok(l) = t.await {
            latencies_us.extend(l);
        }
    }
    let wall = start.elapsed();
    let after = usage();
    latencies_us.sort_unstable();
    let first_error = first_error.lock().unwrap().take();
    Figures {
        calls,
        errors: errors.load(Ordering::Relaxed),
        wall,
        latencies_us,
        cpu: after.cpu.saturating_sub(before.cpu),
        max_rss_kb: after.max_rss_kb,
        first_error,
    }
}

/// Print `figures` as a JSON line on stdout and its first error (if any) on stderr.
pub fn report(client: &str, args: &Args, op: Op, figures: &Figures) {
    println!("{}", figures.json(client, args, op));
    if let Some(e) = &figures.first_error {
        eprintln!(
            "{client} {} c={}: {} of {} calls failed; first: {e}",
            op.name(),
            args.concurrency,
            figures.errors,
            figures.calls
        );
    }
}

/// A single-threaded tokio runtime: every client runs on one thread, so CPU per call is the
/// client's own cost and the programs are comparable.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}
