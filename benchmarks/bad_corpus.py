"""Issue 12, acceptance 2: no input takes a run past 2 GiB of memory (the whole process tree) or a document
past its time limit — measured from outside the run.

    python benchmarks/bad_corpus.py [FOLDER] [--good 4] [--add FOLDER ...] [--workers N] [--json FILE]

The inbox is FOLDER's PDFs, else the bad-input corpus (samples/bad_pdfs.py `write_bad_corpus`), with
`--good` generated documents and the PDFs of every `--add` folder beside them. Two measurements:

1. Each document alone, read as a run reads it (flows/extraction.py `process_file`: a child process with
   the time, memory and page limits), from this process: its wall time, its status and reason, and the
   peak RSS of the child reading it, sampled by a thread of this process every 0.1 s.
2. One `caijue ingest` of the whole inbox into a fresh warehouse (the real command line, `--workers` processes):
   the peak of the sum of the RSS of every process of its tree (the command, the Prefect server, the Dask
   scheduler, nannies and workers, the children reading documents), polled every 0.1 s with psutil; its wall
   time and exit code, and each document's status and reason as raw.documents holds them.

RSS summed over processes counts their shared pages (libraries) once per process: the figure is an upper
bound. A table is printed and everything is written as JSON (`--json`). Exit 0 when the run exits 0, its
peak stays under `--budget-mib` (2048) and no document's reading took longer than its time limit plus
`--slack` seconds (killing a child and starting the next takes a moment).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import psutil

from flows.limits import DocumentLimits

MIB = 1 << 20
POLL_SECONDS = 0.1


@dataclass(frozen=True, slots=True)
class DocumentReading:
    """One document read alone, as a run reads it."""

    file: str
    size_bytes: int
    seconds: float
    status: str
    reason: str
    peak_child_mib: int


@dataclass(frozen=True, slots=True)
class RunMeasurement:
    """One `caijue ingest` of the whole inbox."""

    exit_code: int
    seconds: float
    peak_tree_mib: int
    at_peak: list[tuple[str, int]]  # each process of the tree when its RSS peaked: what it is, MiB
    stage_peaks_mib: dict[str, int]  # the tree's peak during each stage the run's log names
    stage_at_peak: dict[str, list[tuple[str, int]]]  # each process at each stage's peak
    statuses: dict[str, tuple[str, str]]  # file name → (status, status_reason) in raw.documents


class TreePeak:
    """The peak RSS sum of a process tree (a root and all its descendants), polled from a thread."""

    def __init__(self, root: psutil.Process, include_root: bool = True, log: Path | None = None) -> None:
        self.root, self.include_root, self.log = root, include_root, log
        self.peak_bytes = 0
        self.at_peak: list[tuple[str, int]] = []
        self.stage_peaks: dict[str, int] = {}
        self.stage_at_peak: dict[str, list[tuple[str, int]]] = {}
        self.stage = "start"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> None:
        self.peak_bytes, self.at_peak = 0, []

    def _poll(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            sizes = [(process, _rss(process)) for process in self._tree()]
            total = sum(rss for _, rss in sizes)
            if total > self.peak_bytes:
                self.peak_bytes = total
                self.at_peak = [(_what(process), rss // MIB) for process, rss in sizes]
            if self.log is not None:
                self.stage = _stage(self.log) or self.stage
                if total // MIB > self.stage_peaks.get(self.stage, 0):
                    self.stage_peaks[self.stage] = total // MIB
                    self.stage_at_peak[self.stage] = [(_what(process), rss // MIB) for process, rss in sizes]

    def _tree(self) -> list[psutil.Process]:
        try:
            descendants = self.root.children(recursive=True)
        except psutil.Error:
            return []
        return [self.root, *descendants] if self.include_root else descendants


def _stage(log: Path) -> str | None:
    """The stage a run is in: what its last progress line in the log's tail names (None: no such line)."""
    try:
        with log.open("rb") as handle:
            handle.seek(max(0, log.stat().st_size - 4096))
            lines = [line for line in handle.read().decode(errors="replace").splitlines() if line.startswith("[caijue")]
    except OSError:
        return None
    words = lines[-1].split("] ", 1)[-1] if lines else ""
    return words.split(":", 1)[0] if ":" in words else None


def _what(process: psutil.Process) -> str:
    """A process in a few words: its command's module or script and first argument."""
    try:
        words = [w for w in process.cmdline()[1:] if not w.startswith("-") or w == "-c"][:2]
    except psutil.Error:
        return "?"
    return " ".join(Path(w).name if "/" in w else w[:40] for w in words) or process.name()


