"""One Prefect API for the whole run, shared with the extraction worker processes.

Without PREFECT_API_URL every process that runs a task starts its own temporary server (about 20 s
each); so when none is configured we start one, export its address to the environment that worker
processes inherit, and stop it when the run ends.

A new PREFECT_HOME (the first run into a new warehouse) has no database: the server's boot creates it and runs
every migration, one after another, ~5.5 s of a core (measured: 10.4 s of CPU to its first answer, against 4.8 s
on a database that has them). So the first run server of a Prefect version on the machine keeps a copy of its
database the moment it answers (migrated, and empty: the run has made no flow run yet), and a run whose
PREFECT_HOME has no database starts its server on that copy, where every migration is found applied (the server
still checks them). The copy is kept in the user's cache folder, like dbt's parse (warehouse/dbt.py).
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flows.stopping import recorded_elsewhere, recording_to
from warehouse.cache import caijue_cache

# The run's own server lives for one run: nothing reads its event feed or runs automations on it, so it
# does not spend a core's share writing every task event to SQLite (flow and task runs are still recorded).
RUN_SERVER_ENVIRONMENT = {
    "PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    # Nor does a run use blocks: its server does not import every installed Prefect integration (prefect-dask
    # brings Dask and distributed) to register their block types at each start (~0.4 s of a core, ~30 MiB).
    "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
    "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
    # Nor the services that look after deployments, workers, pauses, cancellations and old events: a run's own
    # flow run needs the API and the task run recorder (its task runs are recorded from their events) only.
    # Their loops took ~0.6 s of a core from the run's start (measured: the server's CPU to its first answers).
    "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CLEANUP_RECONCILER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_EVENT_LOGGER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED": "false",
}
# Nor does it schedule runs or look for late ones, or serve the UI (`caijue serve` runs its own server for that).
RUN_SERVER_FLAGS = ("--no-ui", "--no-scheduler", "--no-late-runs", "--analytics-off")
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True, slots=True)
class RunServer:
    """A run's own `prefect server start`, its address already exported as PREFECT_API_URL."""

    api_url: str
    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.perf_counter)  # when it was begun (perf_counter)
    new_database: Path | None = None  # the database its boot creates and migrates, to be kept as the template


