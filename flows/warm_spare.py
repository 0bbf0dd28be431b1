"""A warm process for `caijue serve`'s next flow run, begun while serve idles.

Prefect's Runner executes each run of a served flow in a fresh spawned process (`prefect.flow_engine
run_flow_in_subprocess`), which imports everything cold once the run is picked up: Prefect's engine, caijue's flow,
then Great Expectations, dbt (in the run's dbt child) and the extractor (in its reading children). A 1-new run's
process and children took ~25 s of CPU so, ~14 s warm (README, Performance): the difference was on its critical
path. Here serve begins that process ahead — the spare — while it idles: it imports Prefect's engine and the flow,
Great Expectations (flows/warmup.py LATER_STAGE_MODULES), builds the gate, begins the run's dbt child
(flows/dbt_child.py) and has it parse the project for the run's working copy, warms a reading child per worker
thread with the extraction specs read, then waits. The parse is of the project as it is then: like the flow's code,
which the spare imported then too, a project changed under a running serve is seen from the next spare on.

`SpareKeeper.run_flow_in_subprocess` stands in for Prefect's function in the Runner: `warm_spares` installs it as
`prefect.runner._starter_direct.run_flow_in_subprocess`, the reference Prefect's DirectSubprocessStarter documents as
the one to patch. It hands the flow run to the spare with what Prefect's own child is given — the run's environment
(the control channel's one-shot keys set before the call is unpickled), a settings context of that environment, the
serialized context, the engine's signal handling around `run_flow` — and returns the spare's process, which the
Runner joins, kills on a cancel and whose exit code marks a crash, as it does Prefect's. A spare still warming takes
the run too: it starts it once warm, sooner than a cold process begun then would, and without the two sharing the
cores. Once the run's process has exited the next spare is begun. With no live spare (its start failed, it died, or
Prefect lacks the seam: the dependency allows prefect>=3.4), Prefect's own function runs the flow: serve loses no run
to this.

One run at a time (serve's limit=1), so one spare. After its run the spare ends its dbt child and reading children
(which also watch it and exit once it is gone, flows/timeout.py) and exits without the interpreter's teardown, as
`caijue ingest` does. An idle spare is stopped with serve (Ctrl-C, SIGTERM); one killed mid-run is a crashed flow
run, as Prefect's own process would be.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pickle
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, NoReturn

import psutil

from flows.collector import freeze_survivors
from flows.limits import tree_resident_bytes
from flows.report import say
from flows.stopping import exit_without_teardown

# A spare that died while idle (killed from outside) is replaced after this long, not at once: a spare that
# cannot live (memory) would otherwise be begun again and again.
SPARE_RETRY_SECONDS = 30.0
STOP_GRACE_SECONDS = 5.0
READY = b"ready"
MIB = 1 << 20


@dataclass(frozen=True, slots=True)
class SpareReady:
    """What serve says of a spare once it is warm."""

    pid: int
    resident_mib: float  # the spare's and its children's (dbt child, reading children) RSS, summed


class SpareProcess:
    """A spare's process as the Runner uses Prefect's (a multiprocessing SpawnProcess): `pid`, `join`, `exitcode`.
    A subprocess.Popen, not a multiprocessing Process: Popen reaps under a lock, so the Runner's join and serve's
    own wait share one exit status, where a multiprocessing Process begun meanwhile reaps every finished one of
    them (its start's cleanup) and a join racing with it reads no exit code — a crash seen as a success."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self._popen = popen

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def exitcode(self) -> int | None:
        return self._popen.poll()

    def is_alive(self) -> bool:
        return self._popen.poll() is None

    def join(self, timeout: float | None = None) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout)

    def terminate(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self._popen.terminate()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self._popen.kill()


@dataclass(slots=True)
class Spare:
    """A spare begun, from serve's side."""

    process: SpareProcess
    runs: Connection  # serve → spare: the one flow run it executes
    ready: Connection  # spare → serve: READY once warm
    handed: bool = False  # it was given a flow run
    warm: threading.Event = field(default_factory=threading.Event)


class SpareKeeper:
    """Keeps one spare begun while no run is under way, and hands runs to it (`run_flow_in_subprocess`)."""

    def __init__(
        self,
        workers: int,
        warm_readers: bool,
        prefect_function: Callable[..., Any],
        on_ready: Callable[[SpareReady], None] | None = None,
        warehouse: Path | None = None,
    ) -> None:
        """`warm_readers`: warm a reading child per worker thread (not when a remote Dask cluster reads);
        `prefect_function`: Prefect's own `run_flow_in_subprocess`, for a run no spare can take; `warehouse`: the
        one the runs build (its dbt parse done ahead)."""
        self.workers, self.warm_readers, self.warehouse = max(1, workers), warm_readers, warehouse
        self._prefect_function, self._on_ready = prefect_function, on_ready
        self._lock = threading.Lock()
        self._spare: Spare | None = None
        self._runs_under_way = 0
        self._closed = False

    def begin(self) -> None:
        """Begin a spare, unless one is begun, a run is under way (it would share the cores with it: the spare
        is begun after it) or the keeper is closed."""
        with self._lock:
            if self._closed or self._spare is not None or self._runs_under_way:
                return
            try:
                self._spare = _begin_spare(self.workers, self.warm_readers, self.warehouse)
            except Exception as error:  # the runs go Prefect's own way: said, not fatal
                say(f"serve: no warm process for the next run ({type(error).__name__}: {error}): Prefect starts it")
                return
            spare = self._spare
        say(f"serve: a process for the next run warms up (pid {spare.process.pid})")
        threading.Thread(target=self._watch, args=(spare,), name="caijue-spare-watch", daemon=True).start()

    @property
    def spare(self) -> Spare | None:
        return self._spare

    def run_flow_in_subprocess(
        self,
        flow: Any,
        flow_run: Any = None,
        parameters: dict[str, Any] | None = None,
        wait_for: Any = None,
        context: dict[str, Any] | None = None,
        env: dict[str, str | None] | None = None,
    ) -> Any:
        """Prefect's `run_flow_in_subprocess` (same arguments, same contract: the started process is returned), run
        by the spare when one is alive, else by Prefect's function. Called on the Runner's event loop: nothing
        here waits for the spare (the run is sent from a thread)."""
        with self._lock:
            spare, self._spare = self._spare, None
            self._runs_under_way += 1
            if spare is not None and not spare.process.is_alive():
                spare = None
        name = getattr(flow_run, "name", "")
        if spare is None:
            say(f"serve: flow run {name} in a new process of Prefect's (no warm process waits)")
            try:
                process = self._prefect_function(
                    flow, flow_run=flow_run, parameters=parameters, wait_for=wait_for, context=context, env=env
                )
            except BaseException:
                self._run_ended()
                raise
            threading.Thread(target=self._await_exit, args=(process,), name="caijue-run-watch", daemon=True).start()
            return process
        message = flow_run_message(flow, flow_run, parameters, wait_for, context, env)
        spare.handed = True
        say(f"serve: flow run {name} handed to the warm process (pid {spare.process.pid})")
        threading.Thread(target=_send, args=(spare.runs, message), name="caijue-spare-hand", daemon=True).start()
        return spare.process

    def close(self) -> None:
        """No spare begun after this; an idle one stopped (one running a flow run is the Runner's, which stops
        its runs as serve stops)."""
        with self._lock:
            self._closed = True
            spare, self._spare = self._spare, None
        if spare is not None:
            stop_spare(spare)

    def _watch(self, spare: Spare) -> None:
        """Say when the spare is warm; once it has exited, begin the next (at once after a run; a spare that died
        idle, after SPARE_RETRY_SECONDS)."""
        with contextlib.suppress(EOFError, OSError):  # EOF: it exited before it was warm
            if spare.ready.recv_bytes() == READY:
                spare.warm.set()
                if self._on_ready is not None and not spare.handed:  # else a run took it while it warmed
                    self._on_ready(SpareReady(spare.process.pid, tree_resident_mib(spare.process.pid)))
        spare.process.join()
        spare.ready.close()
        if spare.handed:
            self._run_ended()
            return
        with self._lock:
            if self._spare is spare:
                self._spare = None
        retry = threading.Timer(SPARE_RETRY_SECONDS, self.begin)
        retry.daemon = True
        retry.start()

    def _await_exit(self, process: Any) -> None:
        wait([process.sentinel])  # not join: the Runner joins Prefect's process (two reapers of one process race)
        self._run_ended()

    def _run_ended(self) -> None:
        with self._lock:
            self._runs_under_way -= 1
        self.begin()


@contextlib.contextmanager
def warm_spares(
    workers: int,
    warm_readers: bool,
    on_ready: Callable[[SpareReady], None] | None = None,
    warehouse: Path | None = None,
) -> Iterator[SpareKeeper | None]:
    """For the block, the Runner's flow runs go to warm spares (a first one begun now); None, and Prefect's own way,
    when this Prefect has no such seam."""
    try:
        from prefect.runner import _starter_direct

        prefect_function = _starter_direct.run_flow_in_subprocess
        _prefect_internals()  # what the spare's call needs, importable here too
    except (ImportError, AttributeError):
        yield None
        return
    keeper = SpareKeeper(workers, warm_readers, prefect_function, on_ready, warehouse)
    _starter_direct.run_flow_in_subprocess = keeper.run_flow_in_subprocess  # type: ignore[assignment]
    try:
        keeper.begin()
        yield keeper
    finally:
        _starter_direct.run_flow_in_subprocess = prefect_function
        keeper.close()


def stop_spare(spare: Spare) -> None:
    """Stop an idle spare: SIGTERM, SIGKILL after STOP_GRACE_SECONDS. Its dbt child and reading children exit
    once it is gone (they watch their parent)."""
    spare.runs.close()
    process = spare.process
    if process.is_alive():
        process.terminate()
        process.join(STOP_GRACE_SECONDS)
    if process.is_alive():
        process.kill()
    process.join()


def tree_resident_mib(pid: int) -> float:
    """The resident memory of a process and its descendants, summed (0 for one that is gone)."""
    try:
        return tree_resident_bytes(psutil.Process(pid)) / MIB
    except psutil.Error:
        return 0.0


# --- serve's side of a hand-over: the flow run as Prefect's own child would be given it --------------------------


def flow_run_message(
    flow: Any,
    flow_run: Any,
    parameters: dict[str, Any] | None,
    wait_for: Any,
    context: dict[str, Any] | None,
    env: dict[str, str | None] | None,
) -> bytes:
    """What Prefect's `run_flow_in_subprocess` gives its child, for the spare: the environment (Prefect's settings,
    this process's environment, the Runner's `env`) less the control channel's one-shot keys, which go apart to be
    set before the call is unpickled; the keys to remove; the flow, the flow run and the serialized context."""
    from prefect.context import serialize_context
    from prefect.settings.context import get_current_settings
    from prefect.utilities.callables import cloudpickle_wrapped_call

    control_keys, runtime_env, sanitize = _prefect_internals()[:3]
    merged: dict[str, str | None] = (
        get_current_settings().to_environment_variables(exclude_unset=True)
        | os.environ
        | {"PREFECT__ENABLE_CANCELLATION_AND_CRASHED_HOOKS": "false"}
        | (env or {})
    )
    sanitized = sanitize(merged)
    call = {
        "env": runtime_env(sanitized),
        "remove_env": {key for key, value in merged.items() if value is None},
        "flow": flow,
        "flow_run": flow_run,
        "parameters": parameters,
        "wait_for": wait_for,
        "context": context or serialize_context(),
    }
    startup_env = {key: value for key, value in sanitized.items() if key in control_keys}
    # Prefect's own serialization of a call (cloudpickle: the flow may be defined anywhere); plain pickle reads it.
    payload = cloudpickle_wrapped_call(run_flow_with_env, **call).args[0]  # type: ignore[attr-defined]
    return pickle.dumps((startup_env, payload))


def _prefect_internals() -> tuple[Any, ...]:
    """The parts of Prefect's `run_flow_in_subprocess` a hand-over repeats (private in 3.9: ImportError or
    AttributeError in a Prefect without them, and serve runs without spares)."""
    from prefect import flow_engine
    from prefect._internal.control_listener import configure_from_env
    from prefect.utilities.processutils import sanitize_subprocess_env

    return (
        flow_engine._CONTROL_CHANNEL_ENV_KEYS,
        flow_engine._runtime_subprocess_env,
        sanitize_subprocess_env,
        configure_from_env,
    )


def _send(connection: Connection, message: bytes) -> None:
    with contextlib.suppress(OSError):  # the spare died meanwhile: its exit code marks the run crashed
        connection.send_bytes(message)


# The spare's start, as multiprocessing's spawn starts Prefect's process: a fresh interpreter given this process's
# import path (a test's or an installed caijue's modules, wherever they were found).
SPARE_BOOT = (
    "import sys, json; sys.path[:] = json.loads(sys.argv[1]); from flows.warm_spare import boot; boot(sys.argv)"
)


def _begin_spare(workers: int, warm_readers: bool, warehouse: Path | None) -> Spare:
    runs_in, runs_out = os.pipe()
    ready_in, ready_out = os.pipe()
    arguments = [json.dumps(sys.path), str(runs_in), str(ready_out), str(workers), str(int(warm_readers))]
    try:
        popen = subprocess.Popen(
            [sys.executable, "-c", SPARE_BOOT, *arguments, str(warehouse or ""), "caijue-warm-spare"],
            pass_fds=(runs_in, ready_out),
        )
    except BaseException:
        for descriptor in (runs_in, runs_out, ready_in, ready_out):
            os.close(descriptor)
        raise
    os.close(runs_in)  # the spare's ends: serve holds only its own, so each side sees the other go (EOF)
    os.close(ready_out)
    return Spare(SpareProcess(popen), Connection(runs_out, readable=False), Connection(ready_in, writable=False))


# --- the spare's side ------------------------------------------------------------------------------------------


def boot(argv: list[str]) -> NoReturn:
    """The spare's entry point (SPARE_BOOT): its ends of the pipes, its workers, whether it warms reading children,
    the warehouse its run builds."""
    runs, ready = Connection(int(argv[2]), writable=False), Connection(int(argv[3]), readable=False)
    spare_main(runs, ready, int(argv[4]), argv[5] == "1", Path(argv[6]) if argv[6] else None)


def spare_main(
    runs: Connection, ready: Connection, workers: int, warm_readers: bool, warehouse: Path | None
) -> NoReturn:
    """The spare: warm up, say so, wait for the flow run, execute it, exit. A spare let go unused (serve stops:
    EOF, Ctrl-C) exits at once, quietly."""
    try:
        try:
            warm(workers, warm_readers, warehouse)
        except Exception:  # the run does it again, and fails there as it would cold: not a spare begun every 30 s
            traceback.print_exc()
        ready.send_bytes(READY)
        startup_env, payload = pickle.loads(runs.recv_bytes())
    except (KeyboardInterrupt, EOFError, OSError):
        _exit_now(0)
    _exit_now(execute(startup_env, payload))


def warm(workers: int, warm_readers: bool, warehouse: Path | None) -> None:
    """What a run of the ingest flow into `warehouse` imports and starts, done ahead: Prefect's engine and the flow,
    GX on a thread and the dbt child begun (flows/warmup.py import_in_background), the project parsed in the dbt
    child for the run's working copy (what the run asks as it begins: flows/ingest.py; the parse reads the project,
    not the warehouse), `workers` warm reading children with the extraction specs read, the gate built with its marts'
    suites. A part that fails is let be: the run does it again and says what is wrong."""
    import prefect.flow_engine  # noqa: F401

    import flows.ingest  # noqa: F401  (the flow: Prefect's task engine, DuckDB, the stages)
    from flows import dbt_child
    from flows.publish import working_path
    from flows.server import FLOW_RUN_MODULES
    from flows.warmup import LATER_STAGE_MODULES, import_in_background, warm_up

    later_imports = import_in_background((*LATER_STAGE_MODULES, *FLOW_RUN_MODULES))
    if warehouse is not None:
        dbt_child.parse_for(working_path(warehouse), warehouse.parent / ".dbt")
    if warm_readers:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for started in [pool.submit(warm_up) for _ in range(workers)]:
                with contextlib.suppress(Exception):
                    started.result()
    later_imports.join()
    with contextlib.suppress(Exception):
        from expectations.gate import default_gate

        default_gate().prepare_marts()  # its GX context, suites and Checkpoint (~0.15 s), the marts' (~0.2 s)
    dbt_child.settle()  # warm means idle: the dbt child's preparation and parse done before a run can come
    freeze_survivors()  # the gate and all that was imported, out of the run's collections (flows/collector.py)


def execute(startup_env: dict[str, str], payload: bytes) -> int:
    """The flow run, as Prefect's child runs it (prefect.flow_engine `run_flow_in_subprocess`'s `run_flow_with_env`);
    the exit code Prefect's child would have."""
    os.environ.update(startup_env)
    configure_from_env = _prefect_internals()[3]
    configure_from_env()  # the control channel's one-shot keys, consumed before anything else sees them
    function, args, kwargs = pickle.loads(payload)
    try:
        function(*args, **kwargs)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def run_flow_with_env(
    flow: Any,
    flow_run: Any,
    parameters: dict[str, Any] | None,
    wait_for: Any,
    context: dict[str, Any] | None,
    env: dict[str, str],
    remove_env: set[str],
) -> None:
    """Prefect's `run_flow_with_env` (prefect.flow_engine, inside `run_flow_in_subprocess`): the run's environment,
    a settings context made from it, the engine's signal handling (it exits 0 or 1 as Prefect's child does)."""
    from prefect.context import SettingsContext, get_settings_context
    from prefect.engine import handle_engine_signals
    from prefect.flow_engine import run_flow
    from prefect.settings.models.root import Settings

    for key in remove_env:
        os.environ.pop(key, None)
    os.environ.update(env)
    settings_context = get_settings_context()
    with (
        SettingsContext(profile=settings_context.profile, settings=Settings()),
        handle_engine_signals(getattr(flow_run, "id", None)),
    ):
        maybe_coroutine = run_flow(
            flow=flow, flow_run=flow_run, parameters=parameters, wait_for=wait_for, context=context
        )
        if asyncio.iscoroutine(maybe_coroutine):
            asyncio.run(maybe_coroutine)


def _exit_now(code: int) -> NoReturn:
    """End the spare without the interpreter's teardown (flows/stopping.py exit_without_teardown), its dbt child and
    reading children stopped first (the exit handlers then send the run's last logs and events)."""
    with contextlib.suppress(Exception):
        if "flows.dbt_child" in sys.modules:
            from flows.dbt_child import end_dbt_child

            end_dbt_child()
        if "flows.timeout" in sys.modules:
            from flows.timeout import stop_idle_children

            stop_idle_children()
    exit_without_teardown(code)
