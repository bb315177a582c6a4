//! The gRPC services the client calls.

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
