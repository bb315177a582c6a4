//! The connection doctor: check, step by step, the connection a client would make from the
//! environment configuration (profile `default`, or `TEMPORAL_PROFILE`, of the config file,
//! then the `TEMPORAL_*` variables), and say what to change where a step fails.
//!
//! ```sh
//! cargo run -p temporal-lite-tokio --example doctor
//! cargo run -p temporal-lite-tokio --example doctor -- --profile staging
//! TEMPORAL_ADDRESS=my-ns.a1b2c.tmprl.cloud:7233 TEMPORAL_NAMESPACE=my-ns.a1b2c \
//!     TEMPORAL_API_KEY=<the key> cargo run -p temporal-lite-tokio --example doctor
//! ```
//!
//! Exits with 1 when a check fails.

use std::sync::Arc;

use temporal_lite_tokio::doctor;
use temporal_lite_tokio::TokioRuntime;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let profile = match args.as_slice() {
        [] => None,
        [flag, name] if flag == "--profile" => Some(name.as_str()),
        _ => {
            eprintln!("usage: doctor [--profile NAME]");
            std::process::exit(2);
        }
    };
    let runtime = TokioRuntime::try_current().expect("inside #[tokio::main]");
    let report = doctor::diagnose_from_env(Arc::new(runtime), profile).await;
    print!("{report}");
    if !report.passed() {
        std::process::exit(1);
    }
}
