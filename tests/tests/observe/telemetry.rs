//! Tracing events and metrics for a retried call, a reconnect and a long poll, through the
//! harness's fault proxy and the real dev server; the levels of the happy path; and no
//! secret in anything emitted.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use temporal_lite_core::client::{Client, StartWorkflowOptions};
use temporal_lite_core::config::{ConnectOptions, PrivateKey};
use temporal_lite_core::engine::Http2Settings;
use temporal_lite_core::grpc::{Code, TransportError};
use temporal_lite_core::observe::{CallInfo, CallOutcome, Metrics};
use temporal_lite_tests::certs::shared_pki;
use temporal_lite_tests::fault_proxy::{DropMode, Drops, FaultProxy};
use temporal_lite_tests::tls_front::shared_api_key;
use temporal_lite_tests::{shared_api_key_front, shared_env, shared_mtls_front, unique_id};
use tracing::Level;

use crate::capture::{self, Captured};
use crate::Rt;

/// What a [`Recorder`] was told.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Told {
    Started {
        method: String,
        long_poll: bool,
    },
    Finished {
        method: String,
        long_poll: bool,
        code: Code,
        attempts: u32,
    },
    Opened,
    Closed,
    Failed(String),
}

/// A [`Metrics`] sink that keeps everything it is told.
#[derive(Default)]
struct Recorder(Mutex<Vec<Told>>);

impl Metrics for Recorder {
    fn call_started(&self, call: &CallInfo<'_>) {
        self.0.lock().unwrap().push(Told::Started {
            method: call.method.to_string(),
            long_poll: call.long_poll,
        });
    }

    fn call_finished(&self, call: &CallInfo<'_>, outcome: &CallOutcome) {
        self.0.lock().unwrap().push(Told::Finished {
            method: call.method.to_string(),
            long_poll: call.long_poll,
            code: outcome.code,
            attempts: outcome.attempts,
        });
    }

    fn connection_opened(&self, _: &str) {
        self.0.lock().unwrap().push(Told::Opened);
    }

    fn connection_closed(&self, _: &str) {
        self.0.lock().unwrap().push(Told::Closed);
    }

    fn connection_failed(&self, _: &str, error: &TransportError) {
        self.0.lock().unwrap().push(Told::Failed(error.to_string()));
    }
}

impl Recorder {
    fn told(&self) -> Vec<Told> {
        self.0.lock().unwrap().clone()
    }

    fn finished(&self, method: &str) -> Vec<(bool, Code, u32)> {
        self.told()
            .into_iter()
            .filter_map(|t| match t {
                Told::Finished {
                    method: m,
                    long_poll,
                    code,
                    attempts,
                } if m == method => Some((long_poll, code, attempts)),
                _ => None,
            })
            .collect()
    }

    fn count(&self, wanted: &Told) -> usize {
        self.told().iter().filter(|t| *t == wanted).count()
    }
}

/// A client with `metrics` for `options`.
async fn connect_with(rt: Rt, options: ConnectOptions, metrics: &Arc<Recorder>) -> Client {
    let metrics: Arc<dyn Metrics> = metrics.clone();
    rt.connect(options.metrics(metrics)).await.expect("connect")
}

fn proxy() -> FaultProxy {
    FaultProxy::start(
        shared_env()
            .address()
            .parse::<SocketAddr>()
            .expect("address"),
    )
}

/// The captured events whose fields or spans mention `needle`.
fn events_about(needle: &str) -> Vec<Captured> {
    capture::events()
        .into_iter()
        .filter(|e| e.line().contains(needle))
        .collect()
}

fn lines(events: &[Captured]) -> String {
    events.iter().map(|e| e.line() + "\n").collect()
}

fn start_options(what: &str) -> (String, StartWorkflowOptions) {
    let id = unique_id(what);
    let options = StartWorkflowOptions::new(id.clone(), shared_env().task_queue());
    (id, options)
}

