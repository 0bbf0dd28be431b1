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


# Our own cluster's diagnostics, which nobody reads (its dashboard is on a random port): by default every
# worker samples its own stack every 10 ms (the profiler) and the system's counters every 0.5 s, its event
# loop ticks every 20 ms and each nanny checks memory every 0.1 s. Measured here with both workers waiting
# on their documents: 3.1 s of CPU per 20 s (workers, nannies, scheduler) — 7.6 % of a 2-core machine taken
# from extraction; 0.4 s with these settings. Memory limits still hold (checked every 2 s).
LOCAL_CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.worker.memory.monitor-interval": "2s",
}


def local_cluster_environment() -> dict[str, str]:
    """LOCAL_CLUSTER_CONFIG as Dask's environment variables, for a cluster another process starts (the
    runs `caijue serve` executes)."""
    return {
        "DASK_" + key.upper().replace(".", "__").replace("-", "_"): str(value)
        for key, value in LOCAL_CLUSTER_CONFIG.items()
    }


def local_cluster_options(workers: int) -> dict[str, Any]:
    # pdfplumber is pure Python: threads share one core, processes use all of them.
    return {
        "n_workers": workers,
        "threads_per_worker": 1,
        "processes": True,
        "dashboard_address": ":0",
        "silence_logs": logging.CRITICAL,
        "preload": ["flows.warmup"],
    }


def scheduled_task_runner(workers: int, dask_address: str | None = None) -> TaskRunner:
    """For `caijue serve`'s runs: the remote scheduler, or a local cluster each run starts and stops."""
    from prefect_dask import DaskTaskRunner

    if dask_address:
        return DaskTaskRunner(address=dask_address)
    if workers <= 1:
        return ThreadPoolTaskRunner(max_workers=1)
    return DaskTaskRunner(cluster_kwargs=local_cluster_options(workers))


class DocumentRunner:
    """Where the document stage runs: a remote Dask scheduler when given; else a local Dask cluster (one
    process per core) when there is enough to extract to pay for starting it (about 5 s); else the flow's
    own process. `start` may run on another thread while the Prefect server boots: the workers (or this
    process) come up warm (flows/warmup.py)."""

    def __init__(self, workers: int, documents: int, dask_address: str | None = None) -> None:
        self.workers, self.documents, self.dask_address = workers, documents, dask_address
        self.cluster: Any = None
        self.runner: TaskRunner | None = None

    def start(self) -> None:
        from prefect_dask import DaskTaskRunner

        if self.dask_address:
            self.runner = DaskTaskRunner(address=self.dask_address)
        elif self.workers <= 1 or self.documents < 4:
            from flows.warmup import warm_up

            warm_up()
            self.runner = ThreadPoolTaskRunner(max_workers=1)
        else:
            import dask
            from distributed import LocalCluster

            with dask.config.set(LOCAL_CLUSTER_CONFIG):  # read as the scheduler and nannies start
                self.cluster = LocalCluster(**local_cluster_options(self.workers))
            self.runner = DaskTaskRunner(address=self.cluster.scheduler_address)

    @property
    def queued(self) -> int:
        """Tasks to queue beyond the running ones: one per worker of our own cluster; none on a shared
        scheduler, where `workers` bounds what we put in flight."""
        return self.workers if self.cluster is not None else 0

    def close(self) -> None:
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None


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
