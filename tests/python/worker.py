"""A Temporal worker (Python SDK) that the temporal-lite tests and the demo run against.

Usage:
    .venv/bin/python tests/python/worker.py --address 127.0.0.1:7233 \
        [--namespace default] --task-queue QUEUE [--codec]

It prints ``WORKER READY`` on stdout once the server has seen it poll the task queue, runs
until SIGTERM or SIGINT, then prints ``WORKER STOPPED`` and exits 0. Errors go to stderr with
exit code 1. Every workflow below is registered on the one task queue given.

Workflows (type names as registered; arguments and results are JSON payloads):

  Echo(*args)                  -> args[0] with one argument, the list of arguments with two or
                                  more, null with none.
  Sleep(seconds: number)       -> seconds, after a durable timer of that many seconds.
  Fail(message?: str, details?: list)
                               -> fails with a non-retryable ApplicationError, type "TestFailure",
                                  the given message (default "failed on purpose") and the given
                                  details (default one detail: {"code": 42, "reason": "test"}).
  ContinueAsNewChain(times: int, done: int = 0)
                               -> continues as new `times` times (passing [times, done + 1]), then
                                  the last run returns `times`. Start it with [times] only.
  RetryingActivity(failures: int)
                               -> runs activity "Flaky", which fails `failures` times (retryable
                                  ApplicationError, type "Flaky", 100 ms between attempts) and
                                  then succeeds; returns the attempt that succeeded
                                  (failures + 1).
  SignalWait()                 -> waits for signal "finish" (one argument: any value) and returns
                                  that value.
                                  Query "state" -> {"status": "waiting" | "finished",
                                                    "value": <finish value or null>,
                                                    "total": <sum of updates>}.
                                  Query "fail" (extra_bytes: int = 0) -> fails with an
                                  ApplicationError (type "QueryFailure") whose message
                                  ("query fails on purpose") and one detail (a string) have
                                  that many "x" added.
                                  Update "add" (n: int) -> new total; rejected by its validator
                                  when n < 0 (ValueError "n must not be negative").
                                  Update "add_slowly" (n: int) -> new total, after a 1 s durable
                                  timer (so it is accepted well before it completes).
                                  Update "fail" (message: str) -> the handler raises a
                                  non-retryable ApplicationError of type "UpdateFailure" with
                                  that message and one detail {"update": "fail"}.
  AlwaysFailTask()             -> never returns: every workflow task raises RuntimeError, so the
                                  workflow stays RUNNING with a failing workflow task.
  RetryWorkflow(fail_attempts: int = 1)
                               -> fails with a retryable ApplicationError (type "RetryMe") while
                                  its attempt number is <= fail_attempts, then returns the attempt
                                  number. Start it with a retry policy (for example maximum
                                  attempts 3, initial interval 100 ms) so that the server runs
                                  attempt 2 as a new run; without one the first failure is final.
  AsyncActivity()              -> runs activity "CompleteLater" (activity id "async-activity",
                                  one attempt, 60 s start-to-close, cancellation waits for the
                                  activity to report it), which hands its task token to the
                                  workflow (signal "token") and completes asynchronously: the
                                  test completes, fails or cancels it from outside. Returns the
                                  activity's result.
                                  Query "token" -> the task token, base64 (null until known).
  MoneyTransfer({"source_account": str, "target_account": str, "amount": int,
                 "reference_id": str})
                               -> "Transfer complete (transaction IDs: W-<ref>, D-<ref>)" after
                                  activities "withdraw" then "deposit" (each returns its
                                  confirmation ID). A non-positive amount fails the workflow with
                                  a non-retryable ApplicationError of type "InvalidAmount".
                                  The demo runs this worker on task queue "money-transfer".

Payload codec (with --codec): a second worker in the same process polls task queue
"<QUEUE>-codec" with every workflow above and a client whose data converter has an AES-256-GCM
codec (key CODEC_KEY_HEX below, key id CODEC_KEY_ID). An encrypted payload has metadata encoding "binary/encrypted" and
"encryption-key-id", and data = 12-byte nonce + AES-GCM ciphertext (no associated data) of the
serialized original Payload. Payloads without that encoding are decoded unchanged. It needs the
`cryptography` package (installed by `scripts/setup.sh test`); the demo runs without --codec.
"""