pub(crate) async fn retried_call(rt: Rt) {
    capture::install();
    let proxy = proxy();
    let metrics = Arc::new(Recorder::default());
    let client = connect_with(rt, ConnectOptions::new(proxy.address()), &metrics).await;
    proxy.drop_responses(
        "StartWorkflowExecution",
        Drops::Next(1),
        DropMode::ResetStream,
    );
    let (id, start) = start_options("observe-retry");
    client
        .start_workflow("Echo", ("retried",), start)
        .await
        .expect("the start is retried and succeeds");
    // Metrics: one call, two attempts, OK.
    assert_eq!(
        metrics.finished("StartWorkflowExecution"),
        vec![(false, Code::OK, 2)],
        "{:?}",
        metrics.told()
    );
    let started = Told::Started {
        method: "StartWorkflowExecution".into(),
        long_poll: false,
    };
    assert_eq!(metrics.count(&started), 1);
    // Tracing: a retry event at DEBUG inside the call's span, which ended with code OK
    // after attempt 2.
    let events = events_about(&format!("workflow_id={id}"));
    let retry = events
        .iter()
        .find(|e| e.fields.contains("retrying StartWorkflowExecution"))
        .unwrap_or_else(|| panic!("no retry event:\n{}", lines(&events)));
    assert_eq!(retry.level, Level::DEBUG);
    assert!(retry.fields.contains("attempt=1"), "{}", retry.line());
    assert!(retry.fields.contains("backoff_ms="), "{}", retry.line());
    assert!(retry.fields.contains("cause="), "{}", retry.line());
    assert!(
        retry.spans[0].starts_with("temporal_call{"),
        "{}",
        retry.line()
    );
    assert!(
        retry.spans[0].contains("method=StartWorkflowExecution"),
        "{}",
        retry.line()
    );
    assert!(
        retry.spans[0].contains("namespace=default"),
        "{}",
        retry.line()
    );
    assert!(
        retry.spans[0].contains("deadline_remaining_ms="),
        "{}",
        retry.line()
    );
    let span = capture::spans()
        .into_iter()
        .find(|s| s.contains(&format!("workflow_id={id}")) && s.contains("StartWorkflow"))
        .expect("the call's span");
    assert!(
        span.contains("attempt=2") && span.contains("code=OK"),
        "{span}"
    );
}

pub(crate) async fn reconnect_after_goaway_and_outage(rt: Rt) {
    capture::install();
    let proxy = proxy();
    let address = proxy.address();
    let metrics = Arc::new(Recorder::default());
    let client = connect_with(rt, ConnectOptions::new(address.clone()), &metrics).await;
    assert_eq!(metrics.count(&Told::Opened), 1, "{:?}", metrics.told());
    // GOAWAY: the connection closes; the next call opens another.
    proxy.go_away();
    rt.sleep(Duration::from_millis(300)).await;
    client.get_system_info().await.expect("after GOAWAY");
    // An outage: the connection is reset and connects are refused for a second; a call
    // made meanwhile is retried until the proxy is back.
    proxy.refuse();
    let restore = async {
        rt.sleep(Duration::from_secs(1)).await;
        proxy.restore();
    };
    let (result, ()) = futures_util::join!(client.get_system_info().into_future(), restore);
    result.expect("after the outage");
    let told = metrics.told();
    let opened = metrics.count(&Told::Opened);
    let closed = metrics.count(&Told::Closed);
    let failed = told.iter().filter(|t| matches!(t, Told::Failed(_))).count();
    assert!(opened >= 3, "opened {opened}: {told:?}");
    assert!(closed >= 2, "closed {closed}: {told:?}");
    assert!(failed >= 1, "failed {failed}: {told:?}");
    let finished = metrics.finished("GetSystemInfo");
    assert_eq!(finished.len(), 3, "{told:?}");
    assert!(
        finished.iter().all(|(_, code, _)| *code == Code::OK),
        "{told:?}"
    );
    assert!(
        finished[2].2 >= 2,
        "the call in the outage was retried: {told:?}"
    );
    // Tracing: reconnects at DEBUG, the refused connects at WARN, the closes.
    let events = events_about(&format!("server={address}"));
    let text = lines(&events);
    let reconnected: Vec<_> = events
        .iter()
        .filter(|e| e.fields.contains("reconnected to the Temporal server"))
        .collect();
    assert!(reconnected.len() >= 2, "{text}");
    assert!(
        reconnected.iter().all(|e| e.level == Level::DEBUG),
        "{text}"
    );
    assert!(
        events
            .iter()
            .any(|e| e.level == Level::WARN && e.fields.contains("cannot connect")),
        "{text}"
    );
    assert!(
        events.iter().any(|e| e.fields.contains("reason=")
            && (e.fields.contains("closed") || e.fields.contains("GOAWAY"))),
        "{text}"
    );
}

