"""The PDFium page reader against pdfplumber's: the same reading (every ruled page compared), and how fast.

    python benchmarks/page_readers.py [FOLDER ...] [--equivalence-only | --speed-only] [--repeat 3] [--detail]

Folders default to ../shared/corpus/{real,wild,wild-more}. Two parts, each on one core (this process):

1. Equivalence: every ruled page of every PDF read by both readers (extract.reading_equivalence), counted
   per folder as same / same but for blanks / different / not judged (left to pdfplumber), with the pages
   that differ and how.
2. Speed, per folder, side by side in one run, warm (each timed run follows an untimed one of the folder's
   first file), the best of `--repeat` runs each: pages per second of
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
import io
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extract import ExtractionError, extract_document
from extract.pages import PAGE_READER_VARIABLE, read_pages
from extract.reading_equivalence import compare_document

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
    datas = [p.read_bytes() for p in _pdfs(folder)]
    pages = sum(_page_count(d) for d in datas)
    if not pages:
        print(f"\n== speed, {folder}: no page of a PDF to read")
        return
    print(f"\n== speed, {folder}: {len(datas)} documents, {pages} pages, one core, warm, best of {repeat}")
    baseline = _best(lambda: _naive(datas), lambda: _naive(datas[:1]), repeat)
    rows = [("naive: pdfplumber extract_tables(), every page", baseline)]
    readers = ("pdfium", "pdfplumber") if detail else ("pdfium",)
    for reader in readers:
        timed = _best(partial(_caijue, datas, reader), partial(_caijue, datas[:1], reader), repeat)
        rows.append((f"caijue extract_document, {reader} reader", timed))
    for reader in readers if detail else ():
        timed = _best(partial(_pages, datas, reader), partial(_pages, datas[:1], reader), repeat)
        rows.append((f"pages only (read_pages), {reader} reader", timed))
    print(f"  {'':<48} {'wall s':>8} {'pages/s':>8} {'× naive':>8} {'CPU s':>8} {'pages/s':>8} {'× naive':>8}")
    for name, (wall, cpu) in rows:
        by_wall = f"{wall:>8.2f} {pages / wall:>8.1f} {baseline[0] / wall:>8.2f}"
        by_cpu = f"{cpu:>8.2f} {pages / cpu:>8.1f} {baseline[1] / cpu:>8.2f}"
        print(f"  {name:<48} {by_wall} {by_cpu}", flush=True)


def _page_count(data: bytes) -> int:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:  # not a PDF PDFium opens: no pages to count
        return 0
    try:
        return len(document)
    finally:
        document.close()


def _best(run: Callable[[], None], warm: Callable[[], None], repeat: int) -> tuple[float, float]:
    """The best wall time and the best CPU time (this process's) of `repeat` runs, each after `warm`."""
    walls, cpus = [], []
    for _ in range(max(repeat, 1)):
        warm()
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def _naive(datas: list[bytes]) -> None:
    """flows.bench.naive_tables on each file: pdfplumber's extract_tables() on every page."""
    for data in datas:
        with contextlib.suppress(Exception), pdfplumber.open(io.BytesIO(data)) as pdf:  # a file it cannot open
            for page in pdf.pages:
                page.extract_tables()
                page.close()


def _caijue(datas: list[bytes], reader: str) -> None:
    with _reader(reader):
        for data in datas:
            with contextlib.suppress(ExtractionError):  # a file neither reader reads costs what it costs
                extract_document(data, "document.pdf")


def _pages(datas: list[bytes], reader: str) -> None:
    """The page reading stage alone: every page as extract_document reads it (no table located or read)."""
    with _reader(reader):
        for data in datas:
            with contextlib.suppress(ExtractionError):
                for _ in read_pages(data, "document.pdf"):
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
