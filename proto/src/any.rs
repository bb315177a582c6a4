//! Packing and unpacking of [`Any`], as used by `google.rpc.Status.details`.

use prost::{DecodeError, Message, Name};

use crate::google::protobuf::Any;

impl Any {
    /// Packs `msg`, with the type URL `type.googleapis.com/<full name>`.
    pub fn from_msg<M: Message + Name>(msg: &M) -> Self {
        Any {
            type_url: M::type_url(),
            value: msg.encode_to_vec(),
        }
    }

    /// The full message name the type URL names: the part after the last `/`.
    pub fn type_name(&self) -> &str {
        self.type_url.rsplit('/').next().unwrap_or_default()
    }

    /// Whether this holds an `M`, judged by the type URL's message name (any URL prefix).
    pub fn is<M: Name>(&self) -> bool {
        let name = self.type_name();
        name.strip_prefix(M::PACKAGE)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|rest| rest == M::NAME)
    }

    /// Unpacks an `M`; `Ok(None)` if this holds another type, `Err` if the bytes are not a
    /// valid `M`.
    pub fn to_msg<M: Message + Name + Default>(&self) -> Result<Option<M>, DecodeError> {
        if self.is::<M>() {
            M::decode(self.value.as_slice()).map(Some)
        } else {
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temporal::api::errordetails::v1::{NamespaceNotFoundFailure, NotFoundFailure};

    #[test]
    fn packs_and_unpacks() {
        let detail = NamespaceNotFoundFailure {
            namespace: "nope".into(),
        };
        let any = Any::from_msg(&detail);
        assert_eq!(
            any.type_url,
            "type.googleapis.com/temporal.api.errordetails.v1.NamespaceNotFoundFailure"
        );
        assert!(any.is::<NamespaceNotFoundFailure>());
        assert!(!any.is::<NotFoundFailure>());
        assert_eq!(
            any.to_msg::<NamespaceNotFoundFailure>().unwrap(),
            Some(detail)
        );
        assert_eq!(any.to_msg::<NotFoundFailure>().unwrap(), None);
    }

    #[test]
    fn accepts_any_url_prefix_and_rejects_bad_bytes() {
        let any = Any {
            type_url: "example.com/x/temporal.api.errordetails.v1.NotFoundFailure".into(),
            value: alloc::vec![0x0a, 0x05, b'a'],
        };
        assert!(any.is::<NotFoundFailure>());
        assert!(any.to_msg::<NotFoundFailure>().is_err());
        let bare = Any {
            type_url: "temporal.api.errordetails.v1.NotFoundFailure".into(),
            value: alloc::vec![],
        };
        assert_eq!(
            bare.to_msg::<NotFoundFailure>().unwrap(),
            Some(NotFoundFailure::default())
        );
    }
}
