"""`caijue bench`: the whole ingest timed stage by stage on generated departments (and any folder of real
PDFs), with the naive baseline on the same files in the same run.

Every run is the real command line (`caijue ingest`) in a child process, so its figures include what a
person waits for: interpreter start and imports, the run's Prefect server and reading children, extraction and
the gate, load, dbt, the mart checks and the publish. The stage seconds come from the run itself (its
summary, written by `caijue ingest --summary-json`); the peak memory is that of the whole process tree
(the bench, the run, its server, workers and their children), sampled every 0.1 s from a thread here, as is the
CPU time each of those processes used, summed by what it is (the run's process, its reading children, its dbt
child, its Prefect server: `process_role`): where a run's cores went, beside what its stages waited for.

Side by side on the same files, one process per core:
- naive: pdfplumber's `extract_tables()` on every page, what a one-off script would do;
- bare: caijue's own extraction and gate, without Prefect, Dask, load or dbt — what the run's document
  stage could reach at best, and the yardstick of the whole run (issue 13, acceptance 2).

And on each `--add` folder's files alone, extraction beside the naive baseline in this process, on one core
(flows/reading_speed.py states the method; benchmarks/page_readers.py uses it too): issue 13, acceptance 1.

With `--served`, the then-new and then-changed runs go through a `caijue serve` of the bench's inbox and warehouse
(the nightly path: its server up, its next run's process warm, flows/warm_spare.py) instead of `caijue ingest`:
once serve says its warm process waits, the files are placed and a run is triggered through Prefect's API
(`create_flow_run` of the deployment), then its state is read every 0.1 s until it is final. A run is timed from
the trigger to Completed (as seen here) and from Running to Completed (the server's start and end times); its
stages from the summary the flow records (its "caijue-run-summary" artifact, 0.1 s apart), "picked up" from the
trigger to Running (the Runner's poll, its hand-over, the flow run's set-up); the peak memory is that of the tree
(serve, its server, the run's process and its children), as is the idle memory before the trigger.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil

from extract.page_count import page_count as pdf_page_count
from flows.errors import UserError
from flows.limits import process_tree, tree_resident_bytes
from flows.reading_speed import DEFAULT_REPEAT, format_side_by_side, naive_reading, side_by_side
from flows.report import say
from flows.server import free_port
from flows.settings import REPOSITORY
from flows.timeout import DBT, READER

YEARS = (2023, 2024)  # each department: a budget and a final account per year
DOCUMENTS_PER_DEPARTMENT = 2 * len(YEARS)
REPUBLISHED = b"\n%% re-published by caijue bench: %d\n"
DOCUMENT_STAGES = ("extract", "gate")  # the run's stages that read and judge the documents
BARE = "bare extraction + gate"  # the yardstick pool: caijue's reading alone, one process per core
WHOLE_OVER_BARE = f"whole run over {BARE}"
BARE_CPU = f"{BARE}, CPU seconds"


@dataclass(slots=True)
class RunFigures:
    """One `caijue ingest` of the bench."""

    name: str
    documents: int  # the files this run had to read (new or changed)
    pages: int
    wall_seconds: float
    peak_rss_mib: float
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # by process role (ProcessTreeUse)
    stages: dict[str, float] = field(default_factory=dict)  # as the run timed them, plus "other"
    counts: dict[str, Any] = field(default_factory=dict)  # the run's summary (loaded, unchanged, ...)

    @property
    def extraction_seconds(self) -> float:
        """The document stages: extract (mapped over the reading processes), then the gate's one Checkpoint."""
        return sum(self.stages.get(stage, 0.0) for stage in DOCUMENT_STAGES)


@dataclass(slots=True)
class PoolFigures:
    """A plain process pool over the same files: the naive baseline, or caijue's bare extraction."""

    name: str
    documents: int
    pages: int
    wall_seconds: float
    peak_rss_mib: float
    processes: int
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # by process role (ProcessTreeUse)


# --- the corpus ---------------------------------------------------------------------------------------


def generated_documents(folder: Path, departments: int) -> list[Path]:
    """`departments` generated departments' budgets and final accounts (2023, 2024) in `folder`, generated
    once: the same departments always give byte-identical files, so a folder already holding them is reused.
    The first N departments of a larger corpus are the N departments of a smaller one."""
    from samples import plan_corpus
    from samples.corpus import write_document
    from samples.layouts import load_layouts

    planned = plan_corpus(departments, YEARS, seed=20240101, allowed=set(load_layouts()))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for document in planned:
        path = folder / f"{document.stem}.pdf"
        if not path.exists():
            path = write_document(folder, document)
        paths.append(path)
    return paths


