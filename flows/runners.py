"""Where the document stage runs, and how many documents are in flight at once.

Locally, threads of the flow's own process, one per core: each thread hands its documents to a reading
child process of its own (flows/timeout.py), which does the CPU work — so the cores are used without a
process in between that only waits (a local Dask cluster's workers, scheduler and nannies took ~1 GiB and
~5 s to start, for orchestration the flow's threads do as well). A remote Dask scheduler, when given, runs
the tasks on its workers instead; each of those reads through its own children likewise.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import Task

from flows import early_reads
from flows.limits import DEFAULT_LIMITS, DocumentLimits

R = TypeVar("R")


def scheduled_task_runner(workers: int, dask_address: str | None = None) -> TaskRunner:
    """For `caijue serve`'s runs: the remote scheduler, or `workers` threads of the run's own process."""
    if dask_address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=dask_address)
    return ThreadPoolTaskRunner(max_workers=max(1, workers))


class DocumentRunner:
    """Where the document stage runs: a remote Dask scheduler when given; else `workers` threads of the flow's
    process, each with its reading child. `start` may run on another thread while the Prefect server boots:
    the children come up warm (flows/warmup.py), one per thread that will have a document to read, and begin
    reading the first documents (flows/early_reads.py)."""

    def __init__(
        self,
        workers: int,
        documents: int,
        dask_address: str | None = None,
        early: Sequence[Sequence[str]] = (),
        limits: DocumentLimits = DEFAULT_LIMITS,
    ) -> None:
        """`early`: batches of the documents to read in order as soon as the children are warm, before the flow
        run exists (flows/early_reads.py), each under `limits`; none on a remote scheduler, whose workers read."""
        self.workers, self.documents, self.dask_address = max(1, workers), documents, dask_address
        self.early, self.limits = early, limits
        self.runner: TaskRunner | None = None

    def start(self) -> None:
        if self.dask_address:
            from prefect_dask import DaskTaskRunner

            self.runner = DaskTaskRunner(address=self.dask_address)
            return
        from flows.warmup import warm_up

        threads = max(1, min(self.workers, self.documents))
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for started in [pool.submit(warm_up) for _ in range(threads)]:
                started.result()
        self.runner = ThreadPoolTaskRunner(max_workers=threads)
        if self.early:
            early_reads.begin(self.early, self.limits, threads)

    @property
    def queued(self) -> int:
        """Tasks to queue beyond the running ones: one per local thread, so none waits for the next; none on a
        shared scheduler, where `workers` bounds what we put in flight."""
        return 0 if self.dask_address else self.workers

    def close(self) -> None:
        """The early reads not taken dropped; the reading children stop when idle (flows/timeout.py) or with the
        process."""
        early_reads.end()


def map_bounded(
    task: Task[..., R], items: Sequence[Any], limit: int, **static: Any
) -> Iterator[tuple[int, PrefectFuture[R]]]:
    """Submit `task(item, **static)` for every item with at most `limit` in flight (a remote cluster
    may be shared); yield (index, finished future) as they finish."""
    limit = max(1, limit)
    waiting = list(enumerate(items))
    running: dict[PrefectFuture[R], int] = {}
    while waiting or running:
        while waiting and len(running) < limit:
            index, item = waiting.pop(0)
            running[task.submit(item, **static)] = index
        done = next(as_completed(list(running)))
        yield running.pop(done), done
