"""`caijue serve`: the ingest flow as a Prefect deployment on a schedule, over an inbox folder.

Prefect's temporary per-run server cannot schedule (its scheduler service does not run). So serve
uses the server named by PREFECT_API_URL, or starts `prefect server start` (SQLite in PREFECT_HOME,
beside the warehouse), waits for it to answer, and stops it on exit. The runner it starts polls the
server every POLL_SECONDS and executes each scheduled run of the deployment in a subprocess: a warm one,
begun ahead while serve idles (flows/warm_spare.py), unless `warm_spare` is off.

The poll: Prefect's default, 10 s, is how long a run triggered by hand (`prefect deployment run`, the UI) may
wait to be picked up, 5 s on average. A poll is one query of the server: measured while serve idles (loaded
machine), its server and serve took 2.5 and 0.3 s of CPU a minute polling every second, 1.4 and 0.03 s every
10 s (~20 ms a poll), so POLL_SECONDS=1 costs ~2 % of a core and a triggered run starts within a second. An
operator's PREFECT_RUNNER_POLL_FREQUENCY wins.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path

from flows.report import say
from flows.server import free_port, start_server, stop_process, wait_healthy
from flows.warm_spare import SpareReady, warm_spares

DEFAULT_PORT = 4200
POLL_SECONDS = 1


def serve(
    inbox: Path,
    warehouse: Path,
    *,
    cron: str | None,
    interval: float | None,
    name: str,
    workers: int,
    dask_address: str | None,
    timeout_seconds: float | None,
    memory_limit_mib: int | None,
    page_limit: int | None,
    port: int | None = None,
    warm_spare: bool = True,
) -> int:
    """Register the deployment and run its scheduled runs until interrupted (Ctrl-C or SIGTERM); each run reads
    each document within the limits (flows/limits.py; None: no limit). `warm_spare`: each run in a process begun
    and warmed ahead (flows/warm_spare.py), else in a cold one of Prefect's."""
    inbox.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _stop)
    with prefect_server(port) as api_url:
        from flows.ingest import ingest_flow
        from flows.runners import scheduled_task_runner

        runner = scheduled_task_runner(workers, dask_address)
        served = ingest_flow.with_options(task_runner=runner)
        schedule = f"cron {cron!r}" if cron else f"every {interval:g} s"
        say(f"serve: deployment caijue-ingest/{name}, {schedule}, inbox {inbox} → {warehouse}")
        say(
            f"serve: Prefect API {api_url} (UI at {api_url.removesuffix('/api')}); "
            f"`prefect deployment inspect caijue-ingest/{name}` shows the schedule"
        )
        parameters = {
            "paths": [str(inbox)],
            "warehouse": str(warehouse),
            "timeout_seconds": timeout_seconds,
            "memory_limit_mib": memory_limit_mib,
            "page_limit": page_limit,
            "max_in_flight": max(1, workers),
            "queued": 0 if dask_address else max(1, workers),
        }
        spares = warm_spares(workers, not dask_address, _say_ready, warehouse) if warm_spare else nullcontext()
        with suppress(KeyboardInterrupt, SystemExit), spares, _polling_often():
            # limit=1: one run at a time (a run waits for the warehouse's writer lock anyway; one spare).
            served.serve(
                name=name,
                cron=cron,
                interval=interval,
                parameters=parameters,
                limit=1,
                print_starting_message=False,
                description=f"caijue: ingest new PDFs from {inbox} into {warehouse}",
            )
    say("serve: stopped")
    return 0


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _say_ready(spare: SpareReady) -> None:
    say(f"serve: a warm process waits for the next run (pid {spare.pid}, {spare.resident_mib:.0f} MiB with children)")


@contextmanager
def _polling_often() -> Iterator[None]:
    """The Runner polls for runs every POLL_SECONDS (the module's docstring), unless the operator set it."""
    if os.environ.get("PREFECT_RUNNER_POLL_FREQUENCY"):
        yield
        return
    from prefect.settings import PREFECT_RUNNER_POLL_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_RUNNER_POLL_FREQUENCY: POLL_SECONDS}):
        yield


@contextmanager
def prefect_server(port: int | None = None) -> Iterator[str]:
    """The configured PREFECT_API_URL, or a `prefect server start` of our own for the block's duration."""
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    port = port or free_port(DEFAULT_PORT)
    api_url = f"http://127.0.0.1:{port}/api"
    say(f"serve: starting a Prefect server (SQLite in {os.environ.get('PREFECT_HOME')}) on port {port}")
    server = start_server(port, settings={"PREFECT_SERVER_UI_ENABLED": "true", "PREFECT_UI_ENABLED": "true"})
    try:
        wait_healthy(api_url, server)
        os.environ["PREFECT_API_URL"] = api_url
        yield api_url
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        stop_process(server)
