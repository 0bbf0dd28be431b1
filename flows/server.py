"""One Prefect API for the whole run, shared with the extraction worker processes.

Without PREFECT_API_URL every process that runs a task starts its own temporary server (about 20 s
each); so when none is configured we start one, export its address to the environment that worker
processes inherit, and stop it when the run ends.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def prefect_api() -> Iterator[str]:
    """Yield the API address: the configured PREFECT_API_URL, or a temporary local server's."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    from prefect.server.api.server import SubprocessASGIServer

    timeout = int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
    server = SubprocessASGIServer()
    server.start(timeout=timeout)
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        yield server.api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        server.stop()


def quiet_libraries() -> None:
    """The local Dask cluster logs every worker start and stop (and connection tracebacks on shutdown):
    none of it is for the person running caijue."""
    for name in ("distributed", "distributed.nanny", "distributed.scheduler", "distributed.worker",
                 "distributed.core", "distributed.comm", "distributed.batched", "distributed.http.proxy"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
