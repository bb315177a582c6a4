//! The AES-GCM payload codec of the encryption example against the Python worker's codec
//! worker (task queue `<queue>-codec`): every payload path, in both directions.

#[path = "../../../runtime-async-std/examples/encryption/aes_gcm_codec.rs"]
#[allow(dead_code)]
mod aes_gcm_codec;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use temporal_lite_core::client::{
    Client, Error, FailureKind, StartWorkflowOptions, UpdateOptions, WorkflowFailure,
};
use temporal_lite_core::payload::payload_encoding;
use temporal_lite_proto::temporal::api::history::v1::history_event::Attributes;

use crate::harness::{fail, workflow_error, Ctx, TestResult};
use aes_gcm_codec::{AesGcmCodec, ENCODING_ENCRYPTED};

/// The test key of `tests/python/worker.py` (`CODEC_KEY_HEX`, `CODEC_KEY_ID`).
const KEY: [u8; 32] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    26, 27, 28, 29, 30, 31,
];
const KEY_ID: &str = "test-key-1";

fn encrypting(client: &Client) -> Client {
    client
        .clone()
        .with_payload_codec(Some(Arc::new(AesGcmCodec::new(KEY_ID, &KEY))))
}

fn codec_options(ctx: &Ctx, what: &str) -> StartWorkflowOptions {
    StartWorkflowOptions::new(ctx.id(what), format!("{}-codec", ctx.task_queue))
}

/// Arguments, memo, header and summary leave encrypted; the Python worker decrypts the
/// argument and encrypts its result, which comes back decrypted. A client without the
/// codec sees only ciphertext.
pub(crate) async fn codec_encrypts_both_ways(ctx: &Ctx) -> TestResult {
    let client = encrypting(&ctx.client);
    let value = json!({"secret": "s3cr3t", "n": [1, 2]});
    let options = codec_options(ctx, "codec-echo")
        .memo("note", &"memo secret")
        .header("trace", &"header secret")
        .static_summary("summary secret");
    let handle = client
        .start_workflow("Echo", (value.clone(),), options)
        .await?;
    assert_eq!(handle.result::<serde_json::Value>().await?, value);

    // What the server stored is ciphertext, every payload of the start and the result.
    let events = handle.fetch_history().await?;
    let Some(Attributes::WorkflowExecutionStartedEventAttributes(started)) =
        events[0].attributes.as_ref()
    else {
        return Err(fail("no started event"));
    };
    let mut stored = Vec::new();
    stored.extend(started.input.iter().flat_map(|p| p.payloads.iter()));
    stored.extend(started.memo.iter().flat_map(|m| m.fields.values()));
    stored.extend(started.header.iter().flat_map(|h| h.fields.values()));
    assert_eq!(stored.len(), 3);
    for payload in &stored {
        assert_eq!(payload_encoding(payload), Some(ENCODING_ENCRYPTED));
        assert!(!String::from_utf8_lossy(&payload.data).contains("secret"));
    }
    let completed = events
        .iter()
        .find_map(|e| match e.attributes.as_ref() {
            Some(Attributes::WorkflowExecutionCompletedEventAttributes(a)) => Some(a),
            _ => None,
        })
        .ok_or_else(|| fail("no completed event"))?;
    let result = &completed
        .result
        .as_ref()
        .ok_or_else(|| fail("no result"))?
        .payloads[0];
    assert_eq!(payload_encoding(result), Some(ENCODING_ENCRYPTED));
    // decode_payloads is the way to read such raw payloads.
    let plain = client.decode_payloads(vec![result.clone()]).await?;
    assert_eq!(client.decode::<serde_json::Value>(&plain[0])?, value);

    // Describe decrypts the memo and the summary.
    let description = handle.describe().await?;
    let note: String = client.decode(&description.info.memo["note"])?;
    assert_eq!(note, "memo secret");
    assert_eq!(
        description.static_summary.as_deref(),
        Some("summary secret")
    );

    // Without the codec the result cannot be read, and the error says why.
    let plain_handle = ctx.client.workflow_handle(handle.workflow_id());
    let error = plain_handle
        .result::<serde_json::Value>()
        .await
        .expect_err("read ciphertext without the codec");
    assert!(error.to_string().contains("binary/encrypted"), "{error}");
    Ok(())
}

/// Signal, query and update arguments and answers, and failure details, through the codec.
pub(crate) async fn codec_covers_signals_queries_updates_and_failures(ctx: &Ctx) -> TestResult {
    let client = encrypting(&ctx.client);
    let handle = client
        .start_workflow("SignalWait", (), codec_options(ctx, "codec-interact"))
        .await?;
    let total: i64 = handle.execute_update("add", (7,)).await?;
    assert_eq!(total, 7);
    let updated = handle
        .start_update("fail", ("secret failure",), UpdateOptions::new())
        .await?;
    match updated.result::<()>().await {
        Err(Error::Update(error)) => {
            let failure = error.kind.failure().ok_or_else(|| fail("no failure"))?;
            let FailureKind::Application { details, .. } = &failure.kind else {
                return Err(fail(format!("not an application failure: {failure:?}")));
            };
            let detail: serde_json::Value = client.decode(&details[0])?;
            assert_eq!(detail, json!({"update": "fail"}));
        }
        other => return Err(fail(format!("expected Error::Update, got {other:?}"))),
    }
    let state: serde_json::Value = handle.query("state", ()).await?;
    assert_eq!(state["total"], json!(7));
    handle.signal("finish", ("signal secret",)).await?;
    assert_eq!(handle.result::<String>().await?, "signal secret");

    // A workflow failure's details are encrypted by the worker and decrypted here.
    let failing = client
        .start_workflow(
            "Fail",
            ("boom", vec![json!({"why": "secret"})]),
            codec_options(ctx, "codec-fail"),
        )
        .await?;
    let error = workflow_error(failing.result::<()>().await)?;
    let WorkflowFailure::Failed { failure, .. } = error.failure else {
        return Err(fail("expected Failed"));
    };
    let FailureKind::Application { details, .. } = &failure.kind else {
        return Err(fail(format!("not an application failure: {failure:?}")));
    };
    let detail: serde_json::Value = client.decode(&details[0])?;
    assert_eq!(detail, json!({"why": "secret"}));

    // Heartbeat details of an async activity go through the codec too.
    let asynchronous = client
        .start_workflow("AsyncActivity", (), codec_options(ctx, "codec-activity"))
        .await?;
    let token: String = ctx
        .eventually(
            "the activity's task token",
            Duration::from_secs(20),
            || async { Ok(asynchronous.query::<Option<String>>("token", ()).await?) },
        )
        .await?;
    let token = temporal_lite_tests::base64::decode(&token).ok_or_else(|| fail("bad token"))?;
    let activity = client.async_activity_handle(token);
    activity.heartbeat(("progress secret",)).await?;
    let pending = asynchronous.describe().await?.pending_activities;
    let details: String = client.decode(&pending[0].heartbeat_details[0])?;
    assert_eq!(details, "progress secret");
    activity.complete(("activity secret",)).await?;
    assert_eq!(asynchronous.result::<String>().await?, "activity secret");
    Ok(())
}
