//! The client API: start workflows, wait for their results, signal, query, update (also with
//! start), cancel, terminate, describe, read history, list and count; schedules
//! ([`Client::create_schedule`], [`ScheduleHandle`]); asynchronous activity completion
//! ([`AsyncActivityHandle`]); a payload codec stage ([`Client::with_payload_codec`]); and raw
//! calls to any `WorkflowService` or `OperatorService` method ([`Client::raw_call`]).
//!
//! A [`Client`] talks to the server only through an `Arc<dyn Transport>` and reads time only
//! from an `Arc<dyn Clock>`, both supplied by a runtime adapter (or a test). It is cheap to
//! clone; clones share the transport, the API key and the request-id generator.
//!
//! Every call carries `client-name`, `client-version`, `temporal-namespace` (for namespaced
//! calls), `authorization: Bearer <key>` when an API key is set, the configured metadata and
//! a `grpc-timeout`; transient failures are retried as [`RetryConfig`] says, reusing the same
//! request id so that a retried start or signal is applied once.
//!
//! # Example
//!
//! ```no_run
//! use std::sync::Arc;
//! use temporal_lite_core::client::{Client, Error, StartWorkflowOptions};
//! use temporal_lite_core::config::ConnectOptions;
//! use temporal_lite_core::grpc::Transport;
//! use temporal_lite_core::time::Clock;
//!
//! // `transport` and `clock` come from a runtime adapter such as temporal-lite-tokio.
//! async fn greet(transport: Arc<dyn Transport>, clock: Arc<dyn Clock>) -> Result<(), Error> {
//!     let options = ConnectOptions::new("localhost:7233").namespace("default");
//!     let client = Client::connect_with(transport, clock, options).await?;
//!     let handle = client
//!         .start_workflow("Greet", ("World",), StartWorkflowOptions::new("greet-1", "greetings"))
//!         .await?;
//!     handle.signal("hurry", ()).await?;
//!     let greeting: String = handle.result().await?;
//!     println!("{greeting}");
//!     Ok(())
//! }
//! ```

mod activity;
mod call;
mod call_future;
mod codec;
mod description;
mod error;
mod event;
mod execution;
mod failure;
mod handle;
mod history;
mod history_stream;
mod jitter;
mod metadata_cache;
mod not_found;
mod outcome;
mod pages;
mod priority;
mod proto_time;
mod query_options;
mod raw;
mod request_id;
mod retry;
mod retry_policy;
mod rpc;
mod rpc_options;
mod schedule;
mod search_attributes;
mod start;
mod start_options;
mod status;
mod update;
mod update_error;
mod update_with_start;
mod value_fields;
mod visibility;

#[cfg(test)]
mod tests;

use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;
use core::sync::atomic::AtomicBool;
use core::time::Duration;

use temporal_lite_proto::temporal::api::workflowservice::v1::{
    GetSystemInfoRequest, GetSystemInfoResponse,
};

pub use activity::{ActivityHeartbeat, ApplicationFailure, AsyncActivityHandle};
pub use call_future::{CallFuture, CallOptions, MakeCall};
pub use description::{PendingActivity, WorkflowDescription, WorkflowInfo};
pub use error::Error;
pub use event::HistoryEventExt;
pub use execution::WorkflowExecutionRef;
pub use failure::{Failure, FailureKind, WorkflowError, WorkflowFailure, WorkflowOutcome};
pub use handle::WorkflowHandle;
pub use history::{HistoryEventFilter, HistoryPage, HistoryPageOptions};
pub use history_stream::HistoryEvents;
pub use not_found::NotFoundTarget;
pub use priority::Priority;
pub use query_options::{QueryOptions, QueryRejectCondition};
pub use retry::RetryConfig;
pub use retry_policy::RetryPolicy;
pub use rpc_options::RpcOptions;
pub use schedule::{
    CalendarSpec, CreateScheduleOptions, IntervalSpec, Schedule, ScheduleAction,
    ScheduleActionResult, ScheduleBackfill, ScheduleDescription, ScheduleHandle, ScheduleInfo,
    ScheduleList, ScheduleListEntry, ScheduleOverlapPolicy, SchedulePolicy, ScheduleRange,
    ScheduleSpec, ScheduleStartWorkflow, ScheduleState,
};
pub use search_attributes::{SearchAttributeValue, METADATA_SEARCH_ATTRIBUTE_TYPE};
// Defined in `grpc` (a leaf), so that `observe` can name it without an import cycle.
pub use crate::grpc::Service;
pub use start_options::{StartWorkflowOptions, WorkflowIdConflictPolicy, WorkflowIdReusePolicy};
pub use status::{PendingActivityState, RetryState, TimeoutType, WorkflowStatus};
pub use temporal_lite_proto::temporal::api::enums::v1::EventType;
pub use temporal_lite_proto::temporal::api::history::v1::history_event::Attributes as HistoryEventAttributes;
pub use temporal_lite_proto::temporal::api::history::v1::HistoryEvent;
pub use update::{UpdateHandle, UpdateOptions, UpdateStage};
pub use update_error::{UpdateError, UpdateErrorKind};
pub use update_with_start::WithStartWorkflowOperation;
pub use visibility::{WorkflowCount, WorkflowCountGroup, WorkflowExecutionPage, WorkflowList};

