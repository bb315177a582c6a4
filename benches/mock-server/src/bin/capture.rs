//! Capture real responses from a Temporal server for the mock server.
//!
//! `capture --target HOST:PORT [--out DIR]` starts one `BenchWorkflow` (no worker needed),
//! describes it and reads its first history page, and writes the protobuf messages of the
//! four replies to `DIR/{sysinfo,start,describe,history}.bin` (default: this project's
//! `responses/`).

use bench_h2::{frame, paths, unframe, H2Client};

fn main() {
    let mut target = "127.0.0.1:7233".to_string();
    let mut out = concat!(env!("CARGO_MANIFEST_DIR"), "/responses").to_string();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let v = args.next().unwrap_or_default();
        match flag.as_str() {
            "--target" => target = v,
            "--out" => out = v,
            _ => {
                eprintln!("usage: capture --target HOST:PORT [--out DIR]");
                std::process::exit(2);
            }
        }
    }
    let rt = bench_common::runtime();
    if let Err(e) = rt.block_on(run(&target, &out)) {
        eprintln!("capture: {e}");
        std::process::exit(1);
    }
}

async fn run(target: &str, out: &str) -> Result<(), String> {
    let client = H2Client::connect(target).await?;
    let id = bench_h2::fresh_id("capture");
    let ns = "default";
    std::fs::create_dir_all(out).map_err(|e| format!("{out}: {e}"))?;
    for (name, path, body) in [
        (
            "sysinfo",
            paths::SYSTEM_INFO,
            bench_h2::system_info_request(),
        ),
        ("start", paths::START, bench_h2::start_request(ns, &id, 0)),
        (
            "describe",
            paths::DESCRIBE,
            bench_h2::describe_request(ns, &id),
        ),
        (
            "history",
            paths::HISTORY,
            bench_h2::history_request(ns, &id),
        ),
    ] {
        let r = client.unary(path, frame(0, &body)).await?;
        if r.grpc_status != 0 {
            return Err(format!(
                "{name}: grpc-status {}: {}",
                r.grpc_status, r.grpc_message
            ));
        }
        let msg = unframe(&r.body).ok_or_else(|| format!("{name}: not one plain message"))?;
        let file = format!("{out}/{name}.bin");
        std::fs::write(&file, msg).map_err(|e| format!("{file}: {e}"))?;
        println!("{file}: {} bytes", msg.len());
    }
    Ok(())
}