import argparse
import asyncio
import base64
import dataclasses
import os
import signal
import socket
import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, List, Optional, Sequence

from temporalio import activity, workflow
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.converter import DataConverter, PayloadCodec
from temporalio.exceptions import ApplicationError
from temporalio.worker import UnsandboxedWorkflowRunner, Worker
from temporalio.workflow import ActivityCancellationType

# A short, fixed retry schedule so retry tests run in well under a second per attempt.
FAST_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=100),
    backoff_coefficient=1.0,
    maximum_interval=timedelta(milliseconds=100),
)


# --- Payload codec ------------------------------------------------------------------------

# A test key, also in tests/tests/suite/codec.rs; never use a key from source code in production.
CODEC_KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
CODEC_KEY_ID = "test-key-1"
ENCRYPTED = b"binary/encrypted"


class AesGcmCodec(PayloadCodec):
    """Encrypts whole payloads with AES-256-GCM (see the module docstring for the format)."""

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM(bytes.fromhex(CODEC_KEY_HEX))

    async def encode(self, payloads: Sequence[Payload]) -> List[Payload]:
        out = []
        for payload in payloads:
            nonce = os.urandom(12)
            sealed = self._aead.encrypt(nonce, payload.SerializeToString(), None)
            out.append(
                Payload(
                    metadata={"encoding": ENCRYPTED, "encryption-key-id": CODEC_KEY_ID.encode()},
                    data=nonce + sealed,
                )
            )
        return out

    async def decode(self, payloads: Sequence[Payload]) -> List[Payload]:
        out = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCRYPTED:
                out.append(payload)
                continue
            key_id = payload.metadata.get("encryption-key-id", b"").decode()
            if key_id != CODEC_KEY_ID:
                raise ValueError(f"unknown encryption key id {key_id!r}")
            plain = self._aead.decrypt(payload.data[:12], payload.data[12:], None)
            out.append(Payload.FromString(plain))
        return out


# --- Activities ---------------------------------------------------------------------------


@activity.defn(name="Flaky")
async def flaky(failures: int) -> int:
    attempt = activity.info().attempt
    if attempt <= failures:
        raise ApplicationError(f"attempt {attempt} fails on purpose", type="Flaky")
    return attempt


@dataclass
class PaymentDetails:
    source_account: str
    target_account: str
    amount: int
    reference_id: str


@activity.defn(name="CompleteLater")
async def complete_later() -> Any:
    info = activity.info()
    token = base64.b64encode(info.task_token).decode()
    handle = activity.client().get_workflow_handle(info.workflow_id, run_id=info.workflow_run_id)
    await handle.signal("token", token)
    activity.raise_complete_async()


@activity.defn(name="withdraw")
async def withdraw(details: PaymentDetails) -> str:
    activity.logger.info(
        "withdrawing %s from %s", details.amount, details.source_account
    )
    return f"W-{details.reference_id}"


@activity.defn(name="deposit")
async def deposit(details: PaymentDetails) -> str:
    activity.logger.info("depositing %s into %s", details.amount, details.target_account)
    return f"D-{details.reference_id}"


# --- Workflows ----------------------------------------------------------------------------


@workflow.defn(name="Echo")
class Echo:
    @workflow.run
    async def run(self, *args: Any) -> Any:
        if len(args) == 0:
            return None
        if len(args) == 1:
            return args[0]
        return list(args)


@workflow.defn(name="Sleep")
class Sleep:
    @workflow.run
    async def run(self, seconds: float) -> float:
        await workflow.sleep(seconds)
        return seconds


