use std::string::ToString;

use super::endpoint::parse_endpoint;
use crate::config::TlsOptions;
use crate::grpc::TransportErrorKind;

fn parse(address: &str) -> (std::string::String, u16, Option<bool>) {
    let e = parse_endpoint(address).unwrap();
    (e.host, e.port, e.scheme_tls)
}

#[test]
fn addresses() {
    assert_eq!(parse("localhost:7233"), ("localhost".into(), 7233, None));
    assert_eq!(parse("localhost"), ("localhost".into(), 7233, None));
    assert_eq!(
        parse("https://ns.acct.tmprl.cloud:7233"),
        ("ns.acct.tmprl.cloud".into(), 7233, Some(true))
    );
    assert_eq!(
        parse("https://example.com/"),
        ("example.com".into(), 443, Some(true))
    );
    assert_eq!(
        parse("HTTP://127.0.0.1"),
        ("127.0.0.1".into(), 80, Some(false))
    );
    assert_eq!(parse("[::1]:7233"), ("::1".into(), 7233, None));
    assert_eq!(parse("[::1]"), ("::1".into(), 7233, None));
    assert_eq!(parse("::1"), ("::1".into(), 7233, None));
    assert_eq!(parse_endpoint("[::1]:80").unwrap().authority(), "[::1]:80");
    assert_eq!(parse_endpoint(" h:1 ").unwrap().authority(), "h:1");
}

#[test]
fn bad_addresses() {
    for bad in [
        "",
        ":7233",
        "host:",
        "host:0",
        "host:65536",
        "host:port",
        "ftp://host:1",
        "http://host:1/path",
        "user@host:1",
        "[::1",
        "[::1]x",
        "a b:1",
        // Found by the `address` fuzz target: bracket text that is no IPv6 address was
        // taken as a host, and its `:authority` did not parse back.
        "lcoalhost`72[::1]:",
        "[not-v6]:1",
        "a:b:c",
        "host:+1",
        "höst:1",
        "h/st:1",
    ] {
        let error = parse_endpoint(bad).unwrap_err();
        assert_eq!(error.kind(), TransportErrorKind::Connect, "{bad:?}");
        assert!(
            error.message().contains("invalid server address"),
            "{bad:?}"
        );
    }
}

#[test]
fn tls_config_from_defaults_uses_web_roots() {
    let config = super::tls::client_config(&TlsOptions::default()).unwrap();
    assert_eq!(config.alpn_protocols, [b"h2".to_vec()]);
    let name = super::tls::server_name(&TlsOptions::default(), "127.0.0.1").unwrap();
    assert_eq!(name.to_str(), "127.0.0.1");
    let options = TlsOptions {
        domain: Some("override.example".into()),
        ..TlsOptions::default()
    };
    assert_eq!(
        super::tls::server_name(&options, "h").unwrap().to_str(),
        "override.example"
    );
    let bad = TlsOptions {
        domain: Some("bad name!".into()),
        ..TlsOptions::default()
    };
    assert_eq!(
        super::tls::server_name(&bad, "h").unwrap_err().kind(),
        TransportErrorKind::Tls
    );
}

#[test]
fn tls_config_errors_are_readable_and_secret_free() {
    let check = |options: TlsOptions, expected: &str| {
        let error = super::tls::client_config(&options).unwrap_err();
        assert_eq!(error.kind(), TransportErrorKind::Tls);
        assert!(
            error.message().contains(expected),
            "{:?} should contain {expected:?}",
            error.message()
        );
        assert!(!error.to_string().contains("SECRETKEY"));
    };
    check(
        TlsOptions {
            server_root_ca_cert: Some(b"not a pem".to_vec()),
            ..TlsOptions::default()
        },
        "server CA certificate: no PEM CERTIFICATE block found",
    );
    check(
        TlsOptions {
            client_private_key: Some(crate::config::PrivateKey::new(b"SECRETKEY".to_vec())),
            ..TlsOptions::default()
        },
        "no client certificate",
    );
    check(
        TlsOptions {
            client_cert: Some(b"x".to_vec()),
            ..TlsOptions::default()
        },
        "no client key",
    );
    check(
        TlsOptions {
            client_cert: Some(
                b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".to_vec(),
            ),
            client_private_key: Some(crate::config::PrivateKey::new(
                b"-----BEGIN PRIVATE KEY-----\nSECRETKEY\n-----END PRIVATE KEY-----\n".to_vec(),
            )),
            ..TlsOptions::default()
        },
        "client key",
    );
}

#[test]
fn keepalive_of_the_options_feeds_the_http2_settings() {
    use std::time::Duration;

    use crate::config::{ConnectOptions, KeepAlive};
    use crate::engine::Http2Settings;

    let defaults = Http2Settings::from_options(&ConnectOptions::default());
    assert_eq!(defaults, Http2Settings::default());
    let options = ConnectOptions::default().keepalive(KeepAlive::new(
        Duration::from_secs(5),
        Duration::from_secs(2),
    ));
    let settings = Http2Settings::from_options(&options);
    assert_eq!(settings.keepalive_interval, Some(Duration::from_secs(5)));
    assert_eq!(settings.keepalive_timeout, Duration::from_secs(2));
    let settings = Http2Settings::from_options(&ConnectOptions::default().keepalive(None));
    assert_eq!(settings.keepalive_interval, None);
}
