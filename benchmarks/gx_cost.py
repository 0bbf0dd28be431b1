"""What GX costs a run, in CPU seconds: the run's Checkpoint over 1 and over N documents, and the mart checks
after dbt.

    python benchmarks/gx_cost.py FOLDER [--documents 1 100] [--warehouse W] [--repeat 3]

FOLDER holds PDFs (say a generated corpus: `caijue bench`'s work folder/generated); the first max(--documents)
that have tables are read and assessed as a reading child does it (not timed). Then, on one core (this process),
warm (the gate built and one untimed Checkpoint run first), the best of `--repeat` rounds of
- `Gate.judge` over the first n documents: the run's one Checkpoint (what the gate stage spends in GX);
- with `--warehouse`: the built marts read as exact frames (warehouse.mart_frames, the flow's read) and
  `Gate.validate_marts` over them (the mart checks).
CPU time, not wall time: the machine is shared, and CPU time is what its load does not blur.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from expectations.assessment import gate_frames
from expectations.gate import Gate
from extract import extract_document
from warehouse.mart_frames import mart_frames


def cpu(work: Callable[[], object], repeat: int) -> float:
    """The least CPU seconds of `repeat` runs of `work`."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--documents", type=int, nargs="+", default=[1, 100])
    parser.add_argument("--warehouse", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    wanted = max(args.documents)
    judged = []
    for pdf in sorted(args.folder.rglob("*.pdf")):
        if len(judged) == wanted:
            break
        data = pdf.read_bytes()
        doc = extract_document(data, pdf.name)
        if doc.tables:
            judged.append((doc, gate_frames(doc, data)))
    started = time.process_time()
    gate = Gate()
    print(f"{len(judged)} documents read; gate built in {time.process_time() - started:.2f} s CPU")
    gate.judge(judged[:1])
    print("| what | CPU s |\n|---|---|")
    for n in args.documents:
        documents = judged[:n]
        rows = sum(len(f.facts) + len(f.identity_checks) + len(f.document_checks) for _, f in documents)
        seconds = cpu(lambda documents=documents: gate.judge(documents), args.repeat)
        print(f"| the run's Checkpoint, {len(documents)} documents ({rows} rows) | {seconds:.3f} |")
    if args.warehouse:
        frames = mart_frames(args.warehouse)
        gate.validate_marts(frames)
        rows = sum(len(f) for f in frames.values())
        read = cpu(lambda: mart_frames(args.warehouse), args.repeat)
        checked = cpu(lambda: gate.validate_marts(frames), args.repeat)
        print(f"| the marts read as exact frames ({len(frames)} marts, {rows} rows) | {read:.3f} |")
        print(f"| the mart checks over them | {checked:.3f} |")


if __name__ == "__main__":
    main()