def real_documents(folders: Sequence[Path]) -> list[Path]:
    """Every PDF under the given folders (recursively), in a stable order."""
    found: list[Path] = []
    for folder in folders:
        if not folder.is_dir():
            raise UserError(f"--add {folder}: not a folder", "give a folder of PDF files")
        pdfs = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
        if not pdfs:
            raise UserError(f"--add {folder}: no PDF files in it", "give a folder of PDF files")
        found += pdfs
    return found


def page_count(path: Path) -> int:
    """The file's pages (0 when PDFium cannot open it)."""
    return pdf_page_count(path.read_bytes()) or 0


def fill_inbox(inbox: Path, files: Sequence[Path]) -> list[Path]:
    """Hard links (copies across file systems) of `files` in `inbox`, named apart; returns them."""
    inbox.mkdir(parents=True, exist_ok=True)
    placed = []
    for index, source in enumerate(files):
        target = inbox / f"{index:05d}-{source.name}"
        if not target.exists():
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
        placed.append(target)
    return placed


def republish(inbox: Path, originals: Sequence[Path], mark: int) -> list[Path]:
    """New versions of already loaded reports: the same bytes with a comment after them (a publisher's
    re-upload): a new document that supersedes the old one in the marts."""
    inbox.mkdir(parents=True, exist_ok=True)
    changed = []
    for original in originals:
        target = inbox / f"republished-{mark}-{original.name}"
        target.write_bytes(original.read_bytes() + REPUBLISHED % mark)
        changed.append(target)
    return changed


# --- memory and CPU of the process tree -------------------------------------------------------------------


class ProcessTreeUse:
    """Over a block: the largest sum of resident memory of this process and all its descendants, and the CPU time
    (user + system) each process used meanwhile, by what it is (`process_role`), both sampled from a thread every
    `interval` seconds. The tree is listed again every `rescan` seconds only: listing it reads every process of the
    machine (~2.5 ms), reading those of the tree ~0.2 ms each: listed at every sample, the sampling of a tree of 7
    processes took 5.4 % of a core from the run it measured, 2.8 % so. A process already running when the block
    begins counts what it used after; one that ends counts what it had used at the last sample before (at most
    `interval` lost); one that lives less than `rescan` seconds may go unseen."""

    def __init__(self, interval: float = 0.1, rescan: float = 0.5) -> None:
        self.interval, self.rescan = interval, rescan
        self.peak_bytes = 0
        self._cpu: dict[tuple[int, float], tuple[str, float]] = {}  # (pid, its start): (role, CPU seconds)
        self._before: dict[tuple[int, float], float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="caijue-bench-tree", daemon=True)

    def __enter__(self) -> ProcessTreeUse:
        me = psutil.Process()
        self._read(me, process_tree(me), into=self._before)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20

    @property
    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds used in the block by role, largest first."""
        by_role: dict[str, float] = {}
        for key, (role, seconds) in self._cpu.items():
            by_role[role] = by_role.get(role, 0.0) + max(0.0, seconds - self._before.get(key, 0.0))
        return dict(sorted(by_role.items(), key=lambda item: -item[1]))

    def _sample(self) -> None:
        me = psutil.Process()
        listed = float("-inf")
        while True:
            if time.monotonic() - listed >= self.rescan:
                tree, listed = process_tree(me), time.monotonic()
            self.peak_bytes = max(self.peak_bytes, self._read(me, tree, into=None))
            if self._stop.wait(self.interval):
                self._read(me, process_tree(me), into=None)
                return

    def _read(
        self, root: psutil.Process, tree: list[psutil.Process], into: dict[tuple[int, float], float] | None
    ) -> int:
        """The tree's resident bytes; each process's CPU so far recorded (in `into`, or as the block's)."""
        total = 0
        for process in tree:
            try:
                with process.oneshot():
                    key, times = (process.pid, process.create_time()), process.cpu_times()
                    total += process.memory_info().rss
                    seconds = times.user + times.system
                    if into is not None:
                        into[key] = seconds
                    else:
                        role = self._cpu[key][0] if key in self._cpu else process_role(process, root)
                        self._cpu[key] = (role, seconds)
            except psutil.Error:  # ended since it was listed
                continue
        return total


def process_role(process: psutil.Process, bench: psutil.Process) -> str:
    """What a process of the bench's tree is: a run's children by their names (flows/timeout.py READER and
    DBT: the last word of their command lines, their process names once they run), the others
    by their command lines."""
    if process.pid == bench.pid:
        return "bench (this process)"
    arguments = process.cmdline()
    command, named = " ".join(arguments), {READER: "reading children", DBT: "dbt child"}
    for name in (process.name(), arguments[-1] if arguments else ""):  # named from their first line on
        if name in named:
            return named[name]
    if "prefect" in command and "server start" in command:
        return "Prefect server"
    if "flows.cli ingest" in command or "flows.warm_spare" in command:
        return "run process"
    if "flows.cli serve" in command:
        return "serve"
    if command == " ".join(bench.cmdline()):
        return "pool processes"  # forked by the bench: its side-by-side pools
    return "other"


# --- the runs ---------------------------------------------------------------------------------------------


def timed_ingest(name: str, inbox: Path, warehouse: Path, workers: int, documents: Sequence[Path]) -> RunFigures:
    """`caijue ingest inbox` in a child process; its stage timings from its summary."""
    summary_file = warehouse.parent / f"summary-{name}.json"
    command = [
        sys.executable,
        "-m",
        "flows.cli",
        "ingest",
        str(inbox),
        "--warehouse",
        str(warehouse),
        "--workers",
        str(workers),
        "--summary-json",
        str(summary_file),
    ]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPOSITORY), os.environ.get("PYTHONPATH", "")])}
    say(f"bench: {name} run: caijue ingest of {len(documents)} documents to read")
    log = warehouse.parent / f"ingest-{name}.log"
    with ProcessTreeUse() as memory, log.open("w") as output:
        started = time.perf_counter()
        done = subprocess.run(command, stdout=output, stderr=subprocess.STDOUT, env=environment, check=False)
        wall = time.perf_counter() - started
    if done.returncode != 0 or not summary_file.exists():
        print(log.read_text(errors="replace")[-2000:], file=sys.stderr)
        raise UserError(f"bench: the {name} run failed (exit {done.returncode})", f"its whole output is in {log}")
    summary = json.loads(summary_file.read_text())
    stages = dict(summary.pop("timings"))
    stages["other"] = max(0.0, wall - sum(stages.values()))
    figures = RunFigures(name, len(documents), sum(page_count(p) for p in documents), wall, memory.peak_mib)
    figures.stages, figures.counts, figures.cpu_seconds = stages, summary, memory.cpu_seconds
    say(f"bench: {name} run: {wall:.1f} s, peak memory {memory.peak_mib:.0f} MiB")
    return figures


