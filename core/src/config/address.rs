//! The server address: host, port and optional scheme, parsed from `ConnectOptions::address`.
//!
//! Pure code over a string, so that the no_std core can decide what the engine will connect
//! to (e.g. whether credentials would cross a network in plaintext) with the engine's own
//! parser.

use alloc::format;
use alloc::string::{String, ToString};
use core::net::{IpAddr, Ipv6Addr};

/// The port used when an address has none and no scheme (Temporal's frontend port).
const DEFAULT_PORT: u16 = 7233;

/// A parsed address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ServerAddress {
    /// DNS name or IP address, without IPv6 brackets.
    pub(crate) host: String,
    pub(crate) port: u16,
    /// `Some(true)` for `https://`, `Some(false)` for `http://`, `None` without a scheme.
    pub(crate) scheme_tls: Option<bool>,
}

impl ServerAddress {
    /// Parse `host:port`, `[v6]:port`, optionally with `http://` or `https://` and a
    /// trailing `/`. Without a port: 80 for `http://`, 443 for `https://`, else 7233.
    /// The error says what is wrong, starting with "invalid server address".
    pub(crate) fn parse(address: &str) -> Result<Self, String> {
        let invalid = |why: &str| format!("invalid server address {address:?}: {why}");
        let trimmed = address.trim();
        let (scheme_tls, rest) = match trimmed.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => (Some(true), rest),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => (Some(false), rest),
            Some(_) => return Err(invalid("the scheme must be http:// or https://")),
            None => (None, trimmed),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#', '@']) || rest.chars().any(char::is_whitespace) {
            return Err(invalid("expected host:port"));
        }
        let default_port = match scheme_tls {
            Some(true) => 443,
            Some(false) => 80,
            None => DEFAULT_PORT,
        };
        let (host, port) = if let Some(bracketed) = rest.strip_prefix('[') {
            let (host, after) = bracketed
                .split_once(']')
                .ok_or_else(|| invalid("unclosed '[' in IPv6 address"))?;
            if host.parse::<Ipv6Addr>().is_err() {
                return Err(invalid("the text in brackets is not an IPv6 address"));
            }
            let port = match after {
                "" => None,
                p => Some(
                    p.strip_prefix(':')
                        .ok_or_else(|| invalid("unexpected text after ']'"))?,
                ),
            };
            (host, port)
        } else {
            match rest.matches(':').count() {
                0 => (rest, None),
                1 => {
                    let (host, port) = rest.split_once(':').unwrap_or((rest, ""));
                    (host, Some(port))
                }
                // A bare IPv6 address (with a port it must be in brackets).
                _ if rest.parse::<Ipv6Addr>().is_ok() => (rest, None),
                _ => {
                    return Err(invalid(
                        "expected host:port (an IPv6 address with a port goes in brackets: \
                         [::1]:7233)",
                    ))
                }
            }
        };
        if host.is_empty() {
            return Err(invalid("the host is empty"));
        }
        let is_ip = host.parse::<IpAddr>().is_ok();
        if !is_ip
            && !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
        {
            return Err(invalid(
                "the host holds characters a host name cannot (use letters, digits, '-', '.'; \
                 an internationalised name in its ASCII xn-- form)",
            ));
        }
        let port = match port {
            None => default_port,
            Some(p) => Some(p)
                .filter(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse::<u16>().ok())
                .filter(|p| *p != 0)
                .ok_or_else(|| invalid("the port must be a number from 1 to 65535"))?,
        };
        Ok(Self {
            host: host.to_string(),
            port,
            scheme_tls,
        })
    }

    /// The `:authority` value: `host:port`, with brackets around an IPv6 host.
    #[cfg_attr(not(any(feature = "engine", fuzzing, test)), allow(dead_code))]
    pub(crate) fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// Whether the host is this machine: `localhost`, `127.0.0.0/8` or `::1` (also as an
    /// IPv4-mapped address). Other names are not resolved: a name that resolves to loopback
    /// does not count.
    pub(crate) fn is_loopback(&self) -> bool {
        let host = self.host.strip_suffix('.').unwrap_or(&self.host);
        if host.eq_ignore_ascii_case("localhost") {
            return true;
        }
        match host.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => v4.is_loopback(),
            Ok(IpAddr::V6(v6)) => {
                v6 == Ipv6Addr::LOCALHOST || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
            }
            Err(_) => false,
        }
    }
}
