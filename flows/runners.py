"""Where the document stage runs: this process, a local Dask cluster (one process per core), or a
remote Dask scheduler; and how many documents are in flight at once."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from prefect.futures import PrefectFuture, as_completed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import Task

R = TypeVar("R")


def task_runner_for(workers: int, documents: int, dask_address: str | None = None) -> TaskRunner:
    """A remote scheduler when given; else local processes when there is enough to extract to pay for
    starting them (about 5 s); else the flow's own process."""
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    if workers <= 1 or documents < 4:
        return ThreadPoolTaskRunner(max_workers=1)
    # pdfplumber is pure Python: threads share one core, processes use all of them.
    return DaskTaskRunner(cluster_kwargs={
        "n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": ":0",
        "silence_logs": logging.CRITICAL,
    })


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
