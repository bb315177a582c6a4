//! Connect to Temporal Cloud with mTLS (a client certificate and its key), three ways.
//!
//! A Cloud namespace is `<name>.<account>`, its endpoint `<namespace>.<account>.tmprl.cloud:7233`.
//! The certificate is the one whose CA you uploaded to the namespace; its key may be PKCS#8
//! (`BEGIN PRIVATE KEY`), PKCS#1 (`BEGIN RSA PRIVATE KEY`) or SEC1 (`BEGIN EC PRIVATE KEY`), and
//! the certificate file may hold intermediate certificates after the leaf. The server's
//! certificate is checked against the public web roots.
//!
//! # From environment variables
//!
//! ```sh
//! export TEMPORAL_ADDRESS=my-namespace.a1b2c.tmprl.cloud:7233
//! export TEMPORAL_NAMESPACE=my-namespace.a1b2c
//! export TEMPORAL_TLS_CLIENT_CERT_PATH=/path/to/client.pem
//! export TEMPORAL_TLS_CLIENT_KEY_PATH=/path/to/client.key
//! cargo run -p temporal-lite-tokio --example cloud_mtls
//! ```
//!
//! # From a profile
//!
//! ```toml
//! [profile.prod]
//! address = "my-namespace.a1b2c.tmprl.cloud:7233"
//! namespace = "my-namespace.a1b2c"
//!
//! [profile.prod.tls]
//! client_cert_path = "/path/to/client.pem"
//! client_key_path = "/path/to/client.key"
//! ```
//!
//! ```sh
//! cargo run -p temporal-lite-tokio --example cloud_mtls -- --profile prod
//! ```
//!
//! # From code
//!
//! ```sh
//! cargo run -p temporal-lite-tokio --example cloud_mtls -- --in-code \
//!     my-namespace.a1b2c.tmprl.cloud:7233 my-namespace.a1b2c /path/to/client.pem /path/to/client.key
//! ```
//!
//! For a self-hosted server with a private CA, add `server_ca_cert_path` to the profile's `tls`
//! table (or `TEMPORAL_TLS_SERVER_CA_CERT_PATH`, or `TlsOptions::server_root_ca_cert` in code), and
//! `server_name` when the certificate names another host than the address.

use temporal_lite_tokio::client::Error;
use temporal_lite_tokio::config::{ConnectOptions, PrivateKey, TlsOptions};
use temporal_lite_tokio::Client;

#[tokio::main]
async fn main() {
    if let Err(error) = run().await {
        // Errors name the file and the setting to fix; they never contain key material.
        eprintln!("cloud_mtls: {error}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let client = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => temporal_lite_tokio::connect_from_env().await?,
        ["--profile", profile] => temporal_lite_tokio::connect_profile(*profile).await?,
        ["--in-code", address, namespace, cert, key] => {
            connect_in_code(address, namespace, cert, key).await?
        }
        _ => {
            eprintln!(
                "usage: cloud_mtls [--profile NAME | --in-code ADDRESS NAMESPACE CERT KEY]\n\
                 (see the top of examples/cloud_mtls.rs)"
            );
            std::process::exit(2);
        }
    };
    let info = client.get_system_info().await?;
    let open = client
        .count_workflows("ExecutionStatus = 'Running'")
        .await?
        .count;
    println!(
        "Connected to namespace `{}` with a client certificate (server {}): {open} running \
         workflows",
        client.namespace(),
        if info.server_version.is_empty() {
            "version not reported"
        } else {
            info.server_version.as_str()
        }
    );
    Ok(())
}

async fn connect_in_code(
    address: &str,
    namespace: &str,
    cert_path: &str,
    key_path: &str,
) -> Result<Client, Error> {
    let read = |path: &str, what: &str| {
        std::fs::read(path).map_err(|e| Error::InvalidOptions {
            message: format!("cannot read the client {what} file {path}: {e}"),
        })
    };
    let tls = TlsOptions {
        client_cert: Some(read(cert_path, "certificate")?),
        client_private_key: Some(PrivateKey::new(read(key_path, "key")?)),
        ..TlsOptions::default()
    };
    let options = ConnectOptions::new(address).namespace(namespace).tls(tls);
    temporal_lite_tokio::connect(options).await
}
