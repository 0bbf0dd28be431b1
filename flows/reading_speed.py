"""Extraction alone beside the naive baseline, on the same files, in one process (issue 13, acceptance 1).

The method, stated once here for `caijue bench` (each `--add` folder) and benchmarks/page_readers.py:
- the files are read into memory first: no disk in the clock;
- both sides run in this process, one file after another: one core;
- each timed pass over the files follows an untimed pass over the first file (imports, the specs and PDFium's
  fonts warm, as in a reading child), and the best of `repeat` passes counts, its wall time and this process's
  CPU time apart (the ratio of CPU times is the one a machine shared with other work does not blur);
- naive: pdfplumber's `extract_tables()` on every page, what a one-off script would do (`naive_tables`);
- caijue: `extract.extract_document` on every file, its reading and its tables' facts (the gate's second
  reading of contested pages is the gate's, not counted);
- pages: those of the files PDFium opens (a file neither side can read counts no page and costs what it costs).
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract import ExtractionError, extract_document
from extract.page_count import page_count

DEFAULT_REPEAT = 1  # the bench's: the naive pass over 98 real pages takes ~4 s a pass


@dataclass(frozen=True, slots=True)
class Timing:
    """The best wall time and the best CPU time of a side's passes (each the best of its own)."""

    wall_seconds: float
    cpu_seconds: float


@dataclass(frozen=True, slots=True)
class SideBySide:
    """Extraction and the naive baseline on one folder's files."""

    folder: str
    documents: int
    pages: int
    repeat: int
    naive: Timing
    caijue: Timing

    def record(self) -> dict[str, Any]:
        """JSON-ready: each side's seconds and pages/s (by wall and by CPU time), and caijue's ratio to naive."""
        return {
            "folder": self.folder,
            "documents": self.documents,
            "pages": self.pages,
            "method": f"one core, in one process, warm, best of {self.repeat}",
            "naive": self._side(self.naive),
            "caijue": self._side(self.caijue),
            "times_naive_by_wall": round(_ratio(self.naive.wall_seconds, self.caijue.wall_seconds), 2),
            "times_naive_by_cpu": round(_ratio(self.naive.cpu_seconds, self.caijue.cpu_seconds), 2),
        }

    def _side(self, timing: Timing) -> dict[str, float]:
        return {
            "wall_seconds": round(timing.wall_seconds, 3),
            "cpu_seconds": round(timing.cpu_seconds, 3),
            "pages_per_second_by_wall": round(_ratio(self.pages, timing.wall_seconds), 1),
            "pages_per_second_by_cpu": round(_ratio(self.pages, timing.cpu_seconds), 1),
        }


def side_by_side(folder: Path, files: Sequence[Path], repeat: int = DEFAULT_REPEAT) -> SideBySide:
    """The naive baseline, then caijue's extraction, on `files` (a folder's PDFs), by the method above."""
    documents = read_documents(files)
    pages = sum(page_count(data) or 0 for _, data in documents)
    naive = best_of(lambda: naive_tables(documents), lambda: naive_tables(documents[:1]), repeat)
    caijue = best_of(lambda: extract_all(documents), lambda: extract_all(documents[:1]), repeat)
    return SideBySide(str(folder), len(documents), pages, max(repeat, 1), naive, caijue)


Documents = Sequence[tuple[str, bytes]]  # each file's name and bytes


def read_documents(files: Sequence[Path]) -> list[tuple[str, bytes]]:
    return [(path.name, path.read_bytes()) for path in files]


def best_of(run: Callable[[], None], warm: Callable[[], None], repeat: int) -> Timing:
    """The best wall time and the best CPU time (this process's) of `repeat` runs, each after `warm`."""
    walls, cpus = [], []
    for _ in range(max(repeat, 1)):
        warm()
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return Timing(min(walls), min(cpus))


def naive_reading(source: str | io.BytesIO) -> int:
    """The naive baseline on one file (a path or its bytes): pdfplumber's extract_tables() on every page; returns
    its pages."""
    import pdfplumber

    with pdfplumber.open(source) as pdf:
        for page in pdf.pages:
            page.extract_tables()
            page.close()  # pdfplumber's own advice for long documents: free the page's parsed objects
        return len(pdf.pages)


def naive_tables(documents: Documents) -> None:
    """The naive baseline on each file (`naive_reading`)."""
    for _, data in documents:
        with contextlib.suppress(Exception):  # a file it cannot open
            naive_reading(io.BytesIO(data))


def extract_all(documents: Documents) -> None:
    """caijue's extraction of each file."""
    for name, data in documents:
        with contextlib.suppress(ExtractionError):  # a file caijue refuses costs what refusing it costs
            extract_document(data, name)


def format_side_by_side(records: Sequence[dict[str, Any]]) -> list[str]:
    """The printed table of `SideBySide.record`s."""
    if not records:
        return []
    lines = [
        f"Extraction alone beside the naive baseline on each added folder's files ({records[0]['method']}):",
        "",
        "| folder | documents | pages | naive s (CPU s) | naive pages/s | caijue s (CPU s) | caijue pages/s "
        "| × naive (by CPU) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for record in records:
        naive, caijue = record["naive"], record["caijue"]
        lines.append(
            f"| {Path(record['folder']).name} | {record['documents']} | {record['pages']}"
            f" | {naive['wall_seconds']:.2f} ({naive['cpu_seconds']:.2f}) | {naive['pages_per_second_by_wall']:.1f}"
            f" | {caijue['wall_seconds']:.2f} ({caijue['cpu_seconds']:.2f}) | {caijue['pages_per_second_by_wall']:.1f}"
            f" | {record['times_naive_by_wall']:.2f}x ({record['times_naive_by_cpu']:.2f}x) |"
        )
    return lines


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0
