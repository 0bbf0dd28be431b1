"""Errors a user can cause are one line and a non-zero exit (flows/errors.py); Ctrl-C or SIGTERM during a
run stops it at once with one line, publishing nothing (flows/stopping.py). Every bad input is made here,
in tmp_path."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import psutil
import pytest

from flows.cli import main
from flows.errors import UserError
from flows.publish import working_path
from flows.settings import REPOSITORY
from flows.stopping import EXIT_STOPPED, STOPPED


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str], *expected: str) -> str:
    """Run the CLI; it must exit non-zero with exactly one `caijue: … — …` line on stderr and no traceback."""
    code = main(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code != 0, err
    assert len(lines) == 1, err
    assert lines[0].startswith("caijue: ") and " — " in lines[0], lines[0]
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def test_a_warehouse_path_that_is_a_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path, inbox: Path) -> None:
    one_line_error(capsys, ["ingest", str(inbox), "--warehouse", str(tmp_path)], "is a folder")
    one_line_error(capsys, ["report", "abcdef", "--warehouse", str(tmp_path)], "is a folder")


def test_a_read_only_warehouse_file_or_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path, inbox: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    warehouse.chmod(0o444)
    one_line_error(capsys, ["ingest", str(inbox), "--warehouse", str(warehouse)], "read-only", str(warehouse))
    warehouse.chmod(0o644)
    locked_folder = tmp_path / "locked"
    locked_folder.mkdir()
    locked_folder.chmod(0o555)
    try:
        argv = ["ingest", str(inbox), "--warehouse", str(locked_folder / "new" / "warehouse.duckdb")]
        one_line_error(capsys, argv, "read-only", str(locked_folder))
    finally:
        locked_folder.chmod(0o755)


def test_a_corrupt_warehouse_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, inbox: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(os.urandom(64 * 1024))
    one_line_error(capsys, ["ingest", str(inbox), "--warehouse", str(warehouse)], "not a DuckDB database")
    one_line_error(capsys, ["report", "abcdef", "--warehouse", str(warehouse)], "not a DuckDB database")
    one_line_error(capsys, ["departments", "--warehouse", str(warehouse)], "not a DuckDB database")


def test_a_fifo_or_a_missing_path_as_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    fifo = tmp_path / "report.pdf"
    os.mkfifo(fifo)
    warehouse = str(tmp_path / "warehouse.duckdb")
    one_line_error(capsys, ["ingest", str(fifo), "--warehouse", warehouse], "not a regular file", str(fifo))
    one_line_error(capsys, ["survey", str(fifo)], "not a regular file")
    missing = tmp_path / "nowhere"
    one_line_error(capsys, ["ingest", str(missing), "--warehouse", warehouse], "no such file or folder", str(missing))
    one_line_error(capsys, ["survey", str(missing)], "no such file or folder")
    link = tmp_path / "gone.pdf"
    link.symlink_to(tmp_path / "deleted.pdf")
    one_line_error(capsys, ["ingest", str(link), "--warehouse", warehouse], "broken link")


def test_a_warehouse_locked_by_another_process(capsys: pytest.CaptureFixture[str], tmp_path: Path, inbox: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    hold = f"import duckdb, sys; c = duckdb.connect({str(warehouse)!r}); print('held', flush=True); sys.stdin.read()"
    holder = subprocess.Popen([sys.executable, "-c", hold], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        one_line_error(
            capsys, ["ingest", str(inbox), "--warehouse", str(warehouse)], "open for writing in another process"
        )
        one_line_error(capsys, ["report", "abcdef", "--warehouse", str(warehouse)], "open for writing")
    finally:
        holder.communicate("")


def test_debug_shows_the_traceback_instead(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file or folder"):
        main(["--debug", "survey", str(tmp_path / "nowhere")])
    corrupt = tmp_path / "warehouse.duckdb"
    corrupt.write_bytes(os.urandom(4096))
    with pytest.raises(duckdb.Error, match="not a valid DuckDB database"):
        main(["--debug", "report", "abcdef", "--warehouse", str(corrupt)])


# --- stopping a run ------------------------------------------------------------------------------------


@dataclass
class StoppedRun:
    seconds: float  # from the signal to the process's exit
    code: int
    output: str  # stdout and stderr
    published_before: bytes
    published_after: bytes
    working_copy_left: bool
    processes_left: list[str]
    flow_run_state: str  # on the run's Prefect page
    task_runs_unfinished: list[str]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from samples import generate_corpus

    folder = tmp_path_factory.mktemp("stop-corpus")
    generate_corpus(folder, departments=3, years=(2024,))
    return sorted(folder.glob("*.pdf"))


def stop_a_run(inbox: list[Path] | Path, warehouse: Path, api_url: str, signum: int, whole_group: bool) -> StoppedRun:
    """`python -m flows.cli ingest`, signalled once extraction has started (as Ctrl-C signals the
    terminal's whole process group, or as `kill` signals the process alone)."""
    before = warehouse.read_bytes()
    since = datetime.now(UTC)
    inputs = [str(p) for p in inbox] if isinstance(inbox, list) else [str(inbox)]
    command = [sys.executable, "-m", "flows.cli", "ingest", *inputs, "--warehouse", str(warehouse), "--workers", "2"]
    run = subprocess.Popen(
        command,
        cwd=REPOSITORY,
        env={**os.environ, "PREFECT_API_URL": api_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert run.stdout is not None
    seen = []
    for line in run.stdout:
        seen.append(line)
        if "extract" in line:
            break
    time.sleep(1.0)  # the documents are being read
    started = psutil.Process(run.pid).children(recursive=True)
    clock = time.perf_counter()
    (os.killpg if whole_group else os.kill)(run.pid, signum)
    try:
        rest, _ = run.communicate(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    seconds = time.perf_counter() - clock
    time.sleep(0.5)
    left = [p.name() for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    from tests.prefect_pages import flow_runs_into, run_page  # imports Prefect: only for a run

    (flow_run,) = [r for r in flow_runs_into(warehouse) if r.created is not None and r.created >= since]
    page = run_page(flow_run)
    unfinished = [t.name for t in page.task_runs if t.state_type is None or t.state_type.value not in FINAL_STATES]
    return StoppedRun(
        seconds,
        run.returncode,
        "".join(seen) + rest,
        before,
        warehouse.read_bytes(),
        working_path(warehouse).exists(),
        left,
        page.flow_run.state_type.value if page.flow_run.state_type else "none",
        unfinished,
    )


FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published warehouse file (DuckDB, empty) the stopped runs must leave as it is."""
    path = tmp_path_factory.mktemp("stop-warehouse") / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    return path


@pytest.fixture(scope="module")
def interrupted(corpus: list[Path], warehouse: Path, prefect_harness: str) -> StoppedRun:
    """Ctrl-C (SIGINT to the process group) during extraction on a local Dask cluster (4+ documents)."""
    return stop_a_run(corpus[0].parent, warehouse, prefect_harness, signal.SIGINT, whole_group=True)


@pytest.fixture(scope="module")
def published_after_stops(
    interrupted: StoppedRun, terminated: StoppedRun, corpus: list[Path], warehouse: Path, prefect_harness: str
) -> Path:
    """The next run, after both stopped ones: it must complete and publish."""
    from flows.ingest import run_ingest

    summary = run_ingest(corpus[:1], warehouse, workers=1)
    assert summary.published and summary.counts()["loaded"] == 1
    return warehouse


@pytest.fixture(scope="module")
def terminated(interrupted: StoppedRun, corpus: list[Path], warehouse: Path, prefect_harness: str) -> StoppedRun:
    """SIGTERM to the run's process alone, during extraction in its own process (fewer than 4 documents)."""
    return stop_a_run(corpus[:2], warehouse, prefect_harness, signal.SIGTERM, whole_group=False)


@pytest.mark.parametrize("stop", ["interrupted", "terminated"])
def test_a_stopped_run_stops_at_once_with_one_line_and_publishes_nothing(
    stop: str, request: pytest.FixtureRequest
) -> None:
    stopped: StoppedRun = request.getfixturevalue(stop)
    assert stopped.seconds < 10, stopped
    assert stopped.code == EXIT_STOPPED, stopped.output
    assert "Traceback" not in stopped.output, stopped.output
    assert stopped.output.strip().splitlines()[-1] == STOPPED, stopped.output
    assert stopped.published_after == stopped.published_before
    assert not stopped.working_copy_left
    assert stopped.processes_left == []
    # Its Prefect page shows it stopped, not running for ever (read back through Prefect's client).
    assert stopped.flow_run_state in {"CANCELLED", "CRASHED"}, stopped
    assert stopped.task_runs_unfinished == [], stopped


def test_the_next_run_after_a_stop_completes(published_after_stops: Path) -> None:
    with duckdb.connect(str(published_after_stops), read_only=True) as con:
        documents = con.execute("select count(*) from marts.dim_document").fetchone()
    assert documents == (1,)


def test_an_unknown_department_is_one_line(
    capsys: pytest.CaptureFixture[str], published_after_stops: Path, tmp_path: Path
) -> None:
    argv = ["report", "没有这个部门", "--warehouse", str(published_after_stops), "--out", str(tmp_path)]
    one_line_error(capsys, argv, "没有这个部门", "caijue departments")
    assert not list(tmp_path.iterdir())


def test_a_stop_while_building_deletes_the_working_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import flows.stopping

    work = tmp_path / ".caijue-building" / "warehouse.duckdb"
    work.parent.mkdir()
    work.write_bytes(b"half a build")
    work.with_name(work.name + ".wal").write_bytes(b"its log")
    killed: list[bool] = []
    monkeypatch.setattr(flows.stopping, "kill_descendants", lambda: killed.append(True) or 0)

    def exit_process(code: int) -> None:
        raise SystemExit(code)

    before = signal.getsignal(signal.SIGTERM)
    flows.stopping.building(work)
    try:
        with pytest.raises(SystemExit) as stopped, flows.stopping.stop_cleanly(exit_process):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler runs at once
    finally:
        flows.stopping.built(work)
    assert stopped.value.code == EXIT_STOPPED and killed == [True]
    assert not work.exists() and not work.with_name(work.name + ".wal").exists()
    assert capsys.readouterr().err.strip() == STOPPED
    assert signal.getsignal(signal.SIGTERM) == before


A_STOPPED_RUN = """
import os, signal, subprocess, time
import psutil
from flows.stopping import recorded_on_stop, recording_to, stop_cleanly

reader = subprocess.Popen(["sleep", "60"])
server = subprocess.Popen(["sh", "-c", "sleep 60 & wait"])  # a server and its own child
recording_to(server.pid)
while not psutil.Process(server.pid).children():  # its child started (a loaded machine: not at once)
    time.sleep(0.05)
ours = [reader, server]

def record():
    processes = [psutil.Process(p.pid) for p in ours] + psutil.Process(server.pid).children()
    print(" ".join(p.status() for p in processes), flush=True)

with recorded_on_stop(record), stop_cleanly():
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(10)
"""


def test_a_stop_freezes_the_runs_processes_but_its_server_before_it_records_then_kills_them_all() -> None:
    """The record (the run's page marked Cancelled) waits on no CPU the reading children are using, and goes to the
    run's own Prefect server, which with its children is still running then; after it, nothing is left."""
    before = {p.pid for p in psutil.process_iter()}
    stopped = subprocess.run(
        [sys.executable, "-c", A_STOPPED_RUN], cwd=REPOSITORY, capture_output=True, text=True, timeout=60
    )
    assert stopped.returncode == EXIT_STOPPED, stopped.stderr
    assert stopped.stdout.split() == [psutil.STATUS_STOPPED, psutil.STATUS_SLEEPING, psutil.STATUS_SLEEPING]
    assert stopped.stderr.strip() == STOPPED
    time.sleep(0.5)
    left = [p for p in psutil.process_iter(["name"]) if p.pid not in before and p.info["name"] == "sleep"]
    assert [p for p in left if p.status() != psutil.STATUS_ZOMBIE] == []
