"""A document reader's start-up, done while the run's Prefect server boots — on threads of the flow's own
process (one per reading child), or in a remote Dask worker as it starts (`dask worker --preload
flows.warmup`: Dask's hook `dask_setup`) — not while documents wait: import Prefect's task engine (about
3 s of a core) and start the child process that reads the documents, with Great Expectations imported and
the gate built in it (about 6 s)."""

from __future__ import annotations

from typing import Any


def warm_up() -> None:
    import flows.document_task  # noqa: F401  (Prefect's task engine, the task's own module)
    from flows.extraction import warm_child

    warm_child()


def dask_setup(worker: Any) -> None:
    warm_up()
