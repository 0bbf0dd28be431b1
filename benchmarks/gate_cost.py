"""What the quality gate costs per document: the reading child's Python half and the run's one GX Checkpoint.

    python benchmarks/gate_cost.py [FOLDER ...] [--repeat 3]

Folders default to ../shared/corpus/real. On one core (this process), warm (the gate built and one untimed
round first), the best of `--repeat` rounds: every PDF extracted (not counted), then
- assessment: expectations.assessment `gate_frames` per document, as a reading child runs it (identities,
  attribution, whole-document checks, the second reading of contested pages; no GX);
- Checkpoint: one `Gate.judge` over all the documents, as the run's gate stage runs it;
and, for comparison, one Checkpoint per document (`Gate.check`'s cost, what gating each document on its own
would be). CPU time alongside wall time: the machine is shared, and CPU time is what its load does not blur.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from expectations.assessment import GateFrames, gate_frames
from expectations.gate import Gate
from extract import ExtractedDocument, extract_document

REAL = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real"
Judged = list[tuple[ExtractedDocument, GateFrames]]


def timed(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The best (wall, CPU) seconds of `repeat` runs of `work`."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[REAL])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = sorted(p for folder in args.folders for p in folder.rglob("*.pdf"))
    pdfs = [(p.name, p.read_bytes()) for p in files]
    documents = [(extract_document(data, name), data) for name, data in pdfs]
    documents = [(doc, data) for doc, data in documents if doc.tables]
    started = time.perf_counter()
    gate = Gate()
    built = time.perf_counter() - started
    print(f"{len(documents)} documents with tables of {len(files)} PDFs; gate built in {built:.2f} s")

    def assess() -> Judged:
        return [(doc, gate_frames(doc, data)) for doc, data in documents]

    judged = assess()
    gate.judge(judged)
    n = len(judged)
    rows = [
        ("assessment (reading child), all documents", timed(assess, args.repeat)),
        ("one Checkpoint over all documents (the run's gate stage)", timed(lambda: gate.judge(judged), args.repeat)),
        ("one Checkpoint per document (for comparison)", timed(lambda: [gate.judge([j]) for j in judged], args.repeat)),
    ]
    print("| | wall s | CPU s | wall s per document |\n|---|---|---|---|")
    for label, (wall, cpu) in rows:
        print(f"| {label} | {wall:.2f} | {cpu:.2f} | {wall / n:.3f} |")
    per_document = (rows[0][1][0] + rows[1][1][0]) / n
    print(f"gate per document in a run: {per_document:.3f} s (assessment + its share of the run's Checkpoint)")


if __name__ == "__main__":
    main()
