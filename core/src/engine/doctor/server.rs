//! The checks that need the server to answer: credentials accepted, HTTP/2 and gRPC, the
//! namespace, the server's version and capabilities. They use a client over the engine's
//! own transport, as an application would, with one attempt per call.

use std::format;
use std::string::{String, ToString};
use std::sync::Arc;
use std::vec::Vec;

use temporal_lite_proto::temporal::api::enums::v1::NamespaceState;
use temporal_lite_proto::temporal::api::workflowservice::v1::{
    DescribeNamespaceRequest, DescribeNamespaceResponse, GetSystemInfoResponse,
};

use super::report::{Check, Step, Verdict};
use super::Doctor;
use crate::client::{Client, Error, RetryConfig, RpcOptions, Service};
use crate::engine::{Http2Transport, Runtime};
use crate::grpc::{Code, TransportErrorKind};

impl<R: Runtime> Doctor<'_, R> {
    /// Auth, gRPC, namespace and server, in that order.
    pub(super) async fn check_server(&mut self) {
        let transport = match Http2Transport::new(self.runtime.clone(), self.options) {
            Ok(transport) => transport,
            Err(error) => {
                self.record(Step::fail(
                    Check::Grpc,
                    String::from(error.message()),
                    "correct the setting the message names",
                ));
                return;
            }
        };
        let rpc = RpcOptions {
            timeout: self
                .options
                .connect_timeout
                .max(core::time::Duration::from_secs(5)),
            retry: RetryConfig::no_retries(),
            ..RpcOptions::default()
        };
        let client = Client::new(
            Arc::new(transport),
            self.runtime.clone(),
            self.options.clone(),
        )
        .with_rpc_options(rpc);
        let started = self.runtime.now();
        let info = client.get_system_info().await;
        let elapsed = self.runtime.now().saturating_sub(started);
        let info = match info {
            Ok(info) => info,
            Err(error) => {
                self.system_info_failure(&error);
                return;
            }
        };
        self.record(Step::pass(Check::Auth, self.credentials_accepted()));
        let over = if self.options.uses_tls() {
            "HTTP/2 over TLS"
        } else {
            "HTTP/2 without TLS (h2c)"
        };
        self.record(Step::pass(
            Check::Grpc,
            format!(
                "GetSystemInfo answered in {:.1} ms over {over}",
                elapsed.as_secs_f64() * 1000.0
            ),
        ));
        if !self.check_namespace(&client).await {
            return;
        }
        self.record(server_step(&info));
    }

    fn credentials_accepted(&self) -> String {
        let cert = self
            .options
            .tls
            .as_ref()
            .is_some_and(|t| t.client_cert.is_some());
        match (self.options.api_key.is_some(), cert) {
            (true, true) => format!(
                "the server accepted the API key ({}) and the client certificate",
                self.origin("api_key")
            ),
            (true, false) => format!(
                "the server accepted the API key ({})",
                self.origin("api_key")
            ),
            (false, true) => format!(
                "the server accepted the client certificate ({})",
                self.origin("tls.client_cert")
            ),
            (false, false) => {
                String::from("no credentials configured, and the server asked for none")
            }
        }
    }

    fn system_info_failure(&mut self, error: &Error) {
        let api_key = self.options.api_key.is_some();
        let cert = self
            .options
            .tls
            .as_ref()
            .is_some_and(|t| t.client_cert.is_some());
        match error {
            Error::Unauthenticated { message } | Error::PermissionDenied { message } => {
                let lower = message.to_ascii_lowercase();
                let fix = if lower.contains("certificate") && cert {
                    format!(
                        "the server does not trust the client certificate ({}): use one issued by \
                         the CA the server trusts, not expired, allowing client authentication",
                        self.origin("tls.client_cert")
                    )
                } else if lower.contains("certificate") {
                    String::from(
                        "the server requires a client certificate (mTLS): configure one and its \
                         key (tls.client_cert_path and tls.client_key_path, \
                         TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH)",
                    )
                } else if api_key {
                    format!(
                        "the API key ({}) is wrong, expired or revoked, or for another account: \
                         set a valid one",
                        self.origin("api_key")
                    )
                } else {
                    String::from(
                        "the server requires credentials: set an API key (api_key in the \
                         profile, TEMPORAL_API_KEY) or a client certificate and key",
                    )
                };
                self.record(Step::fail(
                    Check::Auth,
                    format!("the server refused the credentials: {error}"),
                    fix,
                ));
            }
            Error::Transport(transport)
                if transport.kind() == TransportErrorKind::Tls
                    && transport.message().contains("client") =>
            {
                self.record(Step::fail(
                    Check::Auth,
                    format!("the server refused the connection: {}", transport.message()),
                    "use a client certificate issued by a CA the server trusts",
                ));
            }
            Error::Status(status) if status.code == Code::UNIMPLEMENTED => {
                self.record(Step::skip(Check::Auth, "not known: no Temporal answer"));
                self.record(Step::fail(
                    Check::Grpc,
                    format!("the server answers gRPC but not Temporal's WorkflowService: {error}"),
                    format!(
                        "check that {} is a Temporal frontend (port 7233 by default)",
                        self.origin("address")
                    ),
                ));
            }
            _ => {
                self.record(Step::skip(Check::Auth, "not known: no gRPC answer"));
                let text = error.to_string();
                let fix =
                    if text.contains("requires TLS") || text.contains("If it is a TLS endpoint") {
                        String::from(
                            "the server speaks TLS: turn TLS on (a [tls] section in the profile, \
                         TEMPORAL_TLS=true, an https:// address, or ConnectOptions::tls)",
                        )
                    } else {
                        format!(
                            "check that {} is a Temporal frontend's gRPC port (7233 by default)",
                            self.origin("address")
                        )
                    };
                self.record(Step::fail(
                    Check::Grpc,
                    format!("no gRPC answer to GetSystemInfo: {text}"),
                    fix,
                ));
            }
        }
    }

    /// `DescribeNamespace`; whether the run goes on.
    async fn check_namespace(&mut self, client: &Client) -> bool {
        let namespace = self.options.namespace.clone();
        let request = DescribeNamespaceRequest {
            namespace: namespace.clone(),
            ..DescribeNamespaceRequest::default()
        };
        let result: Result<DescribeNamespaceResponse, Error> = client
            .raw_call(Service::Workflow, "DescribeNamespace", &request)
            .await;
        let origin = self.origin("namespace");
        let step = match result {
            Ok(response) => namespace_step(&namespace, &response, &origin),
            Err(Error::NamespaceNotFound { .. } | Error::NotFound { .. }) => Step::fail(
                Check::Namespace,
                format!("namespace {namespace:?} does not exist on this server"),
                format!(
                    "set {origin} to an existing namespace (`temporal operator namespace list` \
                     lists them), or create it (`temporal operator namespace create -n \
                     {namespace}`)"
                ),
            ),
            Err(error @ (Error::PermissionDenied { .. } | Error::Unauthenticated { .. })) => {
                Step::fail(
                    Check::Namespace,
                    format!("the credentials may not use namespace {namespace:?}: {error}"),
                    format!(
                        "use credentials for namespace {namespace:?}, or set {origin} to the \
                         namespace they are for"
                    ),
                )
            }
            Err(error) => Step::fail(
                Check::Namespace,
                format!("DescribeNamespace failed: {error}"),
                "see the error; the server answered the earlier checks",
            ),
        };
        self.record(step)
    }
}

