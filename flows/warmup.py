"""A document worker's start-up, done while the run's Prefect server boots — in a Dask worker as it
starts (Dask's preload hook `dask_setup`), in the flow's own process on a thread — not while documents
wait: import Prefect's task engine (about 3 s of a core) and start the child process that reads the
documents, with Great Expectations imported and the gate built in it (about 6 s)."""

from __future__ import annotations

from typing import Any


def warm_up() -> None:
    import flows.document_task  # noqa: F401  (Prefect's task engine, the task's own module)
    from flows.extraction import warm_child

    warm_child()


def dask_setup(worker: Any) -> None:
    warm_up()