use crate::config::{ApiKey, ConfigError, ConnectOptions, ErrorCategory};
use crate::grpc::{self, Metadata, Transport};
use crate::payload::{
    CompositePayloadConverter, FromValue, Payload, PayloadCodec, PayloadConverter, ToValue,
};
use crate::time::Clock;
use call::Call;
use jitter::Jitter;
use request_id::RequestIds;

/// The value sent in the `client-name` header.
pub const CLIENT_NAME: &str = "temporal-lite";
/// The value sent in the `client-version` header: this crate's version.
pub const CLIENT_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A Temporal client: cheap to clone, `Send + Sync`.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    settings: Arc<Settings>,
}

/// State every clone shares.
struct Shared {
    transport: Arc<dyn Transport>,
    clock: Arc<dyn Clock>,
    /// The API key. A spin lock (from the `spin` crate, as `std::sync` is not available in
    /// `no_std`): it is held only to clone or replace an `Arc`, never across an `await`.
    api_key: spin::RwLock<Option<Arc<ApiKey>>>,
    /// The metadata set with `Client::set_metadata`, which replaces the options' own; locked
    /// as the API key is.
    metadata: spin::RwLock<Option<Arc<Metadata>>>,
    /// Request ids, from the entropy source of the options.
    request_ids: RequestIds,
    /// Backoff jitter.
    jitter: spin::Mutex<Jitter>,
    /// Whether some call has had an answer from the server: until then a failure to
    /// connect is final (see `Client::first_connect_fails`).
    reached: AtomicBool,
    /// When the first failure to connect happened, before the server was reached (the
    /// start of `ConnectOptions::wait_for_server`).
    first_connect_failure: spin::Mutex<Option<Duration>>,
}

/// Settings a clone may change for itself (`with_*`).
#[derive(Clone)]
struct Settings {
    /// Address, namespace, identity, metadata. `api_key` is always `None` here: the live key
    /// is in [`Shared::api_key`].
    options: ConnectOptions,
    rpc: RpcOptions,
    converter: Arc<dyn PayloadConverter>,
    /// The codec stage after the converter, if any.
    codec: Option<Arc<dyn PayloadCodec>>,
    /// Each kind of call's metadata, built once (see `Client::call_metadata`).
    call_metadata: metadata_cache::MetadataCache,
}

impl Client {
    /// A client over `transport`, without any I/O. The first call connects.
    ///
    /// `options` gives the namespace, identity, metadata, API key and entropy source; the
    /// address and TLS settings are the transport's business, and are used here only to
    /// refuse credentials over plaintext. Nothing is checked here (this cannot fail): call
    /// [`ConnectOptions::validate`] first, or use [`connect_with`](Self::connect_with),
    /// which does. Invalid options then fail each call instead.
    pub fn new(
        transport: Arc<dyn Transport>,
        clock: Arc<dyn Clock>,
        mut options: ConnectOptions,
    ) -> Client {
        let api_key = options.api_key.take().map(Arc::new);
        let request_ids = RequestIds::new(options.entropy.clone());
        let jitter = match request_ids.seed() {
            Ok(seed) => Jitter::new(seed),
            Err(_) => Jitter::without_entropy(),
        };
        Client {
            shared: Arc::new(Shared {
                transport,
                clock,
                api_key: spin::RwLock::new(api_key),
                metadata: spin::RwLock::new(None),
                request_ids,
                jitter: spin::Mutex::new(jitter),
                reached: AtomicBool::new(false),
                first_connect_failure: spin::Mutex::new(None),
            }),
            settings: Arc::new(Settings {
                options,
                rpc: RpcOptions::default(),
                converter: Arc::new(CompositePayloadConverter::default()),
                codec: None,
                call_metadata: metadata_cache::MetadataCache::default(),
            }),
        }
    }

