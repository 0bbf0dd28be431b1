"""Ctrl-C or SIGTERM during a run: stop within seconds, with one line, publishing nothing.

A run's work lives in processes it started (the Prefect server, the reading children; on a remote
Dask cluster, the children of its workers) and in a working copy of the warehouse; the published
file changes only by an atomic rename at the very end (flows/publish.py). Letting Python unwind on
KeyboardInterrupt instead takes over a minute (Prefect's engine, Dask's shutdown, retries of the
interrupted tasks) and every process prints its own traceback. So the first signal: kill every
process this one started, delete the working copy this run was building, print one line and exit
130. A run stopped at any point leaves the published warehouse as it was, whole; the next run
extracts again whatever this one had not published. Just before the kill, with the run's processes frozen but
its Prefect server, the run's flow run and its unfinished task runs are marked Cancelled (`recorded_on_stop`,
flows/stages.py), so its page does not show it running for ever.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    import psutil

STOPPED = "caijue: stopped — nothing was published; the next run starts again"
STOPPED_REASON = "stopped by Ctrl-C or SIGTERM: nothing was published"  # on the run's Prefect page
EXIT_STOPPED = 128 + signal.SIGINT  # what a shell reports for a command stopped by Ctrl-C
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

_building: list[Path] = []  # the working copy this process is building now, if any
_stopping: list[Callable[[int, FrameType | None], None]] = []  # stop_cleanly's handler, while its block runs
_on_stop: list[Callable[[], None]] = []  # what must be recorded before the run's processes are killed
# The most a stop waits for them: it must not hang on a server that is gone. The flow run's state is recorded
# first; its task runs' take two passes of about a second each, more on a loaded machine (CI: over 3 s).
STOP_RECORD_SECONDS = 5.0
_recording_to: list[int] = []  # the run's own Prefect server, which takes the record: frozen last


def recording_to(pid: int) -> None:
    """The process `pid` (the run's own Prefect server) takes a stop's record: a stop freezes every other process
    this one started before it records (their CPU is the record's: CI's loaded machine once took over 5 s), this
    one and its children after, until `recorded_elsewhere(pid)`."""
    _recording_to.append(pid)


def recorded_elsewhere(pid: int) -> None:
    if pid in _recording_to:
        _recording_to.remove(pid)


def building(work: Path) -> None:
    """`work` is the working copy being built: a stop deletes it (and its WAL) until `built(work)`."""
    _building.append(work)


def built(work: Path) -> None:
    if work in _building:
        _building.remove(work)


@contextmanager
def recorded_on_stop(record: Callable[[], None]) -> Iterator[None]:
    """For the block: a stop calls `record()` (on a thread, for at most STOP_RECORD_SECONDS) before it kills
    the run's processes, among them a temporary Prefect server (a flow run marked Cancelled: flows/stages.py)."""
    _on_stop.append(record)
    try:
        yield
    finally:
        _on_stop.remove(record)


def _record_stop() -> None:
    def record_all() -> None:
        for record in list(_on_stop):
            with suppress(Exception):  # a stop never fails: the record is a courtesy to the run's page
                record()

    if _on_stop:
        recording = threading.Thread(target=record_all, daemon=True)
        recording.start()
        recording.join(STOP_RECORD_SECONDS)


@contextmanager
def stop_cleanly(exit_process: Callable[[int], None] = os._exit) -> Iterator[None]:
    """For the block (a run, in the main thread): SIGINT or SIGTERM kills the run's processes, deletes
    its working copy, prints STOPPED and exits the process at once."""

    def stop(signum: int, frame: FrameType | None) -> None:
        for number in STOP_SIGNALS:  # a second Ctrl-C while stopping changes nothing
            signal.signal(number, signal.SIG_IGN)
        freeze_descendants(sparing=_recording_to)
        _record_stop()
        kill_descendants()
        for work in list(_building):
            for path in (work, work.with_name(work.name + ".wal")):
                path.unlink(missing_ok=True)
        print(STOPPED, file=sys.stderr, flush=True)
        sys.stdout.flush()
        exit_process(EXIT_STOPPED)

    previous = {number: signal.signal(number, stop) for number in STOP_SIGNALS}
    _stopping.append(stop)
    try:
        yield
    finally:
        _stopping.remove(stop)
        for number, handler in previous.items():
            signal.signal(number, handler)


def reclaim_stop_signals() -> None:
    """In a flow run, Prefect's engine puts its own SIGTERM handler in place of `stop_cleanly`'s: it raises
    into the flow, records the run Crashed and unwinds (seconds, with tracebacks) before handing the signal
    on. Within `stop_cleanly` (the CLI), put the stop back for the flow run; Prefect restores it when the
    run ends. Elsewhere (a `caijue serve` run, whose runner cancels it by SIGTERM) Prefect keeps its own."""
    if _stopping and threading.current_thread() is threading.main_thread():
        for number in STOP_SIGNALS:
            signal.signal(number, _stopping[-1])


def freeze_descendants(sparing: Collection[int] = ()) -> list[psutil.Process]:
    """SIGSTOP every process this one started, and theirs, but the processes `sparing` names and their children;
    returns them. A parent frozen with its child cannot start another."""
    import psutil  # Dask's own dependency: its nannies use it to watch their workers

    spared = set(sparing)
    descendants = []
    for process in psutil.Process().children(recursive=True):
        with suppress(psutil.NoSuchProcess):
            if spared.isdisjoint([process.pid, *(parent.pid for parent in process.parents())]):
                process.suspend()
                descendants.append(process)
    return descendants


def kill_descendants() -> int:
    """SIGKILL every process this one started, and theirs; returns how many. Nothing they hold is
    worth saving (the run publishes nothing) and a killed process prints nothing."""
    import psutil

    descendants = freeze_descendants()
    for process in descendants:  # SIGKILL cannot be caught: no need to wait (this process's other
        with suppress(psutil.NoSuchProcess):  # threads would notice the deaths and start replacements)
            process.kill()
    return len(descendants)


def exit_without_teardown(code: int) -> NoReturn:
    """End the process now, without the interpreter's teardown: after a run it would take 3–5 s to take apart
    the modules a run imports (Prefect, Great Expectations, dbt, pandas) and collect their objects, with nothing
    left to do — the warehouse published (and fsynced) or left as it was, every file closed, the run's logs and
    events delivered to Prefect's API (flows/server.py deliver_pending), its server and reading children stopped.
    The exit handlers run first, as at any exit (logging's flush, multiprocessing's: a semaphore dbt made is
    released, else its resource tracker warns of a leak; measured: a few milliseconds), then what was printed
    is flushed (an output already closed, its reader gone, is no reason not to exit)."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()
    os._exit(code)