pub(crate) async fn long_poll(rt: Rt) {
    capture::install();
    let metrics = Arc::new(Recorder::default());
    let client = connect_with(rt, ConnectOptions::new(shared_env().address()), &metrics).await;
    let (id, start) = start_options("observe-long-poll");
    // Longer than the server's long-poll interval (3 s): the first poll comes back empty.
    let handle = client
        .start_workflow("Sleep", (4,), start)
        .await
        .expect("start");
    let slept: f64 = handle.result().await.expect("result");
    assert_eq!(slept, 4.0);
    let polls = metrics.finished("GetWorkflowExecutionHistory");
    assert!(polls.len() >= 2, "{polls:?}");
    assert!(
        polls
            .iter()
            .all(|(long, code, _)| *long && *code == Code::OK),
        "{polls:?}"
    );
    let long_started = Told::Started {
        method: "GetWorkflowExecutionHistory".into(),
        long_poll: true,
    };
    assert_eq!(metrics.count(&long_started), polls.len());
    let events = events_about(&format!("workflow_id={id}"));
    let repoll = events
        .iter()
        .find(|e| {
            e.fields
                .contains("no close event yet; polling the history again")
        })
        .unwrap_or_else(|| panic!("no re-poll event:\n{}", lines(&events)));
    assert_eq!(repoll.level, Level::DEBUG);
    let spans: Vec<String> = capture::spans()
        .into_iter()
        .filter(|s| s.contains(&format!("workflow_id={id}")) && s.contains("long_poll=true"))
        .collect();
    assert!(spans.len() >= 2, "{spans:?}");
}

pub(crate) async fn keepalive_timeout(rt: Rt) {
    capture::install();
    let proxy = proxy();
    let address = proxy.address();
    let metrics = Arc::new(Recorder::default());
    let mut settings = Http2Settings::default();
    settings.keepalive_interval = Some(Duration::from_millis(200));
    settings.keepalive_timeout = Duration::from_millis(200);
    let metrics_dyn: Arc<dyn Metrics> = metrics.clone();
    let options = ConnectOptions::new(address.clone()).metrics(metrics_dyn);
    let client = rt
        .connect_with_settings(options, settings)
        .await
        .expect("connect");
    // Silence: pings go unanswered, the connection is declared dead.
    proxy.blackhole();
    let warned = |events: &[Captured]| {
        events.iter().any(|e| {
            e.level == Level::WARN && e.fields.contains("stopped answering keepalive pings")
        })
    };
    // Polled, not timed: a busy machine may take longer than the 400 ms it needs.
    for _ in 0..100 {
        if warned(&events_about(&format!("server={address}"))) {
            break;
        }
        rt.sleep(Duration::from_millis(100)).await;
    }
    let events = events_about(&format!("server={address}"));
    assert!(warned(&events), "no keepalive event:\n{}", lines(&events));
    assert!(metrics.count(&Told::Closed) >= 1, "{:?}", metrics.told());
    // Back: the next call reconnects.
    proxy.restore();
    client
        .get_system_info()
        .await
        .expect("after the keepalive timeout");
    assert!(metrics.count(&Told::Opened) >= 2, "{:?}", metrics.told());
}

