"""One Prefect API for the whole run, shared with the extraction worker processes.

Without PREFECT_API_URL every process that runs a task starts its own temporary server (about 20 s
each); so when none is configured we start one, export its address to the environment that worker
processes inherit, and stop it when the run ends.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from flows.settings import default_environment

# The run's own server lives for one run: nothing reads its event feed or runs automations on it, so it
# does not spend a core's share writing every task event to SQLite (flow and task runs are still recorded).
RUN_SERVER_ENVIRONMENT = {
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
}


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set variables for a child process started inside the block; the caller's settings are not changed."""
    saved = {key: os.environ.get(key) for key in values}
    default_environment(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def prefect_api(while_starting: Callable[[], None] | None = None) -> Iterator[str]:
    """Yield the API address: the configured PREFECT_API_URL, or a temporary local server's. The server's
    address is exported before it boots (15–20 s), so `while_starting` can start worker processes in the
    meantime: they inherit it."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        if while_starting:
            while_starting()
        yield configured
        return
    from prefect.server.api.server import SubprocessASGIServer

    timeout = int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
    server = SubprocessASGIServer()
    server.port = server.find_available_port()
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            started = pool.submit(while_starting) if while_starting else None
            with _environment(RUN_SERVER_ENVIRONMENT):
                server.start(timeout=timeout)
            if started is not None:
                started.result()
    except BaseException:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()
        raise
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        yield server.api_url
    finally:
        deliver_pending()
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()


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
