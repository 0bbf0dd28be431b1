"""What reading one document may take: time, memory and pages. A document over a limit is failed with a
reason saying which (flows/extraction.py); the time and memory failures are retried by later runs
(flows/plan.py RETRYABLE_FAILURES, at most MAX_ATTEMPTS times). Light to import: the command line's
defaults come from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import psutil

DEFAULT_TIMEOUT_SECONDS = 300.0  # a 350-page real report takes about 35 s on one core
# The resident memory of the process reading documents, which stays warm from one to the next: about
# 260 MiB idle, at most MEASURED MiB over the biggest real and wild documents; a decompression bomb takes it
# past 2 GiB (benchmarks/bad_corpus.py).
DEFAULT_MEMORY_LIMIT_MIB = 1024
DEFAULT_PAGE_LIMIT = 3000  # the longest real report seen has 328 pages


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """The limits of one document's reading (None: no limit). Time and memory hold in a child process: with
    neither, the document is read in the calling process."""

    timeout: float | None = DEFAULT_TIMEOUT_SECONDS
    memory_limit_mib: int | None = DEFAULT_MEMORY_LIMIT_MIB
    page_limit: int | None = DEFAULT_PAGE_LIMIT


DEFAULT_LIMITS = DocumentLimits()


def process_tree(root: psutil.Process) -> list[psutil.Process]:
    """`root` and its descendants (none for a process that is gone)."""
    import psutil

    try:
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def tree_resident_bytes(root: psutil.Process) -> int:
    """The resident memory of `root` and its descendants, summed (0 for a process that is gone)."""
    import psutil

    total = 0
    for process in process_tree(root):
        try:
            total += process.memory_info().rss
        except psutil.Error:  # ended between the listing and the reading
            continue
    return total
