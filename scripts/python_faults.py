"""The official Python client (temporalio) through the same faults as temporal-lite's time
model tests: a real dev server, the test worker, and the harness's fault proxy between the
client and the server. For the README's side-by-side table; not part of CI.

    .venv/bin/python scripts/python_faults.py SCENARIO...

Run by `bash scripts/python_faults.sh` (which builds the proxy first). Scenarios:

  blackhole-3s      describe with rpc_timeout=3 s into a blackholed connection
  silence-result    result() while the connection goes silent (blackhole) for 100 s
  outage-result     result() across a 60 s outage (connections refused and reset)
  burst-1024        1024 concurrent start_workflow on one client, default options
  lost-starts-14s   a start whose responses are lost for 14 s
  wrong-address     the first connect when nothing listens at the address
  reset-peer        connect to a peer that resets every connection
  lost-terminate    terminate whose first response is lost

Each prints one line starting with `PYTHON <scenario>:`.
"""

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta

from temporalio.client import Client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPORAL = os.path.join(ROOT, ".venv", "bin", "temporal")
PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
PROXY = os.path.join(ROOT, "target", "debug", "fault_proxy")
QUEUE = "python-faults"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Rig:
    """A dev server, the test worker, and a fault proxy in front of the server."""

    def __init__(self) -> None:
        self.port = free_port()
        self.children = []
        self.server = self.spawn(
            [TEMPORAL, "server", "start-dev", "--headless", "--ip", "127.0.0.1",
             "--port", str(self.port), "--log-level", "error",
             "--dynamic-config-value", 'history.longPollExpirationInterval="3s"',
             "--dynamic-config-value", 'history.timerProcessorMaxTimeShift="10ms"'],
            stdout=subprocess.DEVNULL)
        self.address = f"127.0.0.1:{self.port}"
        for _ in range(100):
            probe = subprocess.run(
                [TEMPORAL, "operator", "namespace", "describe", "-n", "default",
                 "--address", self.address], capture_output=True)
            if probe.returncode == 0:
                break
            time.sleep(0.2)
        self.worker = self.spawn(
            [PYTHON, os.path.join(ROOT, "tests", "python", "worker.py"),
             "--address", self.address, "--task-queue", QUEUE],
            stdout=subprocess.PIPE)
        self.worker.stdout.readline()  # WORKER READY
        self.proxy = self.spawn([PROXY, self.address], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE)
        self.proxy_address = self.proxy.stdout.readline().decode().split()[1]

    def spawn(self, argv, **kwargs):
        child = subprocess.Popen(argv, start_new_session=True, **kwargs)
        self.children.append(child)
        return child

    def command(self, line: str) -> str:
        self.proxy.stdin.write((line + "\n").encode())
        self.proxy.stdin.flush()
        return self.proxy.stdout.readline().decode().strip()

    def close(self) -> None:
        for child in reversed(self.children):
            child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def describe_error(e: BaseException) -> str:
    text = f"{type(e).__name__}: {e}"
    cause = getattr(e, "cause", None) or e.__cause__
    if cause is not None:
        text += f" (cause {type(cause).__name__}: {cause})"
    status = getattr(e, "status", None)
    if status is not None:
        text += f" [status {status}]"
    return text.replace("\n", " ")[:300]


async def timed(coro):
    started = time.monotonic()
    try:
        value = await coro
        return time.monotonic() - started, value, None
    except BaseException as e:  # noqa: BLE001 - we report whatever happens
        return time.monotonic() - started, None, e


def report(name: str, text: str) -> None:
    print(f"PYTHON {name}: {text}", flush=True)


async def start_sleep(rig: Rig, seconds: int):
    """Connect through the proxy and start a `Sleep(seconds)` workflow; its handle."""
    client = await Client.connect(rig.proxy_address)
    return await client.start_workflow("Sleep", seconds, id=f"py-{uuid.uuid4()}", task_queue=QUEUE)


async def blackhole_3s(rig: Rig) -> None:
    handle = await start_sleep(rig, 60)
    rig.command("blackhole")
    elapsed, _, error = await timed(handle.describe(rpc_timeout=timedelta(seconds=3)))
    report("blackhole-3s", f"failed after {elapsed:.2f} s: {describe_error(error)}")