@workflow.defn(name="Fail")
class Fail:
    @workflow.run
    async def run(
        self, message: str = "failed on purpose", details: Optional[List[Any]] = None
    ) -> None:
        if details is None:
            details = [{"code": 42, "reason": "test"}]
        raise ApplicationError(message, *details, type="TestFailure", non_retryable=True)


@workflow.defn(name="ContinueAsNewChain")
class ContinueAsNewChain:
    @workflow.run
    async def run(self, times: int, done: int = 0) -> int:
        if done < times:
            workflow.continue_as_new(args=[times, done + 1])
        return done


@workflow.defn(name="RetryingActivity")
class RetryingActivity:
    @workflow.run
    async def run(self, failures: int) -> int:
        return await workflow.execute_activity(
            flaky,
            failures,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=FAST_RETRY,
        )


@workflow.defn(name="SignalWait")
class SignalWait:
    def __init__(self) -> None:
        self._status = "waiting"
        self._value: Any = None
        self._total = 0

    @workflow.run
    async def run(self, *_args: Any) -> Any:
        await workflow.wait_condition(lambda: self._status == "finished")
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._value

    @workflow.signal(name="finish")
    def finish(self, value: Any = None) -> None:
        self._value = value
        self._status = "finished"

    @workflow.query(name="state")
    def state(self) -> dict:
        return {"status": self._status, "value": self._value, "total": self._total}

    @workflow.query(name="fail")
    def fail_query(self, extra_bytes: int = 0) -> Any:
        raise ApplicationError(
            "query fails on purpose" + "x" * extra_bytes,
            "x" * extra_bytes,
            type="QueryFailure",
        )

    @workflow.update(name="add")
    def add(self, n: int) -> int:
        self._total += n
        return self._total

    @add.validator
    def validate_add(self, n: int) -> None:
        if n < 0:
            raise ValueError("n must not be negative")

    @workflow.update(name="add_slowly")
    async def add_slowly(self, n: int) -> int:
        await workflow.sleep(1)
        self._total += n
        return self._total

    @workflow.update(name="fail")
    def fail(self, message: str) -> None:
        raise ApplicationError(message, {"update": "fail"}, type="UpdateFailure",
                               non_retryable=True)


@workflow.defn(name="AsyncActivity")
class AsyncActivity:
    def __init__(self) -> None:
        self._token: Optional[str] = None

    @workflow.run
    async def run(self, *_args: Any) -> Any:
        return await workflow.execute_activity(
            "CompleteLater",
            activity_id="async-activity",
            start_to_close_timeout=timedelta(seconds=60),
            retry_policy=RetryPolicy(maximum_attempts=1),
            cancellation_type=ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        )

    @workflow.signal(name="token")
    def set_token(self, token: str) -> None:
        self._token = token

    @workflow.query(name="token")
    def token(self) -> Optional[str]:
        return self._token


@workflow.defn(name="AlwaysFailTask")
class AlwaysFailTask:
    @workflow.run
    async def run(self, *_args: Any) -> None:
        # Not an ApplicationError: the SDK fails the workflow *task*, not the workflow.
        raise RuntimeError("workflow task fails on purpose")


@workflow.defn(name="RetryWorkflow")
class RetryWorkflow:
    @workflow.run
    async def run(self, fail_attempts: int = 1) -> int:
        attempt = workflow.info().attempt
        if attempt <= fail_attempts:
            raise ApplicationError(f"attempt {attempt} fails on purpose", type="RetryMe")
        return attempt


@workflow.defn(name="MoneyTransfer")
class MoneyTransfer:
    @workflow.run
    async def run(self, details: PaymentDetails) -> str:
        if details.amount <= 0:
            raise ApplicationError(
                f"amount must be positive, got {details.amount}",
                type="InvalidAmount",
                non_retryable=True,
            )
        options = dict(start_to_close_timeout=timedelta(seconds=10), retry_policy=FAST_RETRY)
        withdrawn = await workflow.execute_activity(withdraw, details, **options)
        deposited = await workflow.execute_activity(deposit, details, **options)
        return f"Transfer complete (transaction IDs: {withdrawn}, {deposited})"


