//! The network checks: the address parses, the host resolves, TCP connects.

use std::format;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::string::{String, ToString};
use std::vec::Vec;

use super::report::{Check, Step, Verdict};
use super::Doctor;
use crate::config::address::ServerAddress;
use crate::config::ErrorCategory;
use crate::engine::runtime::{timeout, BoxIo, ConnectError, ConnectTarget, Runtime};

/// What the network checks found out, for the later ones.
pub(super) struct Endpoint {
    pub(super) host: String,
    pub(super) port: u16,
}

impl<R: Runtime> Doctor<'_, R> {
    /// The address parses and agrees with the TLS settings; the options are valid.
    pub(super) fn check_address(&mut self) -> Option<Endpoint> {
        let origin = self.origin("address");
        let address = match ServerAddress::parse(&self.options.address) {
            Ok(address) => address,
            Err(problem) => {
                self.record(Step::fail(
                    Check::Address,
                    format!(
                        "{:?} is not a server address: {problem}",
                        self.options.address
                    ),
                    format!("set {origin} to host:port, e.g. \"my-ns.a1b2c.tmprl.cloud:7233\""),
                ));
                return None;
            }
        };
        if address.scheme_tls == Some(false) && self.options.tls.is_some() {
            self.record(Step::fail(
                Check::Address,
                format!(
                    "{:?} says http:// (plaintext), but TLS is configured",
                    self.options.address
                ),
                format!("drop the http:// from {origin}, or turn TLS off"),
            ));
            return None;
        }
        if let Err(error) = self.options.validate() {
            let check = match error.category() {
                ErrorCategory::InvalidAddress => Check::Address,
                _ => Check::Config,
            };
            if check == Check::Config {
                self.steps.retain(|s| s.check != Check::Config);
            }
            self.record(Step::fail(
                check,
                format!("the options are not usable: {}", error.message()),
                "change the setting the message names",
            ));
            return None;
        }
        let tls = if self.options.uses_tls() {
            format!("TLS on ({})", self.tls_reason())
        } else {
            String::from("TLS off (no TLS settings and no API key)")
        };
        self.record(Step::pass(
            Check::Address,
            format!("host {}, port {}, {tls}", address.host, address.port),
        ));
        Some(Endpoint {
            host: address.host,
            port: address.port,
        })
    }

    pub(super) fn tls_reason(&self) -> String {
        match self.provenance.get("tls") {
            Some(setting) => match &setting.note {
                Some(note) => format!("{}: {note}", setting.source),
                None => format!("from {}", setting.source),
            },
            None => String::from("configured"),
        }
    }

    /// The host resolves; the addresses to try, in order. An IP address needs no lookup.
    pub(super) async fn check_dns(&mut self, endpoint: &Endpoint) -> Option<Vec<SocketAddr>> {
        if let Ok(ip) = endpoint.host.parse::<IpAddr>() {
            self.record(Step::pass(
                Check::Dns,
                format!("{ip} is an IP address: nothing to resolve"),
            ));
            return Some(Vec::from([SocketAddr::new(ip, endpoint.port)]));
        }
        let limit = self.options.connect_timeout;
        let lookup = self.runtime.resolve(&endpoint.host, endpoint.port);
        let result = timeout(&*self.runtime, Some(limit), lookup).await;
        let origin = self.origin("address");
        let step = match result {
            Ok(Ok(addresses)) if !addresses.is_empty() => {
                let shown: Vec<String> = addresses.iter().map(|a| a.ip().to_string()).collect();
                self.record(Step::pass(
                    Check::Dns,
                    format!("{} resolves to {}", endpoint.host, shown.join(", ")),
                ));
                return Some(addresses);
            }
            Ok(Ok(_)) => Step::fail(
                Check::Dns,
                format!("{} resolves to no address", endpoint.host),
                format!("check the host name in {origin}"),
            ),
            Ok(Err(error)) if error.kind() == io::ErrorKind::Unsupported => {
                self.record(Step::skip(
                    Check::Dns,
                    format!("not checked on its own: {error}"),
                ));
                return Some(Vec::new());
            }
            Ok(Err(error)) => Step::fail(
                Check::Dns,
                format!("cannot resolve {:?}: {error}", endpoint.host),
                format!(
                    "check the host name in {origin} (a typo? a name only a VPN or another \
                     network knows?)"
                ),
            ),
            Err(_) => Step::fail(
                Check::Dns,
                format!(
                    "no answer resolving {:?} within {limit:?} (connect_timeout)",
                    endpoint.host
                ),
                "check this machine's DNS settings and network",
            ),
        };
        self.record(step);
        None
    }

    /// A TCP connection opens to one of `addresses` (by name when the lookup was not
    /// checked); the connection, for the TLS check.
    pub(super) async fn check_tcp(
        &mut self,
        endpoint: &Endpoint,
        addresses: &[SocketAddr],
    ) -> Option<BoxIo> {
        let limit = self.options.connect_timeout;
        let targets: Vec<String> = if addresses.is_empty() {
            Vec::from([endpoint.host.clone()])
        } else {
            addresses.iter().map(|a| a.ip().to_string()).collect()
        };
        let mut failures = Vec::new();
        for target in &targets {
            let started = self.runtime.now();
            let connect = self.runtime.connect(ConnectTarget {
                host: target.clone(),
                port: endpoint.port,
                tls: None,
            });
            match timeout(&*self.runtime, Some(limit), connect).await {
                Ok(Ok(io)) => {
                    let elapsed = self.runtime.now().saturating_sub(started);
                    let mut detail = format!(
                        "connected to {} in {:.1} ms",
                        show(target, endpoint.port),
                        elapsed.as_secs_f64() * 1000.0
                    );
                    if !failures.is_empty() {
                        detail.push_str(&format!(" (after: {})", failures.join("; ")));
                    }
                    self.record(Step::pass(Check::Tcp, detail));
                    return Some(io);
                }
                Ok(Err(ConnectError::Tcp(error) | ConnectError::Tls(error))) => {
                    failures.push(format!("{}: {error}", show(target, endpoint.port)));
                    if failures.len() == targets.len() {
                        self.record(self.tcp_failure(endpoint, &error, failures.join("; ")));
                        return None;
                    }
                }
                Err(_) => {
                    failures.push(format!(
                        "{}: no answer within {limit:?}",
                        show(target, endpoint.port)
                    ));
                    if failures.len() == targets.len() {
                        let step = Step::fail(
                            Check::Tcp,
                            format!(
                                "no answer within {limit:?} (connect_timeout): {}",
                                failures.join("; ")
                            ),
                            format!(
                                "a firewall may drop the packets, or the host is down; check \
                                 the host and port in {}",
                                self.origin("address")
                            ),
                        );
                        self.record(step);
                        return None;
                    }
                }
            }
        }
        None
    }

    fn tcp_failure(&self, endpoint: &Endpoint, error: &io::Error, detail: String) -> Step {
        let origin = self.origin("address");
        let fix = match error.kind() {
            io::ErrorKind::ConnectionRefused => format!(
                "nothing listens on port {} of {}: is the server running, and is the port \
                 right? (Temporal's frontend listens on 7233 by default; Temporal Cloud on \
                 7233 of <namespace>.<account>.tmprl.cloud); check {origin}",
                endpoint.port, endpoint.host
            ),
            io::ErrorKind::NotFound | io::ErrorKind::InvalidInput => {
                format!("check the host name in {origin}")
            }
            _ => {
                format!("check the host and port in {origin}, and that this machine may reach them")
            }
        };
        Step::new(
            Check::Tcp,
            Verdict::Fail,
            format!("cannot connect: {detail}"),
        )
        .with_fix(fix)
    }
}

/// `host:port`, with brackets for IPv6.
fn show(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}
