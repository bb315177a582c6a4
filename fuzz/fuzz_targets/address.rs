//! The server address parser (engine endpoint and the plaintext-credentials check): any
//! text; a parsed address re-parses from its `:authority` to the same host and port.
#![no_main]

use libfuzzer_sys::fuzz_target;
use temporal_lite_core::config::ConnectOptions;
use temporal_lite_core::fuzzing::parse_address;

fuzz_target!(|text: &str| {
    let Ok(address) = parse_address(text) else {
        // The same text through the public check must fail too.
        assert!(ConnectOptions::new(text).validate().is_err());
        return;
    };
    assert!(!address.host.is_empty());
    assert_ne!(address.port, 0);
    let again = parse_address(&address.authority).expect("an authority re-parses");
    assert_eq!(
        (again.host.as_str(), again.port),
        (address.host.as_str(), address.port)
    );
    assert_eq!(again.loopback, address.loopback);
    // An API key over plaintext is refused exactly when the host is not loopback.
    let options = ConnectOptions::new(text).api_key("k").plaintext();
    let refused = options.validate().is_err();
    assert_eq!(
        refused,
        !address.loopback && address.scheme_tls != Some(true),
        "{text:?}"
    );
});