def begin_run_server() -> RunServer | None:
    """Start the run's own Prefect server, unless PREFECT_API_URL names one (then None), and export its address
    at once. Call it before Prefect is first imported: Prefect reads its settings when it is imported, and a
    process that imported it before PREFECT_API_URL was set starts a temporary server of its own for its flow
    runs — a second server, ~225 MiB and its own boot (~5 s, serial, as the first flow run begins). Started
    first, the server boots (~4 s) while the run imports Prefect, plans and warms its reading children."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    port = free_port(0)
    api_url = f"http://127.0.0.1:{port}/api"
    os.environ["PREFECT_API_URL"] = api_url
    try:
        database = home_database()
        new_database = database if database is not None and not start_from_template(database) else None
        process = start_server(port, RUN_SERVER_ENVIRONMENT, RUN_SERVER_FLAGS)
        recording_to(process.pid)  # a stop's record of the run goes to it
        return RunServer(api_url, process, new_database=new_database)
    except BaseException:
        os.environ.pop("PREFECT_API_URL", None)
        raise


@contextmanager
def run_server_begun() -> Iterator[RunServer | None]:
    """`begin_run_server` for the block; the server stopped at its end if the run did not stop it (a run
    that failed before it reached `prefect_api`)."""
    server = begin_run_server()
    try:
        yield server
    finally:
        if server is not None:
            if os.environ.get("PREFECT_API_URL") == server.api_url:
                os.environ.pop("PREFECT_API_URL")
            stop_run_server(server, grace_seconds=1)


@contextmanager
def prefect_api(while_starting: Callable[[], None] | None = None, server: RunServer | None = None) -> Iterator[str]:
    """Yield the API address: the configured PREFECT_API_URL, or a temporary local server's (`prefect server
    start`, Prefect's public way to run one): `server` when begun already (begin_run_server), else started
    here. `while_starting` runs while the server boots (worker processes started then inherit its address);
    the server is stopped when the block ends."""
    if server is None:
        server = begin_run_server()
    if server is None:
        if while_starting:
            while_starting()
        try:
            with _seen_by_prefect(os.environ["PREFECT_API_URL"]):
                yield os.environ["PREFECT_API_URL"]
        finally:
            deliver_pending()  # the run's last logs and events sent now, not by an exit hook the CLI skips
        return
    timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            started = pool.submit(while_starting) if while_starting else None
            _import_flow_run_modules()
            wait_healthy(server.api_url, server.process, timeout)
            if server.new_database is not None:
                keep_template(server.new_database)  # before the run's first flow run is written
            warm_api(server.api_url)
            if started is not None:
                started.result()
    except BaseException:
        os.environ.pop("PREFECT_API_URL", None)
        stop_run_server(server)
        raise
    try:
        with _seen_by_prefect(server.api_url), _without_heartbeats():
            yield server.api_url
    finally:
        deliver_pending()
        os.environ.pop("PREFECT_API_URL", None)
        stop_run_server(server, grace_seconds=1)  # its run is recorded (SQLite survives a kill): no slow shutdown


def home_database() -> Path | None:
    """The SQLite file of PREFECT_HOME a server started now would use (None: PREFECT_HOME unset, or the database
    configured elsewhere)."""
    home = os.environ.get("PREFECT_HOME")
    if not home or os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL"):
        return None
    return Path(home) / "prefect.db"


def database_template() -> Path | None:
    """Where a migrated, empty database of the installed Prefect is kept (None: Prefect's version unknown)."""
    try:
        prefect_version = version("prefect")
    except PackageNotFoundError:
        return None
    return caijue_cache() / "prefect-database" / f"prefect-{prefect_version}.db"


def start_from_template(database: Path) -> bool:
    """Whether `database` is there for the server: there already, or copied now from the template (False: the
    server's boot creates it, and it has no template to start from)."""
    if database.exists():
        return True
    template = database_template()
    if template is None or not template.exists():
        return False
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, database)
    except OSError:
        database.unlink(missing_ok=True)
        return False
    return True


def keep_template(database: Path) -> None:
    """A consistent copy of the server's `database` (SQLite's online backup: the server has it open) kept as the
    template, unless one is kept already; a copy that fails is let be (the next new database tries again)."""
    template = database_template()
    if template is None or template.exists() or not database.exists():
        return
    partial = template.with_name(f"{template.name}.{os.getpid()}.partial")
    try:
        template.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
        os.replace(partial, template)
    except (OSError, sqlite3.Error):
        partial.unlink(missing_ok=True)


# Imported by Prefect when a flow run begins, on the run's critical path once the server answers: the encoder of its
# parameters (prefect.flows serialize_parameters: FastAPI, ~0.1-0.4 s), and at the flow's first task call its task
# engine and the task graph's tracker (prefect.tasks Task.__call__: graphviz; ~0.03 s, seen in a served 1-new run's
# profile). Imported instead while the server boots, or while serve's warm process waits.
FLOW_RUN_MODULES = ("fastapi.encoders", "prefect.task_engine", "prefect.utilities.visualization")


def _import_flow_run_modules() -> None:
    for name in FLOW_RUN_MODULES:
        with suppress(ImportError):  # Prefect says it where it imports it
            importlib.import_module(name)


@contextmanager
def _seen_by_prefect(api_url: str) -> Iterator[None]:
    """For the block, Prefect's settings in this thread name `api_url`: when Prefect was imported before
    PREFECT_API_URL was set (a test session, a library user), its settings are still those it read then, and
    a flow run would start Prefect's temporary server instead of using this one."""
    if "prefect" not in sys.modules:
        yield
        return
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    if get_current_settings().api.url == api_url:
        yield
        return
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        yield


@contextmanager
def _without_heartbeats() -> Iterator[None]:
    """For the block, flow runs send no heartbeats. A heartbeat is for automations that mark a silent flow run
    Crashed; a run's own server runs none (its triggers are off), and the heartbeat thread, which sleeps in
    1 s steps, is joined as the flow run ends: up to a second of a run's end spent waiting for it."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


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


# Read-only requests that make a fresh server do its first-request work (FastAPI builds its routers' routes on the
# first request that passes them; the first flow run query sets up the flow run ORM and schemas): ~0.3 s and ~0.15 s
# of the server's CPU, else paid by the flow run's first API calls (the version check, its first state) one after
# the other. Nothing is written.
WARM_UP_REQUESTS: tuple[tuple[str, bytes | None], ...] = (
    ("/admin/version", None),
    ("/flow_runs/filter", b'{"limit": 1}'),
)


def warm_api(api_url: str) -> threading.Thread:
    """Send WARM_UP_REQUESTS to the healthy server at `api_url` on a thread of their own, while this process goes on
    to its flow run (its own set-up is CPU work of this process the server's is done beside). A request that fails
    is let be: the flow run's own calls say what is wrong."""
    thread = threading.Thread(target=_warm_up_requests, args=(api_url,), name="caijue-warm-api", daemon=True)
    thread.start()
    return thread


def _warm_up_requests(api_url: str) -> None:
    for path, body in WARM_UP_REQUESTS:
        headers = {"Content-Type": "application/json"}
        method = "POST" if body else "GET"
        request = urllib.request.Request(f"{api_url}{path}", data=body, headers=headers, method=method)
        with suppress(OSError), urllib.request.urlopen(request, timeout=10) as response:
            response.read()


def stop_run_server(server: RunServer, grace_seconds: float = 20.0) -> None:
    stop_process(server.process, grace_seconds)
    recorded_elsewhere(server.process.pid)


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
    for name in ("prefect.flow_runs", "prefect.task_runs"):
        for handler in logging.getLogger(name).handlers:
            handler.flush()  # APILogHandler: sends the queued logs and waits (at most 5 s)
    deliver_events(seconds)


def deliver_events(seconds: float) -> None:
    """Send the task run events this process still holds (their states on the run's page), waiting at most
    `seconds`."""
    from prefect.events.worker import EventsWorker

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
