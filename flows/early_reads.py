"""Documents read while the run's Prefect server boots, before the flow run exists.

A run's server takes seconds to boot (flows/server.py); its reading children are warm long before it answers.
So the run begins reading its plan's first documents at once, on threads of this process, each through a
reading child as the document stage would (flows/extraction.py `read_file`, the same limits). The document
stage's task runs then take those reads instead of reading again (flows/document_task.py): the task run, its
state, its retries and the stage's progress lines in the run's log are the same; only the reading began earlier.

What a task takes is exactly what it would have read: the same file (its size and modification time unchanged
since the read began), under the same limits; anything else it reads itself. The first take stops the early
reads — the stage's own tasks read the rest, at its own pace — so besides the stage's own reads at most one
document per early thread is still being read (a read begun early is waited for, not repeated). A read that
raised raises in the task that takes it, whose retry reads the file again. What nobody takes is dropped when
the run ends (`end`).
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from flows.extraction import ReadDocument, read_file
from flows.limits import DocumentLimits
from flows.summary import DocumentOutcome

Read = ReadDocument | DocumentOutcome
FileKey = tuple[int, int] | None  # (size, modification time in ns); None: the file could not be seen


class EarlyReads:
    """The early reads of one run: `batches` of paths in the order the document stage starts them, `workers`
    batches at once, each batch's documents one after another — as the stage's task runs read them."""

    def __init__(
        self,
        batches: Sequence[Sequence[str]],
        limits: DocumentLimits,
        workers: int,
        read: Callable[[str, DocumentLimits], Read] = read_file,
    ) -> None:
        self.limits, self._read = limits, read
        self._lock = threading.Lock()
        self._waiting = deque(batches)
        self._reads: dict[str, Future[tuple[FileKey, Read]]] = {}
        self._stopped = False
        self._local = threading.local()  # each thread's batch under way
        self._threads = [
            threading.Thread(target=self._read_batches, name=f"caijue-early-read-{n}", daemon=True)
            for n in range(max(1, min(workers, len(self._waiting))))
        ]
        for thread in self._threads:
            thread.start()

    def take(self, path: str, limits: DocumentLimits) -> Read | None:
        """The early read of `path` under `limits` (waited for if still reading), or None: none was begun, or the
        file changed since it began. The first call stops the reads: none is begun after it."""
        with self._lock:
            self._stopped = True
            future = self._reads.pop(path, None)
        if future is None or limits != self.limits:
            return None
        key, read = future.result()  # what the read raised raises in the task: its retry reads again
        return read if key is not None and key == _file_key(path) else None

    def end(self) -> None:
        """Drop what was not taken; no read is begun after this (one reading finishes on its own)."""
        with self._lock:
            self._stopped = True
            self._reads.clear()

    def _read_batches(self) -> None:
        while (path := self._next_path()) is not None:
            with self._lock:
                if self._stopped:
                    return
                future: Future[tuple[FileKey, Read]] = Future()
                future.set_running_or_notify_cancel()
                self._reads[path] = future
            try:
                key = _file_key(path)  # before the bytes are read: a file rewritten meanwhile no longer matches it
                future.set_result((key, self._read(path, self.limits)))
            except BaseException as error:  # raised where it is taken
                future.set_exception(error)

    def _next_path(self) -> str | None:
        """The next document of this thread's batch, else the first of the next batch waiting; None when stopped."""
        batch: deque[str] = getattr(self._local, "batch", deque())
        with self._lock:
            while not batch and self._waiting and not self._stopped:
                batch = self._local.batch = deque(self._waiting.popleft())
            return batch.popleft() if batch and not self._stopped else None


def _file_key(path: str) -> FileKey:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_size, status.st_mtime_ns


_current: EarlyReads | None = None
_current_lock = threading.Lock()


def begin(batches: Sequence[Sequence[str]], limits: DocumentLimits, workers: int) -> EarlyReads:
    """Begin this process's early reads (those of an earlier run, if any, dropped)."""
    global _current
    reads = EarlyReads(batches, limits, workers)
    with _current_lock:
        previous, _current = _current, reads
    if previous is not None:
        previous.end()
    return reads


def take(path: str, limits: DocumentLimits) -> Read | None:
    """The early read of `path` under `limits` in this process, or None (see EarlyReads.take)."""
    with _current_lock:
        reads = _current
    return reads.take(path, limits) if reads is not None else None


def end() -> None:
    """Drop this process's early reads, if any (the run is over, or they are not wanted)."""
    global _current
    with _current_lock:
        reads, _current = _current, None
    if reads is not None:
        reads.end()
