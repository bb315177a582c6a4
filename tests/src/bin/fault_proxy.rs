//! The harness's [`FaultProxy`] as a program, driven from stdin: for scripts that measure
//! another client (the official Python SDK) through the same faults as the tests.
//!
//! ```text
//! cargo run -p temporal-lite-tests --bin fault_proxy -- UPSTREAM_HOST:PORT
//! ```
//!
//! Prints `LISTENING 127.0.0.1:PORT`, then reads one command per line and answers `OK` (or
//! `ERROR ...`): `restore`, `refuse`, `reset-new`, `reset-all`, `blackhole`, `goaway`,
//! `drop METHOD (all | next N | every N | for SECONDS) [close]`, `stats METHOD` (answers
//! `STATS forwarded=N dropped=N`), `quit`. End of input stops it too.

use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use temporal_lite_tests::fault_proxy::{DropMode, Drops, FaultProxy};

fn main() {
    let Some(upstream) = std::env::args().nth(1) else {
        eprintln!("usage: fault_proxy UPSTREAM_HOST:PORT");
        std::process::exit(2);
    };
    let upstream = match upstream.parse() {
        Ok(address) => address,
        Err(e) => {
            eprintln!("fault_proxy: bad upstream address {upstream:?}: {e}");
            std::process::exit(2);
        }
    };
    let proxy = FaultProxy::start(upstream);
    let mut out = std::io::stdout();
    let _ = writeln!(out, "LISTENING {}", proxy.address());
    let _ = out.flush();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let words: Vec<&str> = line.split_whitespace().collect();
        let answer = match words.as_slice() {
            [] => continue,
            ["quit"] => break,
            ["restore"] => {
                proxy.restore();
                Ok(())
            }
            ["refuse"] => {
                proxy.refuse();
                Ok(())
            }
            ["reset-new"] => {
                proxy.reset_new();
                Ok(())
            }
            ["reset-all"] => {
                proxy.reset_all();
                Ok(())
            }
            ["blackhole"] => {
                proxy.blackhole();
                Ok(())
            }
            ["goaway"] => {
                proxy.go_away();
                Ok(())
            }
            ["stats", method] => {
                let stats = proxy.stats(method);
                let _ = writeln!(
                    out,
                    "STATS forwarded={} dropped={}",
                    stats.forwarded, stats.dropped
                );
                Ok(())
            }
            ["drop", method, rest @ ..] => drop_command(&proxy, method, rest),
            _ => Err(format!("unknown command {line:?}")),
        };
        let _ = match answer {
            Ok(()) => writeln!(out, "OK"),
            Err(e) => writeln!(out, "ERROR {e}"),
        };
        let _ = out.flush();
    }
}

fn drop_command(proxy: &FaultProxy, method: &str, rest: &[&str]) -> Result<(), String> {
    let number = |text: &str| text.parse::<u32>().map_err(|e| format!("{text:?}: {e}"));
    let (drops, rest) = match rest {
        ["all", rest @ ..] => (Drops::All, rest),
        ["next", n, rest @ ..] => (Drops::Next(number(n)?), rest),
        ["every", n, rest @ ..] => (Drops::EveryNth(number(n)?), rest),
        ["for", seconds, rest @ ..] => {
            let seconds: f64 = seconds.parse().map_err(|e| format!("{seconds:?}: {e}"))?;
            let until = Instant::now() + Duration::from_secs_f64(seconds);
            (Drops::Until(until), rest)
        }
        _ => return Err("drop METHOD (all | next N | every N | for SECONDS) [close]".into()),
    };
    let mode = match rest {
        [] => DropMode::ResetStream,
        ["close"] => DropMode::CloseConnection,
        _ => return Err(format!("unexpected {rest:?}")),
    };
    proxy.drop_responses(method, drops, mode);
    Ok(())
}
