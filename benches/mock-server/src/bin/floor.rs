//! The floor: the benchmark's exchange done with bare h2 (no gRPC layer, no client logic).
//!
//! Each call POSTs a fixed, pre-encoded request body and reads the reply and trailers, over
//! one HTTP/2 connection, with the same driver and output as the client programs. What a
//! client costs above this is the cost of its own gRPC and client layers.

use bench_common::{report, warm_up_and_measure, Args, Op};
use bench_h2::{frame, paths, H2Client};

fn main() {
    let args = Args::parse();
    let rt = bench_common::runtime();
    if let Err(e) = rt.block_on(run(args)) {
        eprintln!("floor: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let client = H2Client::connect(&args.target).await?;
    let id = bench_h2::fresh_id("floor");
    let ns = args.namespace.clone();
    for &op in &args.ops {
        let (path, body) = match op {
            Op::Start => (paths::START, bench_h2::start_request(&ns, &id, 0)),
            Op::Describe => (paths::DESCRIBE, bench_h2::describe_request(&ns, &id)),
            Op::History => (paths::HISTORY, bench_h2::history_request(&ns, &id)),
        };
        let body = frame(0, &body);
        let make = {
            let client = client.clone();
            move |_i: usize| {
                let client = client.clone();
                let body = body.clone();
                async move {
                    let r = client.unary(path, body).await?;
                    if r.grpc_status != 0 {
                        return Err(format!("grpc-status {}: {}", r.grpc_status, r.grpc_message));
                    }
                    Ok(())
                }
            }
        };
        let figures = warm_up_and_measure(&args, make).await;
        report("floor", &args, op, &figures);
    }
    Ok(())
}