pub(crate) async fn happy_path_stays_at_debug_and_below(rt: Rt) {
    capture::install();
    let proxy = proxy();
    let address = proxy.address();
    let metrics = Arc::new(Recorder::default());
    let client = connect_with(rt, ConnectOptions::new(address.clone()), &metrics).await;
    let (id, start) = start_options("observe-happy");
    let handle = client
        .start_workflow("Echo", ("happy",), start)
        .await
        .expect("start");
    let echoed: String = handle.result().await.expect("result");
    assert_eq!(echoed, "happy");
    handle.describe().await.expect("describe");
    let ours: Vec<Captured> = capture::events()
        .into_iter()
        .filter(|e| {
            let line = e.line();
            line.contains(&format!("workflow_id={id}"))
                || line.contains(&format!("server={address}"))
        })
        .collect();
    assert!(ours.len() >= 3, "{}", lines(&ours));
    let loud: Vec<_> = ours
        .iter()
        .filter(|e| e.level < Level::DEBUG)
        .cloned()
        .collect();
    assert!(
        loud.is_empty(),
        "above DEBUG on the happy path:\n{}",
        lines(&loud)
    );
    let failures = metrics
        .told()
        .into_iter()
        .filter(|t| matches!(t, Told::Finished { code, .. } if *code != Code::OK))
        .count();
    assert_eq!(failures, 0, "{:?}", metrics.told());
}

pub(crate) async fn nothing_emitted_holds_a_secret(rt: Rt) {
    capture::install();
    const HEADER_SECRET: &str = "hdr-SECRET-7f3a9";
    const WRONG_KEY: &str = "wrong-key-SECRET-c41d";
    let pki = &shared_pki().pki;
    let metrics = Arc::new(Recorder::default());
    // API key, a secret header, and a client key, through the API-key front.
    let mut options = shared_api_key_front()
        .connect_options()
        .metadata("x-api-key", HEADER_SECRET);
    if let Some(tls) = options.tls.as_mut() {
        tls.client_cert = Some(pki.client.cert_pem.clone().into_bytes());
        tls.client_private_key = Some(PrivateKey::new(pki.client.key_pem.clone().into_bytes()));
    }
    let client = connect_with(rt, options, &metrics).await;
    let (_, start) = start_options("observe-secrets");
    let handle = client
        .start_workflow("Echo", ("secret-free",), start)
        .await
        .expect("start");
    let _: String = handle.result().await.expect("result");
    // A rejected key: its error goes through the events too.
    client
        .set_api_key(Some(WRONG_KEY.to_string()))
        .expect("set key");
    client
        .get_system_info()
        .await
        .expect_err("a wrong key fails");
    // mTLS with the client key through the mTLS front.
    let mtls = connect_with(rt, shared_mtls_front().connect_options(), &metrics).await;
    mtls.get_system_info().await.expect("mTLS");
    let mut everything: Vec<String> = capture::events().iter().map(Captured::line).collect();
    everything.extend(capture::spans());
    everything.extend(metrics.told().iter().map(|t| format!("{t:?}")));
    assert!(everything.len() > 10, "{}", everything.len());
    let mut secrets = vec![shared_api_key(), WRONG_KEY, HEADER_SECRET];
    for key in [&pki.client.key_pem, &pki.server.key_pem] {
        secrets.extend(
            key.lines()
                .filter(|l| !l.starts_with("-----") && l.len() > 16),
        );
    }
    for line in &everything {
        for secret in &secrets {
            assert!(
                !line.contains(secret),
                "a secret in what was emitted: {line}"
            );
        }
    }
}
