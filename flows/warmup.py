"""A document worker's start-up: importing Prefect's task engine and Great Expectations and building the
gate take about 8 s of a core. Done once per process while the run's Prefect server boots — in a Dask
worker as it starts (Dask's preload hook `dask_setup`), in the flow's own process on a thread — not while
documents wait."""

from __future__ import annotations

from typing import Any


def warm_up() -> None:
    import flows.ingest  # noqa: F401  (Prefect's task engine, the task's own module)
    from expectations.gate import default_gate

    default_gate()


def dask_setup(worker: Any) -> None:
    warm_up()