    /// A client over `transport`, checked with a `GetSystemInfo` call unless `options.lazy`.
    ///
    /// Fails with the error of that call: e.g. [`Error::Transport`] of kind
    /// [`Connect`](crate::grpc::TransportErrorKind::Connect) at once when nothing listens
    /// at the address (unless [`ConnectOptions::wait_for_server`] is set),
    /// [`Error::Unauthenticated`] for a wrong API key.
    pub async fn connect_with(
        transport: Arc<dyn Transport>,
        clock: Arc<dyn Clock>,
        options: ConnectOptions,
    ) -> Result<Client, Error> {
        Client::connect_with_rpc_options(transport, clock, options, RpcOptions::default()).await
    }

    /// Like [`connect_with`](Self::connect_with), with `rpc` in force from the start: the
    /// `GetSystemInfo` check uses its deadline and retries too. With
    /// [`ConnectOptions::wait_for_server`](ConnectOptions#structfield.wait_for_server) the
    /// check's deadline is that wait plus [`RpcOptions::timeout`].
    ///
    /// First checks `options` ([`ConnectOptions::validate`]) and the entropy source, and
    /// fails with [`Error::Config`] or [`Error::InvalidOptions`] before any call.
    pub async fn connect_with_rpc_options(
        transport: Arc<dyn Transport>,
        clock: Arc<dyn Clock>,
        options: ConnectOptions,
        rpc: RpcOptions,
    ) -> Result<Client, Error> {
        options.validate()?;
        let lazy = options.lazy;
        let wait = options.wait_for_server;
        let client = Client::new(transport, clock, options).with_rpc_options(rpc);
        // Fail now rather than at the first start or signal: without `std` the entropy
        // source must be supplied.
        client.shared.request_ids.seed().map_err(|error| {
            Error::invalid(format!(
                "no entropy for request ids: {error} (ConnectOptions::entropy)"
            ))
        })?;
        if !lazy {
            let check = CallOptions {
                timeout: wait.map(|w| w.saturating_add(client.settings.rpc.timeout)),
                ..CallOptions::default()
            };
            client.system_info(&check).await?;
        }
        Ok(client)
    }

    /// This client with other deadlines, limits and retries.
    pub fn with_rpc_options(mut self, rpc: RpcOptions) -> Client {
        self.settings_mut().rpc = rpc;
        self
    }

    /// This client with another payload converter (the default handles `binary/null`,
    /// `binary/plain` and `json/plain`).
    pub fn with_payload_converter(mut self, converter: Arc<dyn PayloadConverter>) -> Client {
        self.settings_mut().converter = converter;
        self
    }

    /// This client with a payload codec (encryption, compression) after its payload
    /// converter: every payload the client sends is encoded with it, and every payload it
    /// reads is decoded with it (see [`PayloadCodec`] for which). `None` removes it.
    pub fn with_payload_codec(mut self, codec: Option<Arc<dyn PayloadCodec>>) -> Client {
        self.settings_mut().codec = codec;
        self
    }

    /// The payload codec in use, if any.
    pub fn payload_codec(&self) -> Option<&Arc<dyn PayloadCodec>> {
        self.settings.codec.as_ref()
    }

