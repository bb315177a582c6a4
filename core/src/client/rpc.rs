//! One unary call to the WorkflowService (or another service): headers, deadline, retries,
//! status mapping.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;

use prost::Message;

use super::retry::{classify_status, classify_transport, Backoff};
use super::{Client, Error, CLIENT_NAME, CLIENT_VERSION};
use crate::config::ApiKey;
use crate::grpc::{self, Metadata, Request, Status, TransportError};

/// The gRPC service typed calls go to.
const SERVICE: &str = "/temporal.api.workflowservice.v1.WorkflowService/";
/// The gRPC service of operator calls (search attributes, namespaces, clusters).
const OPERATOR_SERVICE: &str = "/temporal.api.operatorservice.v1.OperatorService/";

/// Which gRPC service a call goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Service {
    /// `temporal.api.workflowservice.v1.WorkflowService`: workflows, schedules, activities.
    Workflow,
    /// `temporal.api.operatorservice.v1.OperatorService`: search attributes, namespaces,
    /// clusters, Nexus endpoints.
    Operator,
}

impl Service {
    /// The path prefix of this service's methods, `/package.Service/`.
    pub fn path_prefix(self) -> &'static str {
        match self {
            Service::Workflow => SERVICE,
            Service::Operator => OPERATOR_SERVICE,
        }
    }
}

/// Which deadline and retry budget a call uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallKind {
    /// An ordinary call: deadline `RpcOptions::timeout`, retry budget from the call's start.
    Normal,
    /// A long poll: deadline `RpcOptions::long_poll_timeout`, retry budget from the first
    /// failure (a healthy attempt may itself last most of a minute).
    LongPoll,
}

/// The metadata of the last few kinds of call (namespaced or not, deadline), valid for one
/// API key; clones of the client's settings start empty.
#[derive(Default)]
pub(super) struct MetadataCache(spin::Mutex<MetadataEntries>);

#[derive(Default)]
struct MetadataEntries {
    /// The API key the entries were built with (held, so its address is not reused).
    key: Option<Arc<ApiKey>>,
    entries: Vec<(bool, Duration, Metadata)>,
}

/// How many kinds of call keep their metadata: namespaced or not, normal or long poll.
const METADATA_CACHE_SIZE: usize = 4;

impl Clone for MetadataCache {
    fn clone(&self) -> Self {
        Self::default()
    }
}

enum AttemptError {
    Status(Status),
    Transport(TransportError),
}

impl Client {
    /// The metadata of one attempt: built once per kind of call and API key, then cloned
    /// (which shares the text rather than copying it).
    ///
    /// Fails, before anything is sent, if the options are invalid (see
    /// `ConnectOptions::validate`), e.g. credentials would go over plaintext to a host that
    /// is not loopback.
    fn call_metadata(&self, namespaced: bool, timeout: Duration) -> Result<Metadata, Error> {
        let key = self.shared.api_key.read().clone();
        let mut cache = self.settings.call_metadata.0.lock();
        let same_key = match (&cache.key, &key) {
            (None, None) => true,
            (Some(cached), Some(key)) => Arc::ptr_eq(cached, key),
            _ => false,
        };
        if !same_key {
            cache.entries.clear();
            cache.key = key.clone();
        }
        if let Some((_, _, metadata)) = cache
            .entries
            .iter()
            .find(|(n, t, _)| *n == namespaced && *t == timeout)
        {
            return Ok(metadata.clone());
        }
        self.settings.options.validate_with_key(key.as_deref())?;
        let mut metadata = self.build_call_metadata(namespaced, timeout, key.as_deref());
        metadata.share();
        if cache.entries.len() < METADATA_CACHE_SIZE {
            cache.entries.push((namespaced, timeout, metadata.clone()));
        }
        Ok(metadata)
    }