fn namespace_step(namespace: &str, response: &DescribeNamespaceResponse, origin: &str) -> Step {
    let info = response.namespace_info.clone().unwrap_or_default();
    let retention = response
        .config
        .as_ref()
        .and_then(|c| c.workflow_execution_retention_ttl.as_ref())
        .map(|d| format!(", retention {}", days(d.seconds)))
        .unwrap_or_default();
    let state = info.state();
    let detail = format!(
        "namespace {namespace:?} exists ({}{retention})",
        state
            .as_str_name()
            .trim_start_matches("NAMESPACE_STATE_")
            .to_ascii_lowercase()
    );
    match state {
        NamespaceState::Deleted => Step::fail(
            Check::Namespace,
            detail,
            format!("the namespace is being deleted: set {origin} to another one"),
        ),
        NamespaceState::Deprecated => Step::new(Check::Namespace, Verdict::Warn, detail).with_fix(
            format!("the namespace is deprecated: plan a move ({origin})"),
        ),
        _ => Step::pass(Check::Namespace, detail),
    }
}

fn days(seconds: i64) -> String {
    if seconds % 86_400 == 0 {
        format!("{}d", seconds / 86_400)
    } else {
        format!("{}h", seconds / 3_600)
    }
}

fn server_step(info: &GetSystemInfoResponse) -> Step {
    let version = if info.server_version.is_empty() {
        String::from("version not reported")
    } else {
        format!("Temporal server {}", info.server_version)
    };
    let caps = info.capabilities.unwrap_or_default();
    let all = [
        ("signal_and_query_header", caps.signal_and_query_header),
        (
            "internal_error_differentiation",
            caps.internal_error_differentiation,
        ),
        (
            "activity_failure_include_heartbeat",
            caps.activity_failure_include_heartbeat,
        ),
        ("supports_schedules", caps.supports_schedules),
        (
            "encoded_failure_attributes",
            caps.encoded_failure_attributes,
        ),
        ("build_id_based_versioning", caps.build_id_based_versioning),
        ("upsert_memo", caps.upsert_memo),
        ("eager_workflow_start", caps.eager_workflow_start),
        ("sdk_metadata", caps.sdk_metadata),
        (
            "count_group_by_execution_status",
            caps.count_group_by_execution_status,
        ),
        ("nexus", caps.nexus),
    ];
    let on: Vec<&str> = all.iter().filter(|c| c.1).map(|c| c.0).collect();
    let off: Vec<&str> = all.iter().filter(|c| !c.1).map(|c| c.0).collect();
    let mut detail = format!("{version}; {} of {} capabilities", on.len(), all.len());
    if !off.is_empty() {
        detail.push_str(&format!(" (without {})", off.join(", ")));
    }
    if caps.supports_schedules {
        Step::pass(Check::Server, detail)
    } else {
        Step::new(Check::Server, Verdict::Warn, detail)
            .with_fix("this server has no schedules: Client::create_schedule will fail".to_string())
    }
}
