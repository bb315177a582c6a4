//! Connect to Temporal Cloud with an API key, three ways, and rotate the key on a live client.
//!
//! A Cloud namespace is `<name>.<account>`; with an API key its endpoint is
//! `<namespace>.<account>.tmprl.cloud:7233` (namespace endpoint) or the regional endpoint the
//! Cloud UI shows. TLS is turned on by the key; the server's certificate is checked against the
//! public web roots, so nothing else is needed.
//!
//! # From environment variables
//!
//! ```sh
//! export TEMPORAL_ADDRESS=my-namespace.a1b2c.tmprl.cloud:7233
//! export TEMPORAL_NAMESPACE=my-namespace.a1b2c
//! export TEMPORAL_API_KEY=<the key>
//! cargo run -p temporal-lite-tokio --example cloud_api_key
//! ```
//!
//! # From a profile
//!
//! In `~/.config/temporalio/temporal.toml` (or the file `TEMPORAL_CONFIG_FILE` names):
//!
//! ```toml
//! [profile.staging]
//! address = "my-namespace.a1b2c.tmprl.cloud:7233"
//! namespace = "my-namespace.a1b2c"
//! api_key = "my-api-key"
//! ```
//!
//! ```sh
//! cargo run -p temporal-lite-tokio --example cloud_api_key -- --profile staging
//! ```
//!
//! `TEMPORAL_*` variables still override the profile's values (`TEMPORAL_API_KEY` keeps the key
//! out of the file).
//!
//! # From code
//!
//! ```sh
//! TEMPORAL_API_KEY=<the key> cargo run -p temporal-lite-tokio --example cloud_api_key -- \
//!     --in-code my-namespace.a1b2c.tmprl.cloud:7233 my-namespace.a1b2c
//! ```
//!
//! # Rotating the key
//!
//! Set `TEMPORAL_API_KEY_NEXT` too: after the first call the example replaces the key on the
//! connected client with [`Client::set_api_key`](temporal_lite_tokio::client::Client::set_api_key)
//! and calls again over the same connection.

use temporal_lite_tokio::client::Error;
use temporal_lite_tokio::config::ConnectOptions;
use temporal_lite_tokio::Client;

#[tokio::main]
async fn main() {
    if let Err(error) = run().await {
        // Errors name the setting to fix; they never contain the key.
        eprintln!("cloud_api_key: {error}");
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
        ["--in-code", address, namespace] => connect_in_code(address, namespace).await?,
        _ => {
            eprintln!(
                "usage: cloud_api_key [--profile NAME | --in-code ADDRESS NAMESPACE]\n\
                 (see the top of examples/cloud_api_key.rs)"
            );
            std::process::exit(2);
        }
    };
    report(&client).await?;

    if let Ok(next) = std::env::var("TEMPORAL_API_KEY_NEXT") {
        // Every clone of the client uses the new key from its next call on; calls in
        // flight finish with the old one. No reconnect.
        client.set_api_key(Some(next))?;
        report(&client).await?;
        println!("Rotated the API key on the live client.");
    }
    Ok(())
}

/// Options written in code; the key still comes from the environment, never from source.
async fn connect_in_code(address: &str, namespace: &str) -> Result<Client, Error> {
    let key = std::env::var("TEMPORAL_API_KEY").map_err(|_| Error::InvalidOptions {
        message: "set TEMPORAL_API_KEY to the API key".into(),
    })?;
    let options = ConnectOptions::new(address)
        .namespace(namespace)
        .api_key(key); // turns TLS on, trusting the public web roots
    temporal_lite_tokio::connect(options).await
}

async fn report(client: &Client) -> Result<(), Error> {
    let info = client.get_system_info().await?;
    let open = client
        .count_workflows("ExecutionStatus = 'Running'")
        .await?
        .count;
    println!(
        "Connected to namespace `{}` (server {}): {open} running workflows",
        client.namespace(),
        if info.server_version.is_empty() {
            "version not reported"
        } else {
            info.server_version.as_str()
        }
    );
    Ok(())
}