    fn build_call_metadata(
        &self,
        namespaced: bool,
        timeout: Duration,
        key: Option<&ApiKey>,
    ) -> Metadata {
        let options = &self.settings.options;
        let mut metadata = Metadata::with_capacity(options.metadata.len() + 5);
        metadata.extend(&options.metadata);
        metadata.insert_static("client-name", Cow::Borrowed(CLIENT_NAME));
        metadata.insert_static("client-version", Cow::Borrowed(CLIENT_VERSION));
        if namespaced {
            metadata.insert_static("temporal-namespace", Cow::Owned(options.namespace.clone()));
        }
        // The user's own `authorization` header wins over the API key, as in the official
        // clients (sdk-core sets the key's header only when the metadata has none).
        if let Some(key) = key.filter(|_| options.metadata.get("authorization").is_none()) {
            metadata.insert_static(
                "authorization",
                Cow::Owned(format!("Bearer {}", key.expose())),
            );
        }
        metadata.insert_static("grpc-timeout", Cow::Owned(grpc::encode_timeout(timeout)));
        metadata
    }

    /// Call `method` with `request`, retrying transient failures, and decode the answer.
    ///
    /// The request is encoded once, so every attempt sends the same bytes (and the same
    /// request id, for requests that have one).
    pub(crate) async fn unary<Req, Resp>(
        &self,
        method: &str,
        request: &Req,
        kind: CallKind,
        namespaced: bool,
    ) -> Result<Resp, Error>
    where
        Req: Message,
        Resp: Message + Default,
    {
        self.unary_on(Service::Workflow, method, request, kind, namespaced)
            .await
    }

    /// Like [`unary`](Self::unary), on another service.
    pub(crate) async fn unary_on<Req, Resp>(
        &self,
        service: Service,
        method: &str,
        request: &Req,
        kind: CallKind,
        namespaced: bool,
    ) -> Result<Resp, Error>
    where
        Req: Message,
        Resp: Message + Default,
    {
        let prefix = service.path_prefix();
        let rpc = &self.settings.rpc;
        let retry = &rpc.retry;
        let timeout = match kind {
            CallKind::Normal => rpc.timeout,
            CallKind::LongPoll => rpc.long_poll_timeout,
        };
        let body = grpc::encode_message(request);
        let clock = &self.shared.clock;
        let started = clock.now();
        let mut first_failure: Option<Duration> = None;
        let mut backoff = Backoff::new(retry);
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            // Built per attempt (rather than cloned from a kept copy); exactly sized, as the
            // transport takes the bytes over as they are.
            let mut path = String::with_capacity(prefix.len() + method.len());
            path.push_str(prefix);
            path.push_str(method);
            let request = Request {
                path,
                metadata: self.call_metadata(namespaced, timeout)?,
                body: body.clone(),
                timeout: Some(timeout),
                receive_limit: rpc.receive_limit,
            };
            let failure = match self.shared.transport.unary(request).await {
                Ok(response) => match grpc::decode_unary_response(&response, rpc.receive_limit) {
                    Ok(message) => {
                        return Resp::decode(message).map_err(|e| {
                            Error::protocol(format!("{method}: the response is not valid: {e}"))
                        })
                    }
                    Err(status) => AttemptError::Status(status),
                },
                Err(error) => AttemptError::Transport(error),
            };
            let class = match &failure {
                AttemptError::Status(status) => classify_status(status),
                AttemptError::Transport(error) => classify_transport(error),
            };
            let now = clock.now();
            let budget_start = match kind {
                CallKind::Normal => started,
                CallKind::LongPoll => *first_failure.get_or_insert(now),
            };
            if let Some(class) = class {
                if attempt < retry.max_attempts {
                    let delay = backoff.next(retry, class, self.random_unit());
                    let elapsed = now.saturating_sub(budget_start);
                    if elapsed.saturating_add(delay) <= retry.max_elapsed {
                        clock.sleep(delay).await;
                        continue;
                    }
                }
            }
            return Err(match failure {
                AttemptError::Status(status) => Error::from_status(status),
                AttemptError::Transport(error) => Error::from(error),
            });
        }
    }
}