    /// This client targeting another namespace, sharing the transport and API key.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Client {
        self.settings_mut().options.namespace = namespace.into();
        self
    }

    /// This client reporting another identity.
    pub fn with_identity(mut self, identity: impl Into<String>) -> Client {
        self.settings_mut().options.identity = identity.into();
        self
    }

    /// Replace (or with `None`, remove) the API key, for this client and every clone of it.
    /// Calls already in flight keep the key they started with.
    ///
    /// Fails, keeping the old key, with [`Error::Config`] if the key cannot be sent in a
    /// header (a line break, non-ASCII, empty) or if this client is plaintext to a host that
    /// is not loopback and its options do not
    /// [allow plaintext credentials](ConnectOptions::allow_plaintext_credentials).
    pub fn set_api_key(&self, key: Option<String>) -> Result<(), Error> {
        if let Some(key) = &key {
            crate::config::check_api_key(key).map_err(|problem| {
                Error::Config(ConfigError::new(
                    ErrorCategory::InvalidApiKey,
                    format!("the API key given to Client::set_api_key {problem}"),
                ))
            })?;
            self.settings.options.check_plaintext_credentials(true)?;
        }
        *self.shared.api_key.write() = key.map(|k| Arc::new(ApiKey::new(k)));
        Ok(())
    }

    /// Replace the metadata sent with every call (the options'
    /// [`metadata`](ConnectOptions::metadata) until then), for this client and every clone of
    /// it. Calls already in flight keep the metadata they started with.
    ///
    /// Fails, keeping the old metadata, with [`Error::Config`] naming the header if a name or
    /// value cannot be sent, or if a secret header ([`crate::grpc::is_secret_header`]) would
    /// go in plaintext to a host that is not loopback.
    pub fn set_metadata(&self, metadata: Metadata) -> Result<(), Error> {
        for (name, value) in metadata.iter() {
            grpc::check_metadata_name(name)
                .and_then(|()| grpc::check_metadata_value(name, value))
                .map_err(|problem| {
                    Error::Config(ConfigError::new(
                        ErrorCategory::InvalidGrpcMeta,
                        format!("metadata header {name:?} (Client::set_metadata) {problem}"),
                    ))
                })?;
        }
        let mut probe = self.settings.options.clone();
        probe.metadata = metadata;
        probe.check_plaintext_credentials(false)?;
        *self.shared.metadata.write() = Some(Arc::new(probe.metadata));
        Ok(())
    }

    /// The metadata sent with every call: the last [`set_metadata`](Self::set_metadata), else
    /// the options' own.
    pub fn metadata(&self) -> Metadata {
        match &*self.shared.metadata.read() {
            Some(metadata) => Metadata::clone(metadata),
            None => self.settings.options.metadata.clone(),
        }
    }

    /// Whether an API key is set.
    pub fn has_api_key(&self) -> bool {
        self.shared.api_key.read().is_some()
    }

    /// The namespace calls target.
    pub fn namespace(&self) -> &str {
        &self.settings.options.namespace
    }

    /// The identity reported to the server.
    pub fn identity(&self) -> &str {
        &self.settings.options.identity
    }

    /// The connection options this client was made with, less the API key.
    pub fn options(&self) -> &ConnectOptions {
        &self.settings.options
    }

    /// The deadlines, limits and retries in use.
    pub fn rpc_options(&self) -> &RpcOptions {
        &self.settings.rpc
    }

    /// The payload converter in use.
    pub fn payload_converter(&self) -> &Arc<dyn PayloadConverter> {
        &self.settings.converter
    }

    /// Encode `value` with this client's payload converter.
    pub fn encode<T: ToValue + ?Sized>(&self, value: &T) -> Result<Payload, Error> {
        Ok(crate::payload::encode(
            self.settings.converter.as_ref(),
            value,
        )?)
    }

    /// Decode `payload` with this client's payload converter (e.g. failure details, memo
    /// fields, search attributes).
    pub fn decode<T: FromValue>(&self, payload: &Payload) -> Result<T, Error> {
        Ok(crate::payload::decode(
            self.settings.converter.as_ref(),
            payload,
        )?)
    }

    /// Ask the server for its version and capabilities. Not namespaced.
    pub fn get_system_info(
        &self,
    ) -> CallFuture<impl MakeCall<Output = GetSystemInfoResponse> + '_> {
        CallFuture::new(move |options| async move { self.system_info(&options?).await })
    }

    async fn system_info(&self, options: &CallOptions) -> Result<GetSystemInfoResponse, Error> {
        let call = Call::read("GetSystemInfo").global();
        self.call_with(call, &GetSystemInfoRequest::default(), options)
            .await
    }

    /// A handle to the latest run of workflow `workflow_id`. No call is made.
    pub fn workflow_handle(&self, workflow_id: impl Into<String>) -> WorkflowHandle {
        WorkflowHandle::new(self.clone(), workflow_id.into(), None, None)
    }

    /// A handle to run `run_id` of workflow `workflow_id`. No call is made.
    pub fn workflow_handle_with_run(
        &self,
        workflow_id: impl Into<String>,
        run_id: impl Into<String>,
    ) -> WorkflowHandle {
        let run_id = run_id.into();
        let run_id = (!run_id.is_empty()).then_some(run_id);
        WorkflowHandle::new(self.clone(), workflow_id.into(), run_id.clone(), run_id)
    }

    /// The settings, to change them for this clone only; forgets the metadata built from
    /// the old ones.
    fn settings_mut(&mut self) -> &mut Settings {
        let settings = Arc::make_mut(&mut self.settings);
        settings.call_metadata = metadata_cache::MetadataCache::default();
        settings
    }

    /// A new request id (UUID v4 format) from the entropy source.
    pub(crate) fn new_request_id(&self) -> Result<String, Error> {
        self.shared.request_ids.next().map_err(|error| {
            Error::invalid(format!(
                "cannot make a request id: {error} (the entropy source is \
                 ConnectOptions::entropy)"
            ))
        })
    }

    pub(crate) fn random_unit(&self) -> f64 {
        self.shared.jitter.lock().next_f64()
    }

    pub(crate) fn converter(&self) -> &dyn PayloadConverter {
        self.settings.converter.as_ref()
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("address", &self.settings.options.address)
            .field("namespace", &self.settings.options.namespace)
            .field("identity", &self.settings.options.identity)
            .field("api_key", &self.has_api_key().then_some("<redacted>"))
            .finish_non_exhaustive()
    }
}
