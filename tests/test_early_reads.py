"""The documents read while the run's server boots (flows/early_reads.py) are taken by the document stage
instead of read again, and only when they are what it would read. Cheap: no child process, no Prefect (~0.1 s)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from extract import ExtractedDocument
from extract.model import DocumentMeta
from flows.early_reads import EarlyReads
from flows.limits import DocumentLimits
from flows.summary import DocumentOutcome

LIMITS = DocumentLimits()


class CountingReader:
    """Stands in for flows/extraction.py read_file: counts its reads; `gate` holds them until it is set."""

    def __init__(self) -> None:
        self.reads: list[str] = []
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, path: str, limits: DocumentLimits) -> DocumentOutcome:
        self.gate.wait(10)
        self.reads.append(path)
        meta = DocumentMeta("ab" * 32, Path(path).name, None, None, None, None, None, 1)
        return DocumentOutcome(path, ExtractedDocument(meta=meta), "loaded", f"read under {limits.timeout}")


def _files(folder: Path, count: int) -> list[str]:
    paths = [folder / f"report-{n}.pdf" for n in range(count)]
    for path in paths:
        path.write_bytes(b"%PDF-1.4 " + path.name.encode())
    return [str(path) for path in paths]


def _settled(reader: CountingReader, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(reader.reads) < count and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_document_read_early_is_taken_not_read_again(tmp_path: Path) -> None:
    paths = _files(tmp_path, 2)
    reader = CountingReader()
    early = EarlyReads([paths], LIMITS, workers=1, read=reader)
    _settled(reader, 2)
    taken = early.take(paths[0], LIMITS)
    assert taken is not None and taken.path == paths[0]
    assert early.take(paths[0], LIMITS) is None  # taken once: a retry reads the file itself
    assert reader.reads == paths


def test_a_read_of_another_file_or_under_other_limits_is_not_taken(tmp_path: Path) -> None:
    paths = _files(tmp_path, 2)
    reader = CountingReader()
    early = EarlyReads([paths], LIMITS, workers=1, read=reader)
    _settled(reader, 2)
    Path(paths[0]).write_bytes(b"%PDF-1.4 re-published, longer")
    assert early.take(paths[0], LIMITS) is None  # changed since its read began
    assert early.take(paths[1], DocumentLimits(timeout=1.0)) is None


def test_the_first_take_stops_the_reads_not_begun(tmp_path: Path) -> None:
    paths = _files(tmp_path, 4)
    reader = CountingReader()
    reader.gate.clear()  # the first read is under way when the stage takes it
    early = EarlyReads([paths[:2], paths[2:]], LIMITS, workers=1, read=reader)
    threading.Timer(0.2, reader.gate.set).start()
    assert early.take(paths[0], LIMITS) is not None  # waited for, not read again
    time.sleep(0.1)
    assert reader.reads == [paths[0]]  # none begun after the stage began
    assert early.take(paths[1], LIMITS) is None
