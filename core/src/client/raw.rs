//! Raw calls: any method of the `WorkflowService` or `OperatorService`, for what has no typed
//! wrapper yet.

use prost::Message;

use super::call::Call;
use super::{CallFuture, Client, Error, MakeCall};
use crate::grpc::Service;

impl Client {
    /// Call `method` of `service` with `request` and decode the answer as `Resp`: the escape
    /// hatch for whatever this client has no typed call for.
    ///
    /// The call gets everything a typed call gets: the client's headers (`client-name`,
    /// `client-version`, `temporal-namespace` with [`namespace`](Self::namespace),
    /// `authorization` with the API key, the configured metadata), its deadline
    /// ([`RpcOptions::timeout`](super::RpcOptions::timeout), every attempt included),
    /// retries of transient failures until then ([`RetryConfig`](super::RetryConfig)) and
    /// the mapping of server errors to [`Error`]. The client cannot tell what the method
    /// does, so it retries it as a read: retries resend the same bytes, so a request that
    /// carries a request id stays idempotent; one that does not may be applied twice if an
    /// attempt's answer is lost, and a call that runs out of time is
    /// [`Error::DeadlineExceeded`] even if it may have been applied.
    ///
    /// `Req` and `Resp` are any prost messages with the wire format of the method's request
    /// and response: the types of `temporal_lite_proto`, or those of another crate generated
    /// from Temporal's `.proto` files. The request is sent as it is: set its `namespace`
    /// field yourself, and run payloads through [`encode_payloads`](Self::encode_payloads) /
    /// [`decode_payloads`](Self::decode_payloads) if the client has a payload codec.
    ///
    /// `method` is the bare method name (`"AddSearchAttributes"`,
    /// `"DescribeTaskQueue"`); an empty name or one with a `/` fails with
    /// [`Error::InvalidOptions`] before any call.
    ///
    /// ```no_run
    /// # async fn demo(client: &temporal_lite_core::client::Client) -> Result<(), temporal_lite_core::client::Error> {
    /// use temporal_lite_core::client::Service;
    /// use temporal_lite_proto::temporal::api::enums::v1::IndexedValueType;
    /// use temporal_lite_proto::temporal::api::operatorservice::v1::{
    ///     AddSearchAttributesRequest, AddSearchAttributesResponse,
    /// };
    ///
    /// let request = AddSearchAttributesRequest {
    ///     search_attributes: [("CustomerId".to_string(), IndexedValueType::Keyword as i32)].into(),
    ///     namespace: client.namespace().to_string(),
    /// };
    /// let _: AddSearchAttributesResponse =
    ///     client.raw_call(Service::Operator, "AddSearchAttributes", &request).await?;
    /// # Ok(()) }
    /// ```
    pub fn raw_call<'a, Req, Resp>(
        &'a self,
        service: Service,
        method: &'a str,
        request: &'a Req,
    ) -> CallFuture<impl MakeCall<Output = Resp> + 'a>
    where
        Req: Message + Sync,
        Resp: Message + Default + 'a,
    {
        self.raw(Call::read(method).on(service), request)
    }

    /// Like [`raw_call`](Self::raw_call), for a `WorkflowService` method the server holds
    /// until something happens (a long poll, such as `PollWorkflowExecutionUpdate` or
    /// `GetWorkflowExecutionHistory` with `wait_new_event`; the `OperatorService` has
    /// none): each attempt is held for at most
    /// [`RpcOptions::long_poll_timeout`](super::RpcOptions::long_poll_timeout), and it is
    /// retried with no deadline of its own until it has an answer.
    pub fn raw_long_poll<'a, Req: Message + Sync, Resp: Message + Default + 'a>(
        &'a self,
        method: &'a str,
        request: &'a Req,
    ) -> CallFuture<impl MakeCall<Output = Resp> + 'a> {
        self.raw(Call::long_poll(method).on(Service::Workflow), request)
    }
}

impl Client {
    /// `call` with `request`, once its method name is checked.
    fn raw<'a, Req, Resp>(
        &'a self,
        call: Call<'a>,
        request: &'a Req,
    ) -> CallFuture<impl MakeCall<Output = Resp> + 'a>
    where
        Req: Message + Sync,
        Resp: Message + Default + 'a,
    {
        CallFuture::new(move |call_options| async move {
            let call_options = call_options?;
            check_method(call.method)?;
            self.call_with(call, request, &call_options).await
        })
    }
}

fn check_method(method: &str) -> Result<(), Error> {
    let valid = !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if valid {
        Ok(())
    } else {
        Err(Error::invalid(alloc::format!(
            "raw call: `{method}` is not a method name; pass the bare name such as \
             \"DescribeTaskQueue\", without the service path"
        )))
    }
}
