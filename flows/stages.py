"""A run's stages as Prefect task runs: each with its own state, timing and logs on the flow run's page.

Inside a flow run, `run_stage` runs its work as a task run of that name (called, not submitted: the stages
run one after another in the flow's own process, whatever task runner maps the documents). Outside one
(`caijue departments --apply` rebuilds without Prefect) it is a plain call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar
from uuid import UUID

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext

from flows.server import deliver_events

R = TypeVar("R")
# A stopped run's second look for task runs that were being created as it cancelled the first ones.
CANCEL_SETTLE_SECONDS = 0.3


def run_stage(name: str, work: Callable[[], R]) -> R:
    """`work()` as the task run `name` of the current flow run, or plainly when there is none. A stage's
    inputs are in its closure: Prefect neither hashes them for a cache key nor walks them for futures
    (a run's outcomes hold every fact of every document)."""
    if FlowRunContext.get() is None:
        return work()
    stage = task(work, name=name, task_run_name=name, cache_policy=NO_CACHE, persist_result=False)
    return stage()


def current_flow_run_id() -> UUID | None:
    context = FlowRunContext.get()
    return context.flow_run.id if context is not None and context.flow_run is not None else None


def mark_cancelled(flow_run_id: UUID, message: str) -> None:
    """The flow run and its unfinished task runs (the stage running, the documents in flight) Cancelled,
    through the API: what a stopped run's page shows (flows/stopping.py kills the run's processes next)."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        TaskRunFilter,
        TaskRunFilterState,
        TaskRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Cancelled

    unfinished = TaskRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING, StateType.SCHEDULED])
    with get_client(sync_client=True) as client:
        # The flow run first: one call, the state its page must show, whatever the stop's time allows after it.
        client.set_flow_run_state(flow_run_id, Cancelled(message=message), force=True)
        # Task runs are recorded from this process's events, sent in batches: a task run started just before the
        # stop reached the server after the cancelling and stayed Running (CI). So the events go first, and twice:
        # the run's threads go on until its processes are killed. The run's last log lines are not waited for
        # (their handler's flush may wait 5 s on a loaded server: CI).
        for settle in (CANCEL_SETTLE_SECONDS, 0.0):
            deliver_events(seconds=1.0)
            task_runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])),
                task_run_filter=TaskRunFilter(state=TaskRunFilterState(type=unfinished)),
            )
            for task_run in task_runs:
                client.set_task_run_state(task_run.id, Cancelled(message=message), force=True)
            time.sleep(settle)