SERVE_READY = "serve: a warm process waits for the next run"
SERVE_DEPLOYMENT = "bench"
SERVE_CRON = "0 0 1 1 *"  # the deployment's own schedule: never during a bench, whose runs are triggered
SERVE_DEADLINE_SECONDS = 300.0
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
FINAL_POLL_SECONDS = 1.0
SUMMARY_STAGE = re.compile(r"^\| (?P<stage>[^|]+?) \| (?P<seconds>[0-9.]+) \|$")


class ServedRuns:
    """A `caijue serve` of the bench's inbox and warehouse (its own Prefect server, PREFECT_HOME beside the
    warehouse), whose runs are triggered and timed through Prefect's REST API (no Prefect imported here)."""

    def __init__(self, inbox: Path, warehouse: Path, workers: int, warm_spare: bool = True) -> None:
        self.inbox, self.warehouse, self.workers, self.warm_spare = inbox, warehouse, workers, warm_spare
        self.api_url = ""
        self.log = warehouse.parent / "serve.log"
        self._ready_lines = 0  # serve's lines saying a warm process waits
        self._runs = 0
        self._ready = threading.Condition()
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> ServedRuns:
        port = free_port(0)
        self.api_url = f"http://127.0.0.1:{port}/api"
        command = [sys.executable, "-m", "flows.cli", "serve", "--inbox", str(self.inbox), "--warehouse"]
        command += [str(self.warehouse), "--workers", str(self.workers), "--port", str(port)]
        command += ["--name", SERVE_DEPLOYMENT, "--cron", SERVE_CRON, *([] if self.warm_spare else ["--no-warm-spare"])]
        environment = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
        environment["PYTHONPATH"] = os.pathsep.join([str(REPOSITORY), os.environ.get("PYTHONPATH", "")])
        say(f"bench: caijue serve of {self.inbox} ({'a warm process' if self.warm_spare else 'cold processes'})")
        self._process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
            start_new_session=True,  # its whole tree stopped at the end, as a Ctrl-C at its terminal would
        )
        threading.Thread(target=self._read_output, name="caijue-bench-serve", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is None:
            return
        with suppress(OSError):
            os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with suppress(OSError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()

    def _read_output(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        with self.log.open("w") as log:
            for line in self._process.stdout:
                log.write(line)
                log.flush()
                if SERVE_READY in line:
                    with self._ready:
                        self._ready_lines += 1
                        self._ready.notify_all()

    def timed_run(self, name: str, place: Callable[[], list[Path]]) -> RunFigures:
        """Once serve is ready for it (its deployment registered; its warm process, the `runs`-th, waiting), the
        files `place` puts in the inbox ingested by a run triggered through the API, timed."""
        deployment = self._deployment_id()
        self._await_warm_process()
        idle_mib, load = tree_resident_bytes(psutil.Process()) / 2**20, os.getloadavg()[0]
        documents = place()
        say(f"bench: {name} run: triggered through Prefect's API, {len(documents)} documents to read")
        with ProcessTreeUse() as memory:
            flow_run_id = self._api("POST", f"/deployments/{deployment}/create_flow_run", {})["id"]
            flow_run = self._await_final(flow_run_id)
        if flow_run["state_type"] != "COMPLETED":
            raise UserError(f"bench: the {name} run ended {flow_run['state_type']}", f"serve's output is in {self.log}")
        wall, running = served_seconds(flow_run)
        stages = {"picked up": max(0.0, wall - running), **self._summary_stages(flow_run_id)}
        stages["other"] = max(0.0, wall - sum(stages.values()))
        figures = RunFigures(name, len(documents), sum(page_count(p) for p in documents), wall, memory.peak_mib)
        figures.stages, figures.cpu_seconds = stages, memory.cpu_seconds
        figures.counts = {
            "running_to_completed_seconds": round(running, 3),
            "idle_tree_mib_before": round(idle_mib, 1),
            "load_average_before": round(load, 2),
        }
        say(
            f"bench: {name} run: {wall:.1f} s from the trigger, {running:.1f} s Running, peak {memory.peak_mib:.0f} MiB"
        )
        return figures

    def _deployment_id(self) -> str:
        deadline = time.monotonic() + SERVE_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            self._check_alive()
            with suppress(OSError):
                return self._api("GET", f"/deployments/name/caijue-ingest/{SERVE_DEPLOYMENT}")["id"]
            time.sleep(0.5)
        raise UserError("bench: caijue serve registered no deployment", f"its output is in {self.log}")

    def _await_warm_process(self) -> None:
        """The next run's warm process waiting (one more than the runs so far); cold: nothing to wait for."""
        self._runs += 1
        if not self.warm_spare:
            return
        with self._ready:
            if not self._ready.wait_for(lambda: self._ready_lines >= self._runs, SERVE_DEADLINE_SECONDS):
                raise UserError("bench: caijue serve's warm process did not come up", f"its output is in {self.log}")

    def _await_final(self, flow_run_id: str) -> dict[str, Any]:
        """The flow run once it has ended. Asked every FINAL_POLL_SECONDS: its times are the server's own
        (`served_seconds`), so a slower poll costs no precision, and the server, which answers each poll on the
        cores the run uses, is asked less (at 0.1 s it took ~3 CPU-s of a 12-s run)."""
        deadline = time.monotonic() + SERVE_DEADLINE_SECONDS * 4
        while time.monotonic() < deadline:
            flow_run = self._api("GET", f"/flow_runs/{flow_run_id}")
            if flow_run.get("state_type") in FINAL_STATES:
                return flow_run
            self._check_alive()
            time.sleep(FINAL_POLL_SECONDS)
        raise UserError(f"bench: flow run {flow_run_id} did not end", f"serve's output is in {self.log}")

    def _summary_stages(self, flow_run_id: str) -> dict[str, float]:
        """The stage table of the run summary the flow records (flows/ingest.py _record_summary)."""
        query = {"artifacts": {"flow_run_id": {"any_": [flow_run_id]}, "key": {"any_": ["caijue-run-summary"]}}}
        artifacts = self._api("POST", "/artifacts/filter", query)
        return summary_stages(str(artifacts[0]["data"]) if artifacts else "")

    def _check_alive(self) -> None:
        if self._process is not None and self._process.poll() is not None:
            raise UserError(f"bench: caijue serve exited ({self._process.returncode})", f"its output is in {self.log}")

    def _api(self, method: str, path: str, body: object = None) -> Any:
        """One call of serve's Prefect API. A busy server (its SQLite locked by the runs' own writes) answers 503,
        or 429 / 502: the call is made again after the wait it asks for (Retry-After), else 0.5, 1, 2, 4 s, as
        Prefect's own client does; the run's times are the server's own, so a retry does not count in them."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.api_url}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        for attempt in itertools.count():
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as error:
                if error.code not in RETRIED_STATUSES or attempt + 1 >= API_ATTEMPTS:
                    raise
                time.sleep(_retry_after(error.headers.get("Retry-After"), attempt))


# What Prefect's client retries (prefect.client.base PREFECT_CLIENT_RETRY_EXTRA_CODES aside), and how often.
RETRIED_STATUSES = frozenset({429, 502, 503})
API_ATTEMPTS = 5


def _retry_after(header: str | None, attempt: int) -> float:
    """The server's Retry-After in seconds (at most 10), else 0.5 s doubled each attempt."""
    with suppress(TypeError, ValueError):
        return min(10.0, max(0.0, float(header)))  # type: ignore[arg-type]
    return 0.5 * 2**attempt


def summary_stages(markdown: str) -> dict[str, float]:
    """The stage table of a run summary as the flow records it (flows/report.py summary_markdown): seconds by
    stage, to 0.1 s."""
    stages = {}
    for line in markdown.split("| stage | seconds |", 1)[-1].splitlines():
        if matched := SUMMARY_STAGE.match(line.strip()):
            stages[matched["stage"]] = float(matched["seconds"])
    return stages


def served_seconds(flow_run: Mapping[str, Any]) -> tuple[float, float]:
    """(from the trigger to Completed, from Running to Completed) of an ended flow run, in the server's own times:
    the trigger is when the server created the run (`created`), Running its `start_time`, Completed its
    `end_time`."""
    return (
        _seconds_between(flow_run["created"], flow_run["end_time"]),
        _seconds_between(flow_run["start_time"], flow_run["end_time"]),
    )


def _seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def naive_tables(path: str) -> int:
    """The naive baseline for one file (flows/reading_speed.py `naive_reading`); returns its pages."""
    return naive_reading(path)


def bare_extraction(path: str) -> int:
    """caijue's reading of one file as a reading child does it (extraction and the gate's assessment, in Python;
    the gate's GX Checkpoint runs once per run, in the run's own gate stage), nothing around it; returns its
    pages."""
    from flows.extraction import extract_and_assess

    data = Path(path).read_bytes()
    checked = extract_and_assess(data, Path(path).name)
    return checked.document.meta.page_count


def _warm(kind: str) -> None:
    """Imports (and the gate) in a pool's process before the clock starts: both pools are timed warm,
    like the run's workers, which warm up while its Prefect server starts."""
    if kind == "bare":
        from flows.extraction import warm_reader

        warm_reader()
    else:
        import pdfplumber  # noqa: F401
    time.sleep(0.5)  # every process takes one: none warms twice while another stays cold


def timed_pool(name: str, function: Callable[[str], int], files: Sequence[Path], processes: int) -> PoolFigures:
    say(f"bench: {name}: {len(files)} documents in {processes} processes")
    with ProcessTreeUse() as memory, ProcessPoolExecutor(max_workers=processes) as pool:
        list(pool.map(_warm, ["bare" if function is bare_extraction else "naive"] * processes))
        started = time.perf_counter()
        pages = sum(pool.map(function, [str(f) for f in files], chunksize=1))
        wall = time.perf_counter() - started
    say(f"bench: {name}: {wall:.1f} s, peak memory {memory.peak_mib:.0f} MiB")
    return PoolFigures(name, len(files), pages, wall, memory.peak_mib, processes, memory.cpu_seconds)


# --- the bench ----------------------------------------------------------------------------------------------


@dataclass(slots=True)
class BenchOptions:
    departments: int
    added: list[Path]
    workers: int
    work: Path
    then_new: int = 0
    then_changed: int = 0
    baseline: bool = True
    bare: bool = False  # bare extraction + gate on the first run's files even without the naive baseline
    side_by_side_repeat: int = DEFAULT_REPEAT  # passes of each side on each added folder, the best counted
    served: bool = False  # the then-new and then-changed runs through `caijue serve` (ServedRuns)


def run_bench(options: BenchOptions) -> dict[str, Any]:
    """The first run from an empty warehouse (with the baselines on the same files), then the optional
    runs adding new and changed documents to it. Returns the JSON-ready record."""
    extra_departments = math.ceil(options.then_new / DOCUMENTS_PER_DEPARTMENT)
    real = real_documents(options.added)  # a wrong folder is said before anything is generated
    say(f"bench: {options.departments} departments generated (+{extra_departments} held back for --then-new)")
    generated = generated_documents(options.work / "generated", options.departments + extra_departments)
    first_files = generated[: options.departments * DOCUMENTS_PER_DEPARTMENT] + real
    held_back = generated[options.departments * DOCUMENTS_PER_DEPARTMENT :][: options.then_new]
    if options.then_changed > len(first_files):
        raise UserError(
            f"--then-changed {options.then_changed}: the first run has only {len(first_files)} documents",
            "change at most as many as the first run reads",
        )

    run_folder = options.work / "run"
    shutil.rmtree(run_folder, ignore_errors=True)  # a fresh warehouse every bench
    inbox, warehouse = run_folder / "inbox", run_folder / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    runs = [timed_ingest("first", inbox, warehouse, options.workers, fill_inbox(inbox, first_files))]
    pools = []
    if options.baseline:
        pools.append(timed_pool("naive baseline", naive_tables, first_files, options.workers))
    if options.baseline or options.bare:
        pools.append(timed_pool(BARE, bare_extraction, first_files, options.workers))
    extraction = extraction_side_by_side(options.added, options.side_by_side_repeat) if options.baseline else []
    later: list[tuple[str, Callable[[], list[Path]]]] = []
    if held_back:
        later.append(("then new", lambda: fill_inbox(inbox / "new", held_back)))
    if options.then_changed:
        later.append(("then changed", lambda: republish(inbox / "changed", first_files[: options.then_changed], 1)))
    if options.served and later:
        with ServedRuns(inbox, warehouse, options.workers) as served:
            runs += [served.timed_run(f"{name} (served)", place) for name, place in later]
    else:
        runs += [timed_ingest(name, inbox, warehouse, options.workers, place()) for name, place in later]
    return bench_record(options, runs, pools, extraction)


def extraction_side_by_side(folders: Sequence[Path], repeat: int) -> list[dict[str, Any]]:
    """Each added folder's files: extraction alone beside the naive baseline, one core (flows/reading_speed.py)."""
    records = []
    for folder in folders:
        say(f"bench: extraction beside the naive baseline on {folder}, one core, best of {max(repeat, 1)}")
        records.append(side_by_side(folder, real_documents([folder]), repeat).record())
        say(f"bench: {folder}: {records[-1]['times_naive_by_cpu']:.2f}x the naive baseline's pages/s (CPU time)")
    return records


def bench_record(
    options: BenchOptions, runs: list[RunFigures], pools: list[PoolFigures], extraction: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    first = runs[0]
    record: dict[str, Any] = {
        "machine": machine(),
        "workers": options.workers,
        "departments": options.departments,
        "added_folders": [str(f) for f in options.added],
        "runs": [_run_record(run) for run in runs],
        "side_by_side": [asdict(pool) | _rates(pool.pages, pool.documents, pool.wall_seconds) for pool in pools],
        "extraction_side_by_side": list(extraction),
    }
    by_name = {pool.name: pool for pool in pools}
    naive, bare = by_name.get("naive baseline"), by_name.get(BARE)
    ratios: dict[str, float] = {}
    if naive and first.extraction_seconds:
        ratios["extraction pages/s over naive pages/s"] = naive.wall_seconds / first.extraction_seconds
        ratios["whole run pages/s over naive pages/s"] = naive.wall_seconds / first.wall_seconds
    if bare and bare.wall_seconds:
        ratios[WHOLE_OVER_BARE] = first.wall_seconds / bare.wall_seconds
        ratios["extraction stage over bare extraction + gate"] = first.extraction_seconds / bare.wall_seconds
    for folder in extraction:
        alone = f"extraction alone pages/s over naive pages/s, {Path(folder['folder']).name}, one core"
        ratios[f"{alone} (CPU time)"] = folder["times_naive_by_cpu"]
        ratios[f"{alone} (wall)"] = folder["times_naive_by_wall"]
    record["ratios"] = ratios
    return record


def _run_record(run: RunFigures) -> dict[str, Any]:
    return {
        "name": run.name,
        "documents_read": run.documents,
        "pages_read": run.pages,
        "wall_seconds": round(run.wall_seconds, 3),
        "peak_rss_mib": round(run.peak_rss_mib, 1),
        "cpu_seconds": {role: round(seconds, 2) for role, seconds in run.cpu_seconds.items()},
        "stages": {stage: round(seconds, 3) for stage, seconds in run.stages.items()},
        **_rates(run.pages, run.documents, run.wall_seconds),
        "extraction_pages_per_second": round(run.pages / run.extraction_seconds, 2) if run.extraction_seconds else None,
        "summary": run.counts,
    }


def _rates(pages: int, documents: int, seconds: float) -> dict[str, float]:
    return {
        "pages_per_second": round(pages / seconds, 2) if seconds else 0.0,
        "documents_per_second": round(documents / seconds, 3) if seconds else 0.0,
    }


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


# --- growth ---------------------------------------------------------------------------------------------


def run_scale(sizes: Sequence[int], options: BenchOptions) -> dict[str, Any]:
    """A first run from an empty warehouse at each size (documents), then bare extraction + gate on its files
    (the yardstick of the whole run at that size; no naive baseline); how each stage's cost grows."""
    records = []
    for documents in sizes:
        departments = math.ceil(documents / DOCUMENTS_PER_DEPARTMENT)
        sized = BenchOptions(departments, [], options.workers, options.work, baseline=False, bare=True)
        bench = run_bench(sized)
        run = bench["runs"][0]
        [bare] = [pool for pool in bench["side_by_side"] if pool["name"] == BARE]
        run[BARE] = round(bare["wall_seconds"], 3)
        run[BARE_CPU] = round(sum(bare["cpu_seconds"].values()), 2)
        run[WHOLE_OVER_BARE] = round(run["wall_seconds"] / bare["wall_seconds"], 3)
        records.append(run)
    return {"machine": machine(), "workers": options.workers, "scale": records, "growth": growth(records)}


def growth(records: list[dict[str, Any]]) -> dict[str, list[float | None]]:
    """Per stage, the exponent k of seconds ∝ documents^k between each size and the next (1: linear)."""
    exponents: dict[str, list[float | None]] = {}
    stages = [s for s in records[0]["stages"] if all(s in r["stages"] for r in records)] + ["whole run"]
    stages += [BARE] if all(BARE in r for r in records) else []
    for stage in stages:
        exponents[stage] = []
        for small, large in itertools.pairwise(records):
            a, b = _seconds(small, stage), _seconds(large, stage)
            n, m = small["documents_read"], large["documents_read"]
            fits = a > 0.05 and b > 0.05 and m > n  # under 0.05 s a ratio is noise
            exponents[stage].append(round(math.log(b / a) / math.log(m / n), 2) if fits else None)
    return exponents


def _seconds(record: dict[str, Any], stage: str) -> float:
    if stage == "whole run":
        return record["wall_seconds"]
    return record[BARE] if stage == BARE else record["stages"][stage]


# --- printing -----------------------------------------------------------------------------------------------


def format_bench(record: dict[str, Any]) -> str:
    lines = [f"caijue bench: {record['workers']} workers on {record['machine']['cores']} cores"]
    for run in record["runs"]:
        lines += ["", *_run_table(run)]
    if record["side_by_side"]:
        first = record["runs"][0]
        lines += ["", "Side by side on the first run's files:", ""]
        lines += ["| | seconds | pages/s | documents/s | peak MiB | CPU seconds |", "|---|---|---|---|---|---|"]
        stage = sum(first["stages"].get(stage, 0.0) for stage in DOCUMENT_STAGES)
        lines.append(
            f"| caijue run, extract + gate stages | {stage:.1f} | {first['extraction_pages_per_second'] or 0:.1f}"
            f" | {first['documents_read'] / stage if stage else 0:.2f} | {first['peak_rss_mib']:.0f} | |"
        )
        lines.append(
            f"| caijue run, whole | {first['wall_seconds']:.1f} | {first['pages_per_second']:.1f}"
            f" | {first['documents_per_second']:.2f} | {first['peak_rss_mib']:.0f} | {_cpu_total(first)} |"
        )
        for pool in record["side_by_side"]:
            lines.append(
                f"| {pool['name']} ({pool['processes']} processes) | {pool['wall_seconds']:.1f}"
                f" | {pool['pages_per_second']:.1f} | {pool['documents_per_second']:.2f} | {pool['peak_rss_mib']:.0f}"
                f" | {_cpu_total(pool)} |"
            )
    if record.get("extraction_side_by_side"):
        lines += ["", *format_side_by_side(record["extraction_side_by_side"])]
    if record.get("ratios"):
        lines += [""] + [f"{name}: {value:.2f}x" for name, value in record["ratios"].items()]
    return "\n".join(lines)


def _run_table(run: dict[str, Any]) -> list[str]:
    wall = run["wall_seconds"]
    lines = [
        f"{run['name']} run: {run['documents_read']} documents ({run['pages_read']} pages) to read;"
        f" {wall:.1f} s whole, {run['pages_per_second']:.1f} pages/s, {run['documents_per_second']:.2f} documents/s,"
        f" peak memory of the process tree {run['peak_rss_mib']:.0f} MiB",
        *_cpu_line(run.get("cpu_seconds"), wall),
        "",
        "| stage | seconds | share |",
        "|---|---|---|",
    ]
    for stage, seconds in run["stages"].items():
        lines.append(
            f"| {STAGE_LABELS.get(stage, stage)} | {seconds:.2f} | {100 * seconds / wall if wall else 0:.0f} % |"
        )
    return lines


def _cpu_total(figures: Mapping[str, Any]) -> str:
    return f"{sum(figures['cpu_seconds'].values()):.1f}" if figures.get("cpu_seconds") else ""


def _cpu_line(cpu_seconds: Mapping[str, float] | None, wall: float) -> list[str]:
    """The tree's CPU time by process, and how many cores that kept busy over the run's wall time."""
    if not cpu_seconds:
        return []
    total = sum(cpu_seconds.values())
    parts = ", ".join(f"{role} {seconds:.1f} s" for role, seconds in cpu_seconds.items())
    cores = f" ({total / wall:.2f} cores busy on average)" if wall else ""
    return [f"CPU time of the process tree: {total:.1f} s{cores}: {parts}"]


STAGE_LABELS = {
    "picked up": "picked up (served: from the trigger to Running: the Runner's poll, the hand-over, the set-up)",
    "start-up": "start-up (Prefect server; Prefect's import, the plan, the reading children's warm-up overlapped)",
    "extract": "extract (waiting for the reading children; the chunks' gate and load meanwhile are their own rows)",
    "later imports": "later imports (GX, dbt: what the start-up and the documents did not cover)",
    "other": "other (interpreter, imports, Prefect's flow bookkeeping, exit)",
    BARE: "bare extraction + gate on the same files, one process per core (the yardstick, not a stage)",
}


def format_scale(record: dict[str, Any]) -> str:
    runs = record["scale"]
    header = "| stage | " + " | ".join(f"{r['documents_read']} documents" for r in runs) + " | growth exponents |"
    lines = [header, "|---" * (len(runs) + 2) + "|"]
    for stage, exponents in record["growth"].items():
        cells = " | ".join(f"{_seconds(r, stage):.1f} s" for r in runs)
        shown = ", ".join("–" if e is None else f"{e:.2f}" for e in exponents)
        lines.append(f"| {STAGE_LABELS.get(stage, stage)} | {cells} | {shown} |")
    memory = " | ".join(f"{r['peak_rss_mib']:.0f} MiB" for r in runs)
    lines.append(f"| peak memory | {memory} | |")
    if all(r.get("cpu_seconds") for r in runs):
        for role in runs[-1]["cpu_seconds"]:
            cells = " | ".join(f"{r['cpu_seconds'].get(role, 0.0):.1f} s" for r in runs)
            lines.append(f"| CPU time: {role} | {cells} | |")
        cells = " | ".join(f"{sum(r['cpu_seconds'].values()):.1f} s" for r in runs)
        lines.append(f"| CPU time of the whole run's process tree | {cells} | |")
    if all(BARE_CPU in r for r in runs):
        lines.append(f"| CPU time of {BARE} | {' | '.join(f'{r[BARE_CPU]:.1f} s' for r in runs)} | |")
    if all(BARE in r for r in runs):
        ratios = " | ".join(f"{r[WHOLE_OVER_BARE]:.2f}x" for r in runs)
        lines.append(f"| whole run over bare extraction + gate ({record['workers']} processes) | {ratios} | |")
    return "\n".join(lines) + "\n\ngrowth exponent k: seconds ∝ documents^k from each size to the next (1: linear)"


def default_work_folder() -> Path:
    return Path(tempfile.gettempdir()) / "caijue-bench"
