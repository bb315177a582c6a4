//! The client reading hostile replies end to end: each operation over a `MockTransport`
//! whose replies (mostly well-framed OK responses around arbitrary message bytes, sometimes
//! arbitrary responses) come from the input, through status mapping, prost decoding, the
//! conversions into the client's types, retries and result following. Nothing may panic or
//! loop: the script runs out and the call ends.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use temporal_lite_core::client::{HistoryPageOptions, StartWorkflowOptions};
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::payload::RawBytes;
use temporal_lite_core::testing::{block_on, MockTransport};

const METHODS: &[&str] = &[
    "GetSystemInfo",
    "StartWorkflowExecution",
    "SignalWithStartWorkflowExecution",
    "DescribeWorkflowExecution",
    "GetWorkflowExecutionHistory",
    "QueryWorkflow",
    "SignalWorkflowExecution",
    "RequestCancelWorkflowExecution",
    "TerminateWorkflowExecution",
    "ListWorkflowExecutions",
    "CountWorkflowExecutions",
];

fn run(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let operation = u.int_in_range(0..=12u8)?;
    let mock = MockTransport::new();
    // Up to 6 replies per method, each used once; then calls fail and the operation ends.
    for method in METHODS {
        for _ in 0..u.int_in_range(0..=6u8)? {
            let message: Vec<u8> = u.arbitrary()?;
            let reply = temporal_lite_fuzz::mostly_ok_response(&mut u, &message)?;
            mock.on(method).respond_raw(reply).times(1);
        }
    }
    let client = mock.client(ConnectOptions::new("localhost:7233").namespace("ns"));
    let handle = client.workflow_handle_with_run("wf", "run");
    let start = || StartWorkflowOptions::new("wf", "q");
    let text = match operation {
        0 => format!("{:?}", block_on(client.get_system_info())),
        1 => format!(
            "{:?}",
            block_on(client.start_workflow("W", ("a",), start()))
        ),
        2 => format!(
            "{:?}",
            block_on(client.signal_with_start_workflow("W", (), start(), "s", (1,)))
        ),
        3 => format!("{:?}", block_on(handle.describe())),
        4 => format!(
            "{:?}",
            block_on(handle.fetch_history_page(&HistoryPageOptions::default()))
        ),
        5 => format!("{:?}", block_on(handle.outcome_following(true))),
        6 => format!(
            "{:?}",
            block_on(client.workflow_handle("wf").result::<RawBytes>())
        ),
        7 => format!("{:?}", block_on(handle.query::<RawBytes>("q", ()))),
        8 => format!("{:?}", block_on(handle.signal("s", ("x",)))),
        9 => format!("{:?}", block_on(handle.cancel())),
        10 => format!("{:?}", block_on(handle.terminate("why"))),
        11 => format!("{:?}", block_on(client.list_workflows_page("", 10, b""))),
        _ => {
            let mut events = handle.history_events(HistoryPageOptions::default());
            let mut seen = Vec::new();
            // Bounded: the script has at most 6 history replies.
            for _ in 0..10_000 {
                match block_on(events.next_event()) {
                    Some(event) => seen.push(format!("{event:?}")),
                    None => break,
                }
            }
            seen.join("\n")
        }
    };
    std::hint::black_box(text);
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    let _ = run(data);
});
