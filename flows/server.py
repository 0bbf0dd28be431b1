"""One Prefect API for the whole run, shared with the extraction worker processes.

Without PREFECT_API_URL every process that runs a task starts its own temporary server (about 20 s
each); so when none is configured we start one, export its address to the environment that worker
processes inherit, and stop it when the run ends.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress

# The run's own server lives for one run: nothing reads its event feed or runs automations on it, so it
# does not spend a core's share writing every task event to SQLite (flow and task runs are still recorded).
RUN_SERVER_ENVIRONMENT = {
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
}
# Nor does it schedule runs or look for late ones, or serve the UI (`caijue serve` runs its own server for that).
RUN_SERVER_FLAGS = ("--no-ui", "--no-scheduler", "--no-late-runs", "--analytics-off")
_PR_SET_PDEATHSIG = 1


@contextmanager
def prefect_api(while_starting: Callable[[], None] | None = None) -> Iterator[str]:
    """Yield the API address: the configured PREFECT_API_URL, or a temporary local server's (`prefect server
    start`, Prefect's public way to run one). The server's address is exported before it boots (15–20 s), so
    `while_starting` can start worker processes in the meantime: they inherit it."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        if while_starting:
            while_starting()
        yield configured
        return
    timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
    port = free_port(0)
    api_url = f"http://127.0.0.1:{port}/api"
    os.environ["PREFECT_API_URL"] = api_url
    server: subprocess.Popen[bytes] | None = None
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            started = pool.submit(while_starting) if while_starting else None
            server = start_server(port, RUN_SERVER_ENVIRONMENT, RUN_SERVER_FLAGS)
            wait_healthy(api_url, server, timeout)
            if started is not None:
                started.result()
    except BaseException:
        os.environ.pop("PREFECT_API_URL", None)
        if server is not None:
            stop_process(server)
        raise
    try:
        yield api_url
    finally:
        deliver_pending()
        os.environ.pop("PREFECT_API_URL", None)
        stop_process(server, grace_seconds=1)  # its run is recorded (SQLite survives a kill): no slow shutdown


def start_server(
    port: int,
    defaults: dict[str, str] | None = None,
    flags: tuple[str, ...] = (),
    settings: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """`prefect server start` on 127.0.0.1:`port` (SQLite in PREFECT_HOME), in its own session: a Ctrl-C at
    the terminal reaches caijue, which stops it (flows/stopping.py), not the server first. `defaults`: settings
    an operator's own environment overrides; `settings`: settings it does not."""
    return subprocess.Popen(
        [sys.executable, "-m", "prefect", "--no-prompt", "server", "start", "--no-background", *flags],
        env={
            **(defaults or {}),
            **os.environ,
            **(settings or {}),
            "PREFECT_SERVER_API_HOST": "127.0.0.1",
            "PREFECT_SERVER_API_PORT": str(port),
        },
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_die_with_parent,
        start_new_session=True,
    )


def wait_healthy(api_url: str, server: subprocess.Popen[bytes], timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"prefect server start exited with code {server.returncode}")
        with suppress(OSError), urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.2)
    raise TimeoutError(f"the Prefect server at {api_url} did not answer within {timeout:g} s")


def stop_process(process: subprocess.Popen[bytes], grace_seconds: float = 20.0) -> None:
    """SIGTERM to the server's session, SIGKILL after `grace_seconds`."""
    if process.poll() is not None:
        return
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _die_with_parent() -> None:
    # Linux: the server gets SIGTERM if its parent is killed, instead of living on orphaned.
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port(preferred: int) -> int:
    for candidate in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise RuntimeError("no free port for the Prefect server")


def deliver_pending(seconds: float = 5.0) -> None:
    """Send what this process still holds for the API (the last log lines of a run, batched every 2 s, and
    task run events) before the server stops: else Prefect's exit hook retries a dead server for a minute
    and prints "Error logging to API". As Prefect's own test harness does before it stops its server."""
    from prefect.events.worker import EventsWorker

    for name in ("prefect.flow_runs", "prefect.task_runs"):
        for handler in logging.getLogger(name).handlers:
            handler.flush()  # APILogHandler: sends the queued logs and waits (at most 5 s)
    EventsWorker.drain_all(timeout=seconds)


def quiet_libraries() -> None:
    """The local Dask cluster logs every worker start and stop (and connection tracebacks on shutdown):
    none of it is for the person running caijue."""
    for name in (
        "distributed",
        "distributed.nanny",
        "distributed.scheduler",
        "distributed.worker",
        "distributed.core",
        "distributed.comm",
        "distributed.batched",
        "distributed.http.proxy",
    ):
        logging.getLogger(name).setLevel(logging.CRITICAL)
