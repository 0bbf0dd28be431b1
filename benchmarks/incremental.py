"""Acceptance 1: a second `caijue ingest` over an unchanged corpus of 200 generated documents takes
under 5% of the first run's time and loads nothing.

    python benchmarks/incremental.py [--work DIR] [--documents 200]

Runs the real command line twice (wall clock, process start included) on a fresh warehouse and
prints both times, their ratio, and whether the second run left the published file byte-identical.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "caijue-bench-incremental")
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()

    inbox = prepare_inbox(args.work, args.documents)
    warehouse = args.work / "warehouse" / "warehouse.duckdb"
    shutil.rmtree(warehouse.parent, ignore_errors=True)
    extra = ["--workers", str(args.workers)] if args.workers else []

    first, first_out = timed_ingest(inbox, warehouse, extra)
    published = sha256(warehouse)
    second, second_out = timed_ingest(inbox, warehouse, extra)
    unchanged = sha256(warehouse) == published

    print("\n=== incremental benchmark ===")
    print(f"documents:           {args.documents}")
    print(f"first run:           {first:8.1f} s   ({table_value(first_out, 'loaded')} loaded)")
    print(
        f"second run:          {second:8.2f} s   ({table_value(second_out, 'new')} new, "
        f"{table_value(second_out, 'unchanged (already loaded)')} unchanged)"
    )
    print(f"second / first:      {100 * second / first:8.2f} %   (acceptance: < 5 %)")
    print(f"published file byte-identical after the second run: {unchanged}")
    ok = second / first < 0.05 and unchanged and table_value(second_out, "new") == "0"
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def prepare_inbox(work: Path, documents: int) -> Path:
    from samples import generate_corpus

    corpus, inbox = work / "corpus", work / "inbox"
    if len(list(corpus.glob("*.pdf"))) < documents:
        departments = -(-documents // 4)  # budget + final × 2 years per department
        print(f"generating {departments} departments' documents into {corpus} ...", flush=True)
        generate_corpus(corpus, departments=departments, years=(2023, 2024))
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    for pdf in sorted(corpus.glob("*.pdf"))[:documents]:
        shutil.copy(pdf, inbox / pdf.name)
    return inbox


def timed_ingest(inbox: Path, warehouse: Path, extra: list[str]) -> tuple[float, str]:
    command = [sys.executable, "-m", "flows.cli", "ingest", str(inbox), "--warehouse", str(warehouse), *extra]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"caijue ingest failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    print(done.stdout[-1800:], flush=True)
    return elapsed, done.stdout


def table_value(output: str, row: str) -> str:
    found = re.search(rf"^\| {re.escape(row)} \| (\S+) \|$", output, re.MULTILINE)
    return found.group(1) if found else "?"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


if __name__ == "__main__":
    sys.exit(main())