async def silence_result(rig: Rig) -> None:
    handle = await start_sleep(rig, 150)
    await asyncio.sleep(0.5)
    rig.command("blackhole")
    elapsed, _, error = await timed(asyncio.wait_for(handle.result(), timeout=100))
    if isinstance(error, asyncio.TimeoutError):
        report("silence-result", "still waiting after 100 s of silence (no error)")
    else:
        report("silence-result", f"failed {elapsed:.1f} s into the silence: {describe_error(error)}")


async def outage_result(rig: Rig) -> None:
    handle = await start_sleep(rig, 5)
    await asyncio.sleep(0.5)
    rig.command("refuse")
    down = time.monotonic()

    async def restore_later():
        await asyncio.sleep(60)
        rig.command("restore")

    restorer = asyncio.create_task(restore_later())
    elapsed, value, error = await timed(handle.result())
    if error is None:
        report("outage-result", f"returned {value} {time.monotonic() - down - 60:.2f} s after the outage ended")
    else:
        report("outage-result", f"gave up {time.monotonic() - down:.1f} s into the outage: {describe_error(error)}")
    restorer.cancel()


async def burst_1024(rig: Rig) -> None:
    client = await Client.connect(rig.address)
    prefix = f"py-burst-{uuid.uuid4()}"

    async def one(i):
        return await timed(client.start_workflow("Sleep", 1, id=f"{prefix}-{i}", task_queue="nobody-polls"))

    started = time.monotonic()
    results = await asyncio.gather(*(one(i) for i in range(1024)))
    total = time.monotonic() - started
    errors = [e for (_, _, e) in results if e is not None]
    kinds = {}
    for e in errors:
        kinds[type(e).__name__] = kinds.get(type(e).__name__, 0) + 1
    slowest = max(d for (d, _, _) in results)
    report("burst-1024", f"{len(errors)} errors {kinds} in {total:.2f} s, slowest {slowest:.2f} s")


async def lost_starts_14s(rig: Rig) -> None:
    client = await Client.connect(rig.proxy_address)
    rig.command("drop StartWorkflowExecution for 14")
    workflow_id = f"py-lost-{uuid.uuid4()}"
    elapsed, _, error = await timed(client.start_workflow("Sleep", 60, id=workflow_id, task_queue=QUEUE))
    stats = rig.command("stats StartWorkflowExecution")
    direct = await Client.connect(rig.address)
    try:
        await direct.get_workflow_handle(workflow_id).describe()
        started = "the workflow started"
    except Exception:  # noqa: BLE001
        started = "the workflow did not start"
    if error is None:
        report("lost-starts-14s", f"returned after {elapsed:.2f} s; {started}; {stats}")
    else:
        report("lost-starts-14s", f"failed after {elapsed:.2f} s: {describe_error(error)}; {started}; {stats}")


async def wrong_address(rig: Rig) -> None:
    elapsed, _, error = await timed(Client.connect(f"127.0.0.1:{free_port()}"))
    report("wrong-address", f"failed after {elapsed * 1000:.0f} ms: {describe_error(error)}")


async def reset_peer(rig: Rig) -> None:
    rig.command("reset-new")
    elapsed, _, error = await timed(Client.connect(rig.proxy_address))
    report("reset-peer", f"failed after {elapsed:.2f} s: {describe_error(error)}")


async def lost_terminate(rig: Rig) -> None:
    handle = await start_sleep(rig, 60)
    rig.command("drop TerminateWorkflowExecution next 1")
    elapsed, _, error = await timed(handle.terminate("lost answer"))
    stats = rig.command("stats TerminateWorkflowExecution")
    outcome = "succeeded" if error is None else describe_error(error)
    report("lost-terminate", f"after {elapsed:.2f} s: {outcome}; {stats}")


SCENARIOS = {
    "blackhole-3s": blackhole_3s,
    "silence-result": silence_result,
    "outage-result": outage_result,
    "burst-1024": burst_1024,
    "lost-starts-14s": lost_starts_14s,
    "wrong-address": wrong_address,
    "reset-peer": reset_peer,
    "lost-terminate": lost_terminate,
}


def main() -> int:
    names = sys.argv[1:] or list(SCENARIOS)
    status = 0
    for name in names:
        rig = Rig()
        try:
            asyncio.run(SCENARIOS[name](rig))
        except BaseException as e:  # noqa: BLE001
            report(name, f"scenario crashed: {describe_error(e)}")
            status = 1
        finally:
            rig.close()
    return status


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # The SDK sometimes crashes during interpreter teardown (see RIG.md): skip it.
    os._exit(code)