WORKFLOWS = [
    Echo,
    Sleep,
    Fail,
    ContinueAsNewChain,
    RetryingActivity,
    SignalWait,
    AlwaysFailTask,
    RetryWorkflow,
    MoneyTransfer,
    AsyncActivity,
]
ACTIVITIES = [flaky, withdraw, deposit, complete_later]


# --- Process ------------------------------------------------------------------------------


async def wait_until_polling(client: Client, namespace: str, task_queue: str, identity: str) -> None:
    """Return once the server lists this worker among the workflow pollers of the queue."""
    request = DescribeTaskQueueRequest(
        namespace=namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    )
    while True:
        response = await client.workflow_service.describe_task_queue(request)
        if any(p.identity == identity for p in response.pollers):
            return
        await asyncio.sleep(0.05)


async def run(args: argparse.Namespace) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    identity = f"temporal-lite-test-worker-{os.getpid()}@{socket.gethostname()}"
    client = await Client.connect(args.address, namespace=args.namespace, identity=identity)
    queues = [(client, args.task_queue)]
    if args.codec:
        codec_client = Client(
            client.service_client,
            namespace=args.namespace,
            data_converter=dataclasses.replace(DataConverter.default, payload_codec=AesGcmCodec()),
        )
        queues.append((codec_client, f"{args.task_queue}-codec"))
    workers = [
        Worker(
            worker_client,
            task_queue=queue,
            workflows=WORKFLOWS,
            activities=ACTIVITIES,
            workflow_runner=UnsandboxedWorkflowRunner(),
            graceful_shutdown_timeout=timedelta(seconds=1),
        )
        for worker_client, queue in queues
    ]

    async def run_all() -> None:
        await asyncio.gather(*(w.run() for w in workers))

    async def all_polling() -> None:
        for _, queue in queues:
            await wait_until_polling(client, args.namespace, queue, identity)

    running = asyncio.create_task(run_all())
    ready = asyncio.create_task(all_polling())
    done, _ = await asyncio.wait({running, ready}, timeout=args.ready_timeout,
                                 return_when=asyncio.FIRST_COMPLETED)
    if running in done:
        ready.cancel()
        running.result()  # raises the worker's error
        print("worker: stopped before it was ready", file=sys.stderr)
        return 1
    if ready not in done:
        names = ", ".join(repr(queue) for _, queue in queues)
        print(f"worker: not polling {names} after {args.ready_timeout} s", file=sys.stderr)
        return 1
    ready.result()
    print("WORKER READY", flush=True)

    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if running.done():
        running.result()
        print("worker: stopped on its own", file=sys.stderr)
        return 1
    try:
        await asyncio.wait_for(asyncio.gather(*(w.shutdown() for w in workers)), timeout=5)
    except asyncio.TimeoutError:
        print("worker: shutdown took over 5 s; exiting anyway", file=sys.stderr)
    print("WORKER STOPPED", flush=True)
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--address", required=True, help="host:port of the Temporal frontend")
    parser.add_argument("--namespace", default="default")
    parser.add_argument("--task-queue", required=True)
    parser.add_argument("--codec", action="store_true",
                        help="also poll <task-queue>-codec with the AES-GCM payload codec")
    parser.add_argument("--ready-timeout", type=float, default=20.0,
                        help="seconds to wait for the first poll before giving up")
    args = parser.parse_args()
    try:
        code = asyncio.run(run(args))
    except Exception as err:  # noqa: BLE001 - report any startup or worker failure
        print(f"worker: {type(err).__name__}: {err}", file=sys.stderr)
        code = 1
    # The SDK sometimes crashes during interpreter teardown; skip the teardown.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
