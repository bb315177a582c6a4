use alloc::string::String;
use bytes::Bytes;
use core::fmt;

/// A gRPC status code. A newtype, so codes this crate does not know survive a round trip.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(pub u32);

macro_rules! codes {
    ($($name:ident = $value:literal, $text:literal;)*) => {
        impl Code {
            $(
                #[doc = concat!("`", $text, "` (", stringify!($value), ").")]
                pub const $name: Code = Code($value);
            )*

            /// The canonical upper-case name, or `None` for a code outside the gRPC spec.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($text),)*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    OK = 0, "OK";
    CANCELLED = 1, "CANCELLED";
    UNKNOWN = 2, "UNKNOWN";
    INVALID_ARGUMENT = 3, "INVALID_ARGUMENT";
    DEADLINE_EXCEEDED = 4, "DEADLINE_EXCEEDED";
    NOT_FOUND = 5, "NOT_FOUND";
    ALREADY_EXISTS = 6, "ALREADY_EXISTS";
    PERMISSION_DENIED = 7, "PERMISSION_DENIED";
    RESOURCE_EXHAUSTED = 8, "RESOURCE_EXHAUSTED";
    FAILED_PRECONDITION = 9, "FAILED_PRECONDITION";
    ABORTED = 10, "ABORTED";
    OUT_OF_RANGE = 11, "OUT_OF_RANGE";
    UNIMPLEMENTED = 12, "UNIMPLEMENTED";
    INTERNAL = 13, "INTERNAL";
    UNAVAILABLE = 14, "UNAVAILABLE";
    DATA_LOSS = 15, "DATA_LOSS";
    UNAUTHENTICATED = 16, "UNAUTHENTICATED";
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Code({})", self.0),
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A gRPC status: code, message and the raw `grpc-status-details-bin` payload
/// (an encoded `google.rpc.Status`, empty when the server sent none).
#[derive(Clone, PartialEq, Eq)]
pub struct Status {
    /// The status code.
    pub code: Code,
    /// The human-readable message, percent-decoded.
    pub message: String,
    /// The encoded `google.rpc.Status` from `grpc-status-details-bin`, or empty.
    pub details: Bytes,
}

impl Status {
    /// A status with a code and message and no details.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Bytes::new(),
        }
    }
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Status")
            .field("code", &self.code)
            .field("message", &self.message)
            .field("details_len", &self.details.len())
            .finish()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "gRPC status {}: {}", self.code, self.message)
    }
}

impl core::error::Error for Status {}
