"""Acceptance 4: documents/second of the extract + gate stage with the process runner (a local Dask
cluster, one worker process per core) against one process, on the same corpus.

    python benchmarks/parallel.py [--documents 200] [--workers N]

Runs the real command line on a fresh warehouse each time and reads the stage timings from its
summary table. The stage is what parallelises; the whole run's wall clock is printed too. Workers warm
up (import Prefect and Great Expectations, build the gate) while the run's Prefect server boots, in
both modes, so the stage compares steady throughput. The script first measures this machine's own
ceiling: the same extraction in one process, then in two at once (on a VM whose two vCPUs share a
physical core, two processes never run at twice the speed of one).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from flows.bench import timed_ingest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "caijue-bench-parallel")
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    inbox = prepare_inbox(args.work, args.documents)

    ceiling = machine_ceiling(inbox, args.workers)
    single = run(inbox, args.work / "single", workers=1)
    parallel = run(inbox, args.work / "parallel", workers=args.workers)

    print("\n=== parallel extraction benchmark ===")
    print(f"documents: {args.documents}, cores: {os.cpu_count()}")
    for name, (stage, wall) in (("1 process", single), (f"{args.workers} processes", parallel)):
        print(
            f"{name:>12}: extract + gate {stage:6.1f} s = {args.documents / stage:5.2f} docs/s;"
            f" whole run {wall:6.1f} s = {args.documents / wall:5.2f} docs/s"
        )
    speedup = single[0] / parallel[0]
    print(f"this machine's ceiling, extraction alone in {args.workers} processes: {ceiling:.2f}x")
    print(f"speed-up of the extract + gate stage: {speedup:.2f}x (acceptance: >= 1.7x)")
    print(f"speed-up of the whole run:            {single[1] / parallel[1]:.2f}x")
    print("PASS" if speedup >= 1.7 else "FAIL")
    return 0 if speedup >= 1.7 else 1


def prepare_inbox(work: Path, documents: int) -> Path:
    from samples import generate_corpus

    corpus, inbox = work / "corpus", work / "inbox"
    if len(list(corpus.glob("*.pdf"))) < documents:
        generate_corpus(corpus, departments=-(-documents // 4), years=(2023, 2024))
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    for pdf in sorted(corpus.glob("*.pdf"))[:documents]:
        shutil.copy(pdf, inbox / pdf.name)
    return inbox


def _extract_files(files: list[str]) -> float:
    from extract import extract_document

    started = time.perf_counter()
    for name in files:
        extract_document(Path(name).read_bytes(), Path(name).name)
    return time.perf_counter() - started


def machine_ceiling(inbox: Path, workers: int, sample: int = 6) -> float:
    """Speed-up of pure extraction (no Prefect, Dask or gate) in `workers` processes over one."""
    from concurrent.futures import ProcessPoolExecutor

    files = [str(p) for p in sorted(inbox.glob("*.pdf"))[:sample]]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_extract_files, [files] * workers))  # warm: imports in every process
        alone = pool.submit(_extract_files, files).result()
        together = max(pool.map(_extract_files, [files] * workers))
    return workers * alone / together


def run(inbox: Path, folder: Path, workers: int) -> tuple[float, float]:
    """(extract + gate seconds, whole run seconds) of one `caijue ingest` of the inbox (flows/bench.py's run)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    figures = timed_ingest(f"workers-{workers}", inbox, folder / "w.duckdb", workers, sorted(inbox.rglob("*.pdf")))
    stage = figures.extraction_seconds
    print(f"workers={workers}: extract + gate {stage:.1f} s, whole run {figures.wall_seconds:.1f} s", flush=True)
    return stage, figures.wall_seconds


if __name__ == "__main__":
    sys.exit(main())
