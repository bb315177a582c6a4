//! The connection doctor on async-std: the same checks as the tokio adapter's `doctor`
//! example, from the environment configuration.
//!
//! ```sh
//! cargo run -p temporal-lite-async-std --example doctor_async_std [-- --profile NAME]
//! ```
//!
//! Exits with 1 when a check fails.

use std::sync::Arc;

use temporal_lite_async_std::doctor;
use temporal_lite_async_std::AsyncStdRuntime;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let profile = match args.as_slice() {
        [] => None,
        [flag, name] if flag == "--profile" => Some(name.clone()),
        _ => {
            eprintln!("usage: doctor_async_std [--profile NAME]");
            std::process::exit(2);
        }
    };
    let report = async_std::task::block_on(doctor::diagnose_from_env(
        Arc::new(AsyncStdRuntime::new()),
        profile.as_deref(),
    ));
    print!("{report}");
    if !report.passed() {
        std::process::exit(1);
    }
}
