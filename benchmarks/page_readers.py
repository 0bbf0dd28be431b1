"""The PDFium page reader against pdfplumber's: the same reading (every ruled page compared), and how fast.

    python benchmarks/page_readers.py [FOLDER ...] [--equivalence-only | --speed-only] [--repeat 3] [--detail]

Folders default to ../shared/corpus/{real,wild,wild-more}. Two parts, each on one core (this process):

1. Equivalence: every ruled page of every PDF read by both readers (extract.reading_equivalence), counted
   per folder as same / same but for blanks / different / not judged (left to pdfplumber), with the pages
   that differ and how.
2. Speed, per folder, side by side in one run by the method flows/reading_speed.py states (the one `caijue
   bench` uses on each `--add` folder): warm, the best of `--repeat` passes each, pages per second of
   - the naive baseline: pdfplumber's `extract_tables()` on every page;
   - caijue's extraction (`extract.extract_document`, the PDFium reader: the default);
   and their ratio; wall time and this process's CPU time (the ratio of CPU times is the one a machine
   shared with other work does not blur). `--detail` adds, on each folder, caijue's extraction with the
   pdfplumber reader (`CAIJUE_PAGE_READER=pdfplumber`) and the page reading stage alone with each reader.
The gate's second reading of contested pages is not in these figures: it is the gate's (expectations.gate).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extract import ExtractionError
from extract.page_count import page_count
from extract.pages import PAGE_READER_VARIABLE, read_pages
from extract.reading_equivalence import compare_document
from flows.reading_speed import Documents, best_of, extract_all, naive_tables, read_documents

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DEFAULT_FOLDERS = [SHARED / "real", SHARED / "wild", SHARED / "wild-more"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT_FOLDERS)
    parser.add_argument("--equivalence-only", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--detail", action="store_true", help="also the pdfplumber reader and read_pages alone")
    args = parser.parse_args()
    folders = [f for f in args.folders if f.is_dir()]
    if not folders:
        print("caijue: no corpus folder found — give the folders of PDFs to compare", file=sys.stderr)
        return 2
    if not args.speed_only:
        for folder in folders:
            equivalence(folder)
    if not args.equivalence_only:
        for folder in folders:
            speed(folder, args.repeat, args.detail)
    return 0


def _pdfs(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file())


def equivalence(folder: Path) -> None:
    verdicts: Counter[str] = Counter()
    notes: list[str] = []
    documents = unreadable = 0
    started = time.perf_counter()
    for pdf in _pdfs(folder):
        try:
            comparisons = list(compare_document(pdf.read_bytes()))
        except Exception as exc:  # not a PDF, damaged: neither reader reads it
            unreadable += 1
            notes.append(f"  {pdf.name}: not compared ({type(exc).__name__})")
            continue
        documents += 1
        for comparison in comparisons:
            verdicts[comparison.verdict] += 1
            if comparison.verdict != "same":
                detail = "; ".join(comparison.differences[:2])
                notes.append(f"  {pdf.name} p{comparison.page}: {comparison.verdict}{': ' + detail if detail else ''}")
        mine = Counter(c.verdict for c in comparisons)
        print(f"  … {pdf.name[:50]}: {dict(mine) or 'no ruled page'} (so far {dict(verdicts)})", flush=True)
    total = sum(verdicts.values())
    print(f"\n== {folder}: {documents} documents ({unreadable} not PDFs both can open), {total} ruled pages, "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    for verdict in ("same", "same but for blanks", "different", "not judged"):
        print(f"  {verdict:<20} {verdicts[verdict]:>6}")
    for note in notes[:60]:
        print(note[:300])
    if len(notes) > 60:
        print(f"  … and {len(notes) - 60} more")


def speed(folder: Path, repeat: int, detail: bool) -> None:
    documents = read_documents(_pdfs(folder))
    pages = sum(page_count(data) or 0 for _, data in documents)
    if not pages:
        print(f"\n== speed, {folder}: no page of a PDF to read")
        return
    print(f"\n== speed, {folder}: {len(documents)} documents, {pages} pages, one core, warm, best of {repeat}")
    baseline = best_of(partial(naive_tables, documents), partial(naive_tables, documents[:1]), repeat)
    rows = [("naive: pdfplumber extract_tables(), every page", baseline)]
    readers = ("pdfium", "pdfplumber") if detail else ("pdfium",)
    for reader in readers:
        timed = best_of(partial(_caijue, documents, reader), partial(_caijue, documents[:1], reader), repeat)
        rows.append((f"caijue extract_document, {reader} reader", timed))
    for reader in readers if detail else ():
        timed = best_of(partial(_pages, documents, reader), partial(_pages, documents[:1], reader), repeat)
        rows.append((f"pages only (read_pages), {reader} reader", timed))
    print(f"  {'':<48} {'wall s':>8} {'pages/s':>8} {'× naive':>8} {'CPU s':>8} {'pages/s':>8} {'× naive':>8}")
    for name, timing in rows:
        wall, cpu = timing.wall_seconds, timing.cpu_seconds
        by_wall = f"{wall:>8.2f} {pages / wall:>8.1f} {baseline.wall_seconds / wall:>8.2f}"
        by_cpu = f"{cpu:>8.2f} {pages / cpu:>8.1f} {baseline.cpu_seconds / cpu:>8.2f}"
        print(f"  {name:<48} {by_wall} {by_cpu}", flush=True)


def _caijue(documents: Documents, reader: str) -> None:
    with _reader(reader):
        extract_all(documents)


def _pages(documents: Documents, reader: str) -> None:
    """The page reading stage alone: every page as extract_document reads it (no table located or read)."""
    with _reader(reader):
        for name, data in documents:
            with contextlib.suppress(ExtractionError):
                for _ in read_pages(data, name):
                    pass


@contextlib.contextmanager
def _reader(reader: str) -> Iterator[None]:
    previous = os.environ.get(PAGE_READER_VARIABLE)
    os.environ[PAGE_READER_VARIABLE] = reader
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(PAGE_READER_VARIABLE, None)
        else:
            os.environ[PAGE_READER_VARIABLE] = previous


if __name__ == "__main__":
    raise SystemExit(main())