def _rss(process: psutil.Process) -> int:
    try:
        return process.memory_info().rss
    except psutil.Error:  # ended between listing and reading
        return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, help="PDFs to run (default: the bad-input corpus)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "caijue-bench-bad-corpus")
    parser.add_argument("--good", type=int, default=4, help="generated good documents beside them (default 4)")
    parser.add_argument("--add", type=Path, action="append", default=[], help="a folder of PDFs to add (repeatable)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=float, default=None, help="seconds per document (default: caijue's)")
    parser.add_argument("--memory-limit-mib", type=int, default=None, help="per document (default: caijue's)")
    parser.add_argument("--budget-mib", type=int, default=2048, help="the whole tree's bound (default 2048)")
    parser.add_argument("--slack", type=float, default=5.0, help="seconds allowed past the time limit (default 5)")
    parser.add_argument("--skip-alone", action="store_true", help="only the whole run (measurement 2)")
    parser.add_argument("--skip-run", action="store_true", help="only each document alone (measurement 1)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()

    defaults = DocumentLimits()
    limits = DocumentLimits(
        args.timeout or defaults.timeout, args.memory_limit_mib or defaults.memory_limit_mib, defaults.page_limit
    )
    inbox = prepare_inbox(args.work, args.folder, args.good, args.add)
    files = sorted(inbox.rglob("*.pdf"))
    print(f"inbox: {inbox}, {len(files)} files; limits: {limits}", flush=True)

    alone = [] if args.skip_alone else read_each(files, limits)
    run = None if args.skip_run else run_ingest(inbox, args.work / "warehouse", args.workers, limits)
    failures = verdicts(alone, run, limits, args.budget_mib, args.slack)

    print_table(alone, run, inbox)
    for failure in failures:
        print(f"FAIL: {failure}")
    print("PASS" if not failures else "FAIL")
    if args.json:
        figures = {
            "limits": asdict(limits),
            "workers": args.workers,
            "budget_mib": args.budget_mib,
            "documents_alone": [asdict(reading) for reading in alone],
            "run": asdict(run) if run else None,
            "failures": failures,
        }
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
        print(f"figures: {args.json}")
    return 0 if not failures else 1


def prepare_inbox(work: Path, folder: Path | None, good: int, added: list[Path]) -> Path:
    """A fresh inbox: FOLDER's PDFs or the bad-input corpus, `good` generated documents, the added folders."""
    inbox = work / "inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    if folder is not None:
        _copy_pdfs(folder, inbox / "given")
    else:
        from samples.bad_pdfs import write_bad_corpus

        write_bad_corpus(inbox / "bad")
    if good:
        from samples import generate_corpus

        generated = work / "good"
        if len(list(generated.glob("*.pdf"))) < good:
            generate_corpus(generated, departments=-(-good // 2), years=(2024,))
        (inbox / "good").mkdir()
        for pdf in sorted(generated.glob("*.pdf"))[:good]:
            shutil.copy(pdf, inbox / "good" / pdf.name)
    for number, extra in enumerate(added, start=1):
        _copy_pdfs(extra, inbox / f"added-{number}")
    return inbox


def _copy_pdfs(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for pdf in sorted(source.rglob("*.pdf")):
        shutil.copy(pdf, target / pdf.name)


def read_each(files: list[Path], limits: DocumentLimits) -> list[DocumentReading]:
    """Measurement 1: each file read alone in a child process within the limits, its peak sampled from here."""
    from flows.extraction import process_file, warm_child

    warm_child()  # the first document does not pay for the child's imports
    readings = []
    with TreePeak(psutil.Process(), include_root=False) as child:
        for path in files:
            child.reset()
            started = time.perf_counter()
            outcome = process_file(str(path), limits)
            seconds = time.perf_counter() - started
            reading = DocumentReading(
                str(path.relative_to(path.parents[1])),
                path.stat().st_size,
                round(seconds, 2),
                outcome.status,
                outcome.reason or "",
                child.peak_bytes // MIB,
            )
            readings.append(reading)
            print(f"alone: {reading.file}: {reading.seconds:.1f} s, {reading.peak_child_mib} MiB, {reading.status}",
                  flush=True)  # fmt: skip
    return readings


def run_ingest(inbox: Path, warehouse_dir: Path, workers: int, limits: DocumentLimits) -> RunMeasurement:
    """Measurement 2: the whole inbox in one `caijue ingest`, its process tree's RSS polled from here."""
    shutil.rmtree(warehouse_dir, ignore_errors=True)
    warehouse_dir.mkdir(parents=True)
    warehouse = warehouse_dir / "w.duckdb"
    command = [sys.executable, "-m", "flows.cli", "ingest", str(inbox), "--warehouse", str(warehouse)]
    command += ["--workers", str(workers), *_limit_flags(limits)]
    log = warehouse_dir / "ingest.log"
    started = time.perf_counter()
    with log.open("w") as output, _started(command, output) as process, TreePeak(process, log=log) as tree:
        exit_code = process.wait()
    seconds = time.perf_counter() - started
    print(f"run: exit {exit_code} in {seconds:.1f} s, peak {tree.peak_bytes // MIB} MiB (log: {log})", flush=True)
    return RunMeasurement(exit_code, round(seconds, 1), tree.peak_bytes // MIB, tree.at_peak, tree.stage_peaks,
                          tree.stage_at_peak, _statuses(warehouse, inbox))  # fmt: skip


def _limit_flags(limits: DocumentLimits) -> list[str]:
    """The limits as `caijue ingest` flags (0: none)."""
    return [
        *("--timeout", str(limits.timeout or 0)),
        *("--memory-limit-mib", str(limits.memory_limit_mib or 0)),
        *("--page-limit", str(limits.page_limit or 0)),
    ]


@contextmanager
def _started(command: list[str], output: object) -> Iterator[psutil.Popen]:
    process = psutil.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait()


def _statuses(warehouse: Path, inbox: Path) -> dict[str, tuple[str, str]]:
    if not warehouse.exists():
        return {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select file_path, status, coalesce(status_reason, '') from raw.documents").fetchall()
    return {_relative(path, inbox): (status, reason) for path, status, reason in rows}


def _relative(path: str, inbox: Path) -> str:
    try:
        return str(Path(path).relative_to(inbox))
    except ValueError:
        return path


def verdicts(
    alone: list[DocumentReading], run: RunMeasurement | None, limits: DocumentLimits, budget_mib: int, slack: float
) -> list[str]:
    failures = []
    if run is not None and run.exit_code != 0:
        failures.append(f"caijue ingest exited {run.exit_code}")
    if run is not None and run.peak_tree_mib > budget_mib:
        failures.append(f"the run's process tree reached {run.peak_tree_mib} MiB (bound {budget_mib} MiB)")
    for reading in alone:
        if limits.timeout and reading.seconds > limits.timeout + slack:
            failures.append(f"{reading.file} took {reading.seconds:.1f} s (limit {limits.timeout:g} s)")
    return failures


def print_table(alone: list[DocumentReading], run: RunMeasurement | None, inbox: Path) -> None:
    print("\n=== bad-input corpus: each document alone (a child process within the limits) ===")
    print(f"{'file':<44} {'KiB':>7} {'s':>6} {'child MiB':>9}  {'status':<11} reason")
    for r in alone:
        print(f"{r.file[:44]:<44} {r.size_bytes // 1024:>7} {r.seconds:>6.1f} {r.peak_child_mib:>9}  "
              f"{r.status:<11} {r.reason[:70]}")  # fmt: skip
    if alone:
        slowest = max(alone, key=lambda r: r.seconds)
        biggest = max(alone, key=lambda r: r.peak_child_mib)
        print(
            f"slowest: {slowest.file} {slowest.seconds:.1f} s; most memory: {biggest.file} {biggest.peak_child_mib} MiB"
        )
    if run is None:
        return
    print(f"\n=== one caijue ingest of the whole inbox ({inbox}) ===")
    for file, (status, reason) in sorted(run.statuses.items()):
        print(f"{file[:60]:<60} {status:<11} {reason[:70]}")
    print(f"exit code {run.exit_code}, {run.seconds:.1f} s")
    print(f"peak RSS of the whole process tree: {run.peak_tree_mib} MiB, {len(run.at_peak)} processes:")
    for what, mib in sorted(run.at_peak, key=lambda item: -item[1]):
        print(f"  {mib:>6} MiB  {what}")
    print("peak of the tree by stage: " + ", ".join(f"{stage} {mib} MiB" for stage, mib in run.stage_peaks_mib.items()))


if __name__ == "__main__":
    sys.exit(main())
