//! The per-operation phases every client program runs: seed, warm up, measure, report.

use std::future::Future;
use std::sync::Arc;

use crate::{measure, report, Args, Figures, Ids, Op};

/// One call a client program is asked to make.
#[derive(Clone, Debug)]
pub struct Call {
    /// What to call.
    pub op: Op,
    /// The call's index in its batch; a started workflow's argument is `json_arg(n)`.
    pub n: usize,
    /// A fresh id for [`Op::Start`]; a started workflow's id for the others.
    pub workflow_id: String,
}

/// `args.warmup` unmeasured calls of `make`, then `args.calls` measured ones.
pub async fn warm_up_and_measure<F, Fut>(args: &Args, make: F) -> Figures
where
    F: Fn(usize) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    if args.warmup > 0 {
        let _ = measure(args.warmup, args.concurrency, make.clone()).await;
    }
    measure(args.calls, args.concurrency, make).await
}

/// Run every operation of `args` in order with `call` and print one JSON line each.
///
/// Describe and history need started workflows: they cycle through the ids the last measured
/// start phase started, or, when no start phase ran before them, through a few workflows
/// started here first, outside the measurement. Fails only if starting those fails.
pub async fn run_ops<F, Fut>(client: &str, args: &Args, call: F) -> Result<(), String>
where
    F: Fn(Call) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let ids = Arc::new(Ids::new(client));
    let mut started: Vec<String> = Vec::new();
    for &op in &args.ops {
        if op != Op::Start && started.is_empty() {
            for n in 0..args.calls.clamp(1, 64) {
                let workflow_id = ids.next();
                call(Call {
                    op: Op::Start,
                    n,
                    workflow_id: workflow_id.clone(),
                })
                .await
                .map_err(|e| format!("seeding workflows: {e}"))?;
                started.push(workflow_id);
            }
        }
        let pool: Arc<Vec<String>> = Arc::new(started.clone());
        let make = {
            let ids = ids.clone();
            let call = call.clone();
            move |n: usize| {
                let workflow_id = match op {
                    Op::Start => ids.next(),
                    Op::Describe | Op::History => pool[n % pool.len()].clone(),
                };
                call(Call { op, n, workflow_id })
            }
        };
        let first = ids.count();
        let figures = warm_up_and_measure(args, make).await;
        if op == Op::Start {
            // Later phases describe the workflows this phase's measured calls started (the
            // warm-up made exactly `args.warmup` calls, each taking one id).
            started = ids.since(first + args.warmup);
        }
        report(client, args, op, &figures);
    }
    Ok(())
}
